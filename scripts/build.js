#!/usr/bin/env node
// Compiles apps and libs into dist/ (tsc, incremental) and rewrites the @tracker/* path
// aliases to relative requires, so `node dist/apps/<app>/main.js` runs without a loader.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

run(bin('tsc'), ['-p', 'tsconfig.build.json']);
run(bin('tsc-alias'), ['-p', 'tsconfig.build.json']);
