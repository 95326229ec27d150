#!/usr/bin/env node
// `npm run replay -- <model>` rebuilds one read model from the topics (SPEC section 7).
const path = require('node:path');

const models = ['postback-log', 'attribution', 'registry', 'dispatcher'];
const model = process.argv[2];
if (!models.includes(model)) {
  process.stderr.write(`usage: npm run replay -- <${models.join('|')}>\n`);
  process.exit(2);
}
require(path.join(__dirname, '..', 'dist', 'apps', model, 'replay.js'));
