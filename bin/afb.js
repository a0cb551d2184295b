#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on npm install).
require('../dist/cli/main.js').main(process.argv.slice(2));
