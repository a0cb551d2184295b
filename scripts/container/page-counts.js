#!/usr/bin/env node
// Prints the counts the page at URL shows for one variant, one line "POP:AC=n,AN=n ..." (the pooled
// table on a broker), read in Debian's Chromium through playwright-core (launch as in
// test/e2e/page.test.ts). Used by compose-check when the clone has its dev dependencies installed;
// exit code 3 when playwright-core or Chromium is missing.
//   node scripts/container/page-counts.js http://127.0.0.1:8090/ 2-10297-G-T
'use strict';
const { existsSync } = require('node:fs');

const [url, variant] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function main() {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    process.stderr.write('page-counts: playwright-core is not installed (npm install)\n');
    return 3;
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`page-counts: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
    return 3;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.fill('#q', variant);
    await page.press('#q', 'Enter');
    await page.waitForSelector(`article.variant[data-variant="${variant}"] table.populations.main tbody tr`, { timeout: 15000 });
    const rows = await page.$$eval('article.variant table.populations.main tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-population'), tr.querySelector('[data-col=ac]').textContent, tr.querySelector('[data-col=an]').textContent]));
    process.stdout.write(rows.map(([p, ac, an]) => `${p}:AC=${ac.replace(/,/g, '')},AN=${an.replace(/,/g, '')}`).join(' ') + '\n');
    return 0;
  } finally {
    await browser.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`page-counts: ${e.message}\n`);
  process.exit(1);
});
