#!/usr/bin/env node
// Compiles apps and libs into dist/ (tsc, incremental) and rewrites the @tracker/* path
// aliases to relative requires, so `node dist/apps/<app>/main.js` runs without a loader.
// Then builds the web console (Vite) into dist/console, with a .gz beside each asset that
// the tracker serves to browsers accepting gzip.
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (command, args, env = process.env) =>
  execFileSync(command, args, { cwd: root, stdio: 'inherit', env });

run(bin('tsc'), ['-p', 'tsconfig.build.json']);
run(bin('tsc-alias'), ['-p', 'tsconfig.build.json']);
// Always React's production build, whatever NODE_ENV the shell has.
run(bin('vite'), ['build', '--config', 'apps/console/vite.config.mts'], {
  ...process.env,
  NODE_ENV: 'production',
});

const assets = path.join(root, 'dist', 'console', 'assets');
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg)$/.test(name)) continue;
  const file = path.join(assets, name);
  writeFileSync(`${file}.gz`, zlib.gzipSync(readFileSync(file), { level: 9 }));
}
