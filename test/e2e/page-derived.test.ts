/**
 * Issue 13, acceptance 6 (this helper's part): the page in headless Chromium shows FAF95, grpmax and
 * the XX/XY split for a variant, through a broker over three nodes whose panel declares sex; the
 * numbers on screen are the broker's JSON (FAF95 to three digits) and the bcftools truth (XX/XY).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, openPage } from '../helpers/browser-page';
import { ingestVcf } from '../../src/ingest';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { getJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, type TestBroker } from '../helpers/federation';

declare const document: { querySelector(selector: string): { textContent: string | null } | null };

const OUT = join(__dirname, '..', '..', 'test-output', 'e2e');
const truth = readTruth('pyvcf-1kg/1kg.sites.popsex.split.tsv');
const tmp = tempDir();
const suite = existsSync(CHROMIUM) ? describe : describe.skip;

suite('derived values on the page', () => {
  const nodes: TestNode[] = [];
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    // Three nodes, disjoint thirds of the samples, the panel with its declared sex column.
    const panel = readFileSync(realFile('pyvcf-1kg/1kg.panel.sex.txt'), 'utf8').split('\n').filter(Boolean);
    for (let k = 0; k < 3; k++) {
      const list = join(tmp.dir, `part${k}.txt`);
      writeFileSync(list, panel.filter((_, i) => i % 3 === k).map((l) => l.split('\t')[0]).join('\n') + '\n');
      const db = join(tmp.dir, `n${k}.db`);
      await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.sex.txt'), samples: list, inputs: [realFile('pyvcf-1kg/1kg.bgz.vcf.gz')] });
      nodes.push(await startNode(db));
    }
    broker = await startBroker('derived-broker', nodes.map((n, k) => peer(`n${k}`, n.api)), { cacheTtlMs: 0 });
    ({ browser, page } = await openPage(errors));
    await page.goto(broker.url + '/');
    await page.waitForSelector('#beacon:has-text("broker over")');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    for (const n of nodes) await n.close();
    tmp.cleanup();
  });

  test('a variant shows FAF95 per population, XX/XY AC/AN beside each population, and grpmax', async () => {
    const row = truth.rows.find((r) => Number(r.AC_EUR_XX) > 2 && Number(r.AC_EUR_XY) > 2 && Number(r.AC_AFR_XX) > 0)!;
    const id = `${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`;
    await page.fill('#q', id);
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => !document.querySelector('#result')?.textContent?.includes('Searching'));
    expect(await page.textContent('article.variant h2')).toBe(id);
    const heads = await page.$$eval('article.variant table.populations.main thead th', (ths) => ths.map((t) => t.textContent));
    expect(heads).toEqual(expect.arrayContaining(['FAF95', 'XX AC/AN', 'XY AC/AN']));
    const cell = (pop: string, col: string) => page.$eval(`article.variant table.populations.main tr[data-population="${pop}"] [data-col=${col}]`, (td) => td.textContent);
    // XX/XY beside the population, equal to bcftools on the whole cohort.
    expect((await cell('EUR', 'xx'))!.replace(/,/g, '')).toBe(`${row.AC_EUR_XX}/${row.AN_EUR_XX}`);
    expect((await cell('EUR', 'xy'))!.replace(/,/g, '')).toBe(`${row.AC_EUR_XY}/${row.AN_EUR_XY}`);
    expect((await cell('Total', 'xx'))!.replace(/,/g, '')).toBe(`${row.AC_XX}/${row.AN_XX}`);
    // FAF95 as the broker computed it from the pooled counts, to three digits.
    const json = recordsOf((await getJson(`${broker.api}/g_variants/${id}`)).body)[0]!;
    const pooled = json.frequencyInPopulations[0]!;
    for (const p of pooled.frequencies.filter((x) => x.faf95 !== undefined)) {
      expect(await cell(p.population, 'faf95')).toBe(p.faf95 === 0 ? '0' : p.faf95!.toPrecision(3));
    }
    // grpmax over AFR, AMR, EAS (EUR is not a gnomAD ancestry group) as the broker gives it.
    expect(pooled.grpmax).toBeDefined();
    expect(await page.textContent('article.variant [data-derived=grpmax]')).toContain(`grpmax: ${pooled.grpmax!.population}`);
    await page.screenshot({ path: join(OUT, 'variant-derived-1440.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
