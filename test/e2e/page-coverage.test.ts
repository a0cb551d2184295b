/**
 * Issue 13, acceptance 6 (the coverage part) and the page's gene search, in headless Chromium
 * (Debian's, driven by playwright-core): a broker over two real 1000 Genomes nodes with different
 * callable regions (one also holding the gnomAD sites fixture on chr1), each with the GENCODE v19
 * gene table excerpt. The page
 * must show "0 of N alleles" where a node covered a position and "not covered" where it did not,
 * AF "–" where AN is 0, and list a gene's variants from its symbol. Truth: bcftools TSVs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, openPage } from '../helpers/browser-page';
import { ingestVcf } from '../../src/ingest';
import { openForWrite } from '../../src/store/open';
import { writeGenes } from '../../src/store';
import { readGeneFile } from '../../src/config/gene-file';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { peer, startBroker, type TestBroker } from '../helpers/federation';
import { startNode, type TestNode } from '../helpers/node-server';

declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
};

const OUT = join(__dirname, '..', '..', 'test-output', 'e2e');
const GENES = join(__dirname, '..', 'fixtures', 'genes');
const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
const FULL = Math.max(...truth.rows.map((r) => Number(r.AN)));
const tmp = tempDir();
const suite = existsSync(CHROMIUM) ? describe : describe.skip;

suite('covered vs absent and gene search on the page', () => {
  const nodes: TestNode[] = [];
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const genes = await readGeneFile(join(GENES, 'gencode-v19.gtf'));
    const specs = [
      { id: 'fi', bed: '2\t10000\t20000\n' },
      { id: 'ee', bed: '2\t15000\t40500\n' },
    ];
    for (const s of specs) {
      const db = join(tmp.dir, `${s.id}.db`);
      const callable = join(tmp.dir, `${s.id}.bed`);
      writeFileSync(callable, s.bed);
      await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), callable, inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
      // fi also holds gnomAD sites on chr1 (no coverage declared), where the gene lies.
      if (s.id === 'fi') await ingestVcf({ db, dataset: 'gno', assembly: 'GRCh37', inputs: [realFile('vcfanno-exac-gnomad/gno.vcf.gz')] });
      const w = openForWrite(db);
      writeGenes(w, 'GRCh37', genes);
      w.close();
      nodes.push(await startNode(db, { beaconId: s.id }));
    }
    // A generous peer timeout: the first gene answer renders FAF and VRS ids for 127 gnomAD records, which
    // takes over a second on a loaded machine; this test is about what the page shows, not speed.
    broker = await startBroker('cov-broker', specs.map((s, i) => peer(s.id, nodes[i]!.api, { timeoutMs: 15_000 })), { cacheTtlMs: 0, deadlineMs: 20_000 });
    ({ browser, page } = await openPage(consoleErrors));
    await page.goto(broker.url + '/');
    await page.waitForSelector('#beacon:has-text("broker over")');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    for (const n of nodes) await n.close().catch(() => undefined);
    tmp.cleanup();
  });

  async function searchFor(text: string): Promise<void> {
    await page.fill('#q', text);
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => !document.querySelector('#result')?.textContent?.includes('Searching'));
  }

  const rows = () => page.$$eval('table.coverage tbody tr', (trs) => trs.map((t) => [t.getAttribute('data-coverage'), t.getAttribute('data-dataset'), t.querySelector('[data-col=status]')!.textContent, t.querySelector('[data-col=af]')!.textContent]));
  const n = (x: number) => x.toLocaleString('en-US');

  test('covered at one node, not at the other: "0 of N" vs "not covered", and no hit', async () => {
    await searchFor('2-12500-A-G');
    expect(await page.$('article.variant')).toBeNull();
    expect(await rows()).toEqual([
      ['pooled', 'pooled', `0 of ${n(FULL)} alleles`, '0'],
      ['absent', 'fi:kg', `0 of ${n(FULL)} alleles`, '0'],
      ['not-covered', 'ee:kg', 'not covered', '–'],
    ]);
    expect(await page.textContent('article.coverage h2')).toBe('2-12500-A-G');
    await page.screenshot({ path: join(OUT, 'coverage-absent-vs-not-covered.png'), fullPage: true });
    // On a phone the card fits (tables scroll inside their own box).
    await page.setViewportSize({ width: 375, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUT, 'coverage-375.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 1000 });
  });

  test('another allele at a called site: 0 of the site\'s AN at both nodes, pooled over both', async () => {
    const site = truth.rows.find((r) => r.POS === '20016')!;
    await searchFor('2-20016-C-G');
    expect(await rows()).toEqual([
      ['pooled', 'pooled', `0 of ${n(2 * Number(site.AN))} alleles`, '0'],
      ['absent', 'fi:kg', `0 of ${n(Number(site.AN))} alleles`, '0'],
      ['absent', 'ee:kg', `0 of ${n(Number(site.AN))} alleles`, '0'],
    ]);
  });

  test('AF is "–", not 0, where AN is 0', async () => {
    const zero = truth.rows.find((r) => r.AN === '0')!;
    await searchFor(`2-${zero.POS}-${zero.REF}-${zero.ALT}`);
    const total = await page.$eval('article.variant table.populations.main tr[data-population=Total]', (tr) => [tr.querySelector('[data-col=an]')!.textContent, tr.querySelector('[data-col=af]')!.textContent]);
    expect(total).toEqual(['0', '–']);
  });

  test('a gene symbol lists the variants inside the gene (GENCODE v19 DDX11L1 over the gnomAD fixture)', async () => {
    const want = readFileSync(join(GENES, 'DDX11L1.gno.truth.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).length;
    await searchFor('ddx11l1');
    expect(await page.textContent('article.region h2')).toBe('DDX11L1');
    const listed = await page.$$eval('table.variants tbody tr', (trs) => trs.length);
    expect(listed).toBe(want);
    expect(await page.getAttribute('a:has-text("JSON")', 'href')).toBe('api/g_variants?geneId=DDX11L1&limit=1000&requestedGranularity=record');
    await page.screenshot({ path: join(OUT, 'gene.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
