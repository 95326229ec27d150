#!/usr/bin/env node
// `npm run start:app -- <app>` runs one app alone (ingress, registry, postback-log, attribution, dispatcher).
const path = require('node:path');

const apps = ['ingress', 'registry', 'postback-log', 'attribution', 'dispatcher', 'tracker'];
const app = process.argv[2];
if (!apps.includes(app)) {
  process.stderr.write(`usage: npm run start:app -- <${apps.join('|')}>\n`);
  process.exit(2);
}
require(path.join(__dirname, '..', 'dist', 'apps', app, 'main.js'));
