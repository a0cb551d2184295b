#!/usr/bin/env node
// `npm run docs:config`: rewrite the generated tables in docs/configuration.md from CONFIG_KEYS and
// BROKER_KEYS (src/config/docs-tables.ts renders them; this script only reads and writes the file).
// Runs the built code in dist/, so `npm run docs:config` builds first.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const file = join(root, 'docs', 'configuration.md');
const { renderGeneratedRegions } = require(join(root, 'dist', 'config', 'docs-tables.js'));

const before = readFileSync(file, 'utf8');
const after = renderGeneratedRegions(before);
if (after === before) {
  process.stdout.write('docs/configuration.md: up to date\n');
} else {
  writeFileSync(file, after);
  process.stdout.write('docs/configuration.md: tables regenerated\n');
}
