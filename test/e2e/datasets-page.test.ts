/**
 * Issue 15, acceptance 4: the page's Datasets view in headless Chromium (Debian's, driven by
 * playwright-core) against a real broker over four real nodes: three thirds of the 1000 Genomes
 * samples and one node holding only the European samples. The view lists the federation's
 * datasets with their sizes per population, filters by population, and the link under a pooled
 * frequency opens the datasets it was pooled from. Sizes are checked against the panel.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, openPage } from '../helpers/browser-page';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { peer, startBroker, startThreeNodes, type TestBroker } from '../helpers/federation';
import { startNode, type TestNode } from '../helpers/node-server';

const OUT = join(__dirname, '..', '..', 'test-output', 'e2e');
const tmp = tempDir();
const suite = existsSync(CHROMIUM) ? describe : describe.skip;

suite('Datasets view in Chromium', () => {
  let nodes: TestNode[];
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const panel = readFileSync(realFile('pyvcf-1kg/1kg.panel.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    nodes = await startThreeNodes(tmp.dir, [{ id: 'kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt' }]);
    const eurOnly = join(tmp.dir, 'eur.txt');
    writeFileSync(eurOnly, panel.filter(([, p]) => p === 'EUR').map(([s]) => s).join('\n') + '\n');
    const db = join(tmp.dir, 'eur.db');
    await ingestVcf({ db, dataset: 'eur', assembly: 'GRCh37', name: 'Europeans only', panel: realFile('pyvcf-1kg/1kg.panel.txt'), samples: eurOnly, inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
    nodes.push(await startNode(db, { beaconId: 'node-eur' }));
    broker = await startBroker('e2e-catalogue-broker', [
      peer('fi', nodes[0]!.api, { name: 'Finland', country: 'FI' }),
      peer('ee', nodes[1]!.api, { name: 'Estonia', country: 'EE' }),
      peer('ja', nodes[2]!.api, { name: 'Japan', country: 'JP' }),
      peer('eu', nodes[3]!.api, { name: 'Europe', country: 'BE' }),
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

  const rows = () => page.$$eval('table.datasets tbody tr', (trs) => trs.map((t) => t.getAttribute('data-dataset')));
  const waitRows = (n: number) => page.waitForFunction((want) => (globalThis as any).document.querySelectorAll('table.datasets tbody tr').length === want, n);

  test('opens Datasets: every dataset once, with its sizes per population', async () => {
    await page.click('#nav-datasets');
    await waitRows(4);
    expect((await rows()).sort()).toEqual(['ee:kg', 'eu:eur', 'fi:kg', 'ja:kg']);
    // Sizes per population, as the page shows them, add up to the panel's (the VCF holds every panel sample).
    const cells = await page.$$eval('table.datasets tbody tr:not([data-dataset="eu:eur"]) li[data-kind=population]', (lis) =>
      lis.map((li) => [li.getAttribute('data-code'), Number(li.querySelector('.n')!.textContent!.replace(/,/g, ''))] as [string, number]));
    const shown = new Map<string, number>();
    for (const [code, n] of cells) shown.set(code, (shown.get(code) ?? 0) + n);
    const fromPanel = new Map<string, number>();
    for (const [, p] of panel) fromPanel.set(p, (fromPanel.get(p) ?? 0) + 1);
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(fromPanel));
    expect(await page.textContent('tr[data-dataset="eu:eur"] td[data-col=total]')).toBe(String(fromPanel.get('EUR')));
    expect(await page.textContent('#datasets-summary')).toMatch(new RegExp(`^4 datasets, ${(panel.length + fromPanel.get('EUR')!).toLocaleString('en-US')} individuals`));
    await page.screenshot({ path: join(OUT, 'datasets.png'), fullPage: true });
  });

  test('filters by population', async () => {
    await page.selectOption('select[data-filter=population]', 'AFR');
    await waitRows(3);
    expect((await rows()).sort()).toEqual(['ee:kg', 'fi:kg', 'ja:kg']);
    expect(page.url()).toMatch(/#datasets\?population=AFR$/);
    await page.selectOption('select[data-filter=population]', 'EUR');
    await waitRows(4);
    await page.selectOption('select[data-filter=population]', '');
    await waitRows(4);
    await page.screenshot({ path: join(OUT, 'datasets-filtered.png'), fullPage: true });
  });

  test('the link under a pooled frequency opens the datasets it was pooled from', async () => {
    await page.click('.views a[href="#"]');
    await page.fill('#q', '2-10297-G-T');
    await page.press('#q', 'Enter');
    const link = page.locator('article.variant .pooled-from a');
    await link.waitFor();
    const ids = (await link.getAttribute('data-datasets'))!.split(',');
    expect(ids.sort()).toEqual(['ee:kg', 'eu:eur', 'fi:kg', 'ja:kg']);
    await page.waitForFunction(() => /individuals/.test((globalThis as any).document.querySelector('article.variant .pooled-from a').textContent));
    const text = await link.textContent();
    expect(text).toBe(`pooled from these 4 datasets, ${(panel.length + panel.filter(([, p]) => p === 'EUR').length).toLocaleString('en-US')} individuals`);
    await link.click();
    await waitRows(4);
    expect((await rows()).sort()).toEqual(ids);
    expect(await page.textContent('.scope')).toMatch(/The 4 datasets a pooled frequency came from/);
    await page.screenshot({ path: join(OUT, 'datasets-from-pooled.png'), fullPage: true });
    // Back in history: the variant again.
    await page.goBack();
    await page.waitForSelector('article.variant[data-variant="2-10297-G-T"]');
    expect(consoleErrors).toEqual([]);
  });

  test('at 375 px the Datasets view fits (the table scrolls inside its frame)', async () => {
    await page.setViewportSize({ width: 375, height: 900 });
    await page.click('#nav-datasets');
    await waitRows(4);
    const overflow = await page.evaluate(() => {
      const d = (globalThis as any).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUT, 'datasets-375.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 1000 });
    expect(consoleErrors).toEqual([]);
  });
});
