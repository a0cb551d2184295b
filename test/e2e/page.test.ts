/**
 * Issue 5, acceptance 2 and 3: the page in headless Chromium (Debian's, driven by playwright-core)
 * against a real broker over three real nodes (disjoint thirds of the 1000 Genomes samples).
 * Counts on screen are checked against the bcftools truth file; every state is screenshotted to
 * test-output/e2e/; the page must log no console errors and be usable by keyboard at 375 and 1440 px.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, openPage } from '../helpers/browser-page';
import { readTruth, tempDir } from '../helpers/fixtures';
import { peer, startBroker, startThreeNodes, type TestBroker } from '../helpers/federation';
import type { TestNode } from '../helpers/node-server';

/**
 * The DOM as the page.evaluate callbacks below touch it. They run in Chromium but are type-checked
 * with the rest of the tree, whose `lib` has no DOM (server code must not see browser globals), so
 * the few shapes they use are declared here, for this file only.
 */
interface PageElement {
  readonly textContent: string | null;
  readonly outerHTML: string;
  readonly hidden: boolean;
  readonly offsetParent: unknown;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  blur(): void;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  readonly documentElement: PageElement;
  readonly activeElement: PageElement | null;
};

const OUT = join(__dirname, '..', '..', 'test-output', 'e2e');
const POPS = ['Total', 'AFR', 'AMR', 'EAS', 'EUR'];
const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
const tmp = tempDir();

if (!existsSync(CHROMIUM)) {
  // eslint-disable-next-line no-console
  console.warn(`e2e: ${CHROMIUM} not found (apt-get install -y chromium); the page tests are skipped`);
}
const suite = existsSync(CHROMIUM) ? describe : describe.skip;

