#!/usr/bin/env node
// The npm registry this project is built against does not serve every platform build of
// @swc/core, so `npm install` drops those optional entries from package-lock.json and a later
// `npm ci` refuses the lock as "out of sync". This puts the entries back (npm skips them on
// other platforms; nothing is downloaded). Run it after every `npm install`.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [name, entry] of Object.entries(packages)) {
  for (const [dependency, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dependency}`;
    if (packages[key]) continue;
    const match =
      /-(darwin|linux|win32|freebsd|android)-([a-z0-9]+)(?:-(gnu|musl|gnueabihf|msvc|eabi))?$/.exec(
        dependency,
      );
    if (!match) continue;
    const [, os, cpuName, abi] = match;
    const cpu = cpuName === 'arm' ? 'arm' : cpuName;
    packages[key] = {
      version,
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(abi === 'gnu' ? { libc: ['glibc'] } : abi === 'musl' ? { libc: ['musl'] } : {}),
      optional: true,
      os: [os],
    };
    added++;
    process.stdout.write(`restored ${key}@${version} (optional, ${os}/${cpu}) for ${name}\n`);
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}
