#!/usr/bin/env node
// `npm run dlq -- <topic> [--redrive]` lists a topic's dead letters and re-drives them (SPEC section 9).
const path = require('node:path');

require(path.join(__dirname, '..', 'dist', 'libs', 'kafka', 'src', 'dlq-cli.js')).runDlqCli();