suite('allele-frequency page in Chromium', () => {
  let nodes: TestNode[];
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    nodes = await startThreeNodes(tmp.dir, [{ id: 'kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt' }]);
    broker = await startBroker('e2e-broker', [
      peer('fi', nodes[0]!.api, { name: 'Finland' }),
      peer('ee', nodes[1]!.api, { name: 'Estonia', timeoutMs: 1000 }),
      peer('ja', nodes[2]!.api, { name: 'Japan' }),
    ], { cacheTtlMs: 0 });
    ({ browser, page } = await openPage(consoleErrors));
    await page.goto(broker.url + '/');
    await page.waitForSelector('#beacon:has-text("broker over")');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    for (const n of nodes ?? []) await n.close().catch(() => undefined);
    tmp.cleanup();
  });

  async function searchFor(text: string): Promise<void> {
    await page.fill('#q', text);
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => !document.querySelector('#result')?.textContent?.includes('Searching'));
  }

  /** AC and AN per population as the page's pooled table shows them. */
  async function shownCounts(): Promise<Record<string, [string, string]>> {
    const rows = await page.$$eval('article.variant table.populations.main tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-population'), tr.querySelector('[data-col=ac]')!.textContent, tr.querySelector('[data-col=an]')!.textContent]));
    return Object.fromEntries(rows.map(([p, ac, an]) => [p, [ac!.replace(/,/g, ''), an!.replace(/,/g, '')]]));
  }

  function truthCounts(pos: string): Record<string, [string, string]> {
    const row = truth.rows.find((r) => r.POS === pos)!;
    return Object.fromEntries(POPS.map((p) => [p, [row[p === 'Total' ? 'AC' : `AC_${p}`]!, row[p === 'Total' ? 'AN' : `AN_${p}`]!]]));
  }

  test('search by id: pooled counts equal the truth, one bar per population, per-node breakdown and peer status', async () => {
    await searchFor('2-10297-G-T');
    expect(await page.textContent('article.variant h2')).toBe('2-10297-G-T');
    expect(await shownCounts()).toEqual(truthCounts('10297'));
    const bars = await page.$$eval('svg.chart rect.bar', (rs) => rs.map((r) => r.getAttribute('data-population')));
    expect(bars).toEqual(POPS);
    expect(await page.$$eval('table.breakdown tbody tr', (trs) => trs.map((t) => t.getAttribute('data-dataset')))).toEqual(['fi:kg', 'ee:kg', 'ja:kg']);
    expect(await page.$$eval('.peer', (ps) => ps.map((p) => `${p.getAttribute('data-peer')}:${p.getAttribute('data-status')}`))).toEqual(['fi:ok', 'ee:ok', 'ja:ok']);
    expect(await page.getAttribute('a:has-text("JSON")', 'href')).toBe('api/g_variants/2-10297-G-T');
    // Each node's own populations open on request, and add up to the pooled row.
    await page.click('details.node-detail[data-dataset="fi:kg"] summary');
    const fiAn = await page.$eval('details.node-detail[data-dataset="fi:kg"] tr[data-population=AFR] [data-col=an]', (td) => Number(td.textContent!.replace(/,/g, '')));
    const otherAn = await page.$$eval('details.node-detail:not([data-dataset="fi:kg"]) tr[data-population=AFR] [data-col=an]', (tds) => tds.map((td) => Number(td.textContent!.replace(/,/g, ''))));
    expect(fiAn + otherAn[0]! + otherAn[1]!).toBe(Number(truthCounts('10297').AFR![1]));
    await page.screenshot({ path: join(OUT, 'variant-1440.png'), fullPage: true });
  });

  test('search by rsID finds the variant and its pooled counts', async () => {
    await searchFor('rs28804817');
    expect(await page.textContent('article.variant h2')).toBe('2-10587-C-G');
    expect(await shownCounts()).toEqual(truthCounts('10587'));
    await page.screenshot({ path: join(OUT, 'rsid.png'), fullPage: true });
  });

  test('a region lists exactly the variants in it (1-based, inclusive), sortable by pooled AF', async () => {
    await searchFor('2:10000-11000');
    const listed = await page.$$eval('table.variants tbody tr', (trs) => trs.map((t) => t.getAttribute('data-variant')));
    const expected = truth.rows.filter((r) => Number(r.POS) >= 10000 && Number(r.POS) <= 11000).map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
    expect(listed).toEqual(expected);
    await page.click('button.sort[data-sort=af]');
    const afs = await page.$$eval('table.variants tbody td[data-col=af]', (tds) => tds.map((t) => (t.textContent === '–' ? -1 : Number(t.textContent))));
    expect(afs).toEqual([...afs].sort((a, b) => b - a));
    await page.screenshot({ path: join(OUT, 'region.png'), fullPage: true });
    // A row opens its variant.
    await page.click(`table.variants button.rowlink >> text=${expected[5]}`);
    await page.waitForSelector(`article.variant[data-variant="${expected[5]}"]`);
  });

  test('bad queries and misses get a helpful message', async () => {
    const before = consoleErrors.length;
    await searchFor('hello world');
    expect(await page.textContent('.message.error')).toMatch(/not a variant, rsID, region or gene.*CHROM-POS-REF-ALT/);
    await page.screenshot({ path: join(OUT, 'bad-query.png'), fullPage: true });
    await searchFor('2:1-30000000');
    expect(await page.textContent('.message.error')).toMatch(/The beacon could not answer: .*at most 10000000 are allowed/);
    // Chromium logs the deliberate 400 answer itself as a failed resource; that one line is expected.
    const added = consoleErrors.splice(before);
    expect(added.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
    await searchFor('2-1-A-T');
    expect(await page.textContent('.message.empty')).toMatch(/2-1-A-T was not found/);
    await page.screenshot({ path: join(OUT, 'no-result.png'), fullPage: true });
  });

  test('at 375 px the page fits and works; screenshots at 375 and 1440', async () => {
    await page.setViewportSize({ width: 375, height: 900 });
    await searchFor('2-10297-G-T');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUT, 'variant-375.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.screenshot({ path: join(OUT, 'variant-1440-again.png'), fullPage: true });
  });

  test('every control is reachable by keyboard', async () => {
    await searchFor('2:10000-10300');
    const controls = await page.$$eval('a[href], button, input, select', (els) =>
      els.filter((e) => !(e as PageElement).hidden && (e as PageElement).offsetParent !== null).map((e) => e.outerHTML.slice(0, 80)));
    await page.evaluate(() => document.activeElement?.blur());
    await page.focus('body');
    const reached = new Set<string>();
    for (let i = 0; i < controls.length + 10; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80) ?? ''));
    }
    expect(controls.filter((c) => !reached.has(c))).toEqual([]);
    // Enter on a focused example runs it.
    await page.focus('button.example[data-q="rs28804817"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('article.variant[data-variant="2-10587-C-G"]');
  });

  test('a stopped node shows as failed while the others still answer', async () => {
    await nodes[1]!.close();
    await searchFor('2-10297-G-T');
    expect(await page.$$eval('.peer', (ps) => ps.map((p) => `${p.getAttribute('data-peer')}:${p.className.includes('failed') ? 'failed' : 'ok'}`))).toEqual(['fi:ok', 'ee:failed', 'ja:ok']);
    expect(await page.textContent('.message.warn')).toMatch(/Estonia \((refused|timeout|http error)\) did not answer/);
    expect(await page.$$eval('table.breakdown tbody tr', (trs) => trs.map((t) => t.getAttribute('data-dataset')))).toEqual(['fi:kg', 'ja:kg']);
    // The pooled Total is now the sum of the two nodes that answered.
    const perNode = await page.$$eval('table.breakdown tbody tr', (trs) => trs.map((t) => Number(t.children[2]!.textContent!.replace(/,/g, ''))));
    expect(Number((await shownCounts()).Total![1])).toBe(perNode[0]! + perNode[1]!);
    await page.screenshot({ path: join(OUT, 'node-down.png'), fullPage: true });
  });

  test('no console errors on any of it', () => {
    expect(consoleErrors).toEqual([]);
  });
});
