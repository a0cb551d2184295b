/**
 * Issue 11, acceptance 1 (the page): in headless Chromium, a real VCF (the 1000 Genomes fixture,
 * gzip, 629 samples) is dropped on the annotate box of a real broker over three real nodes
 * (disjoint thirds of its samples); the downloaded annotated VCF keeps every record in order and
 * carries the whole-cohort AC and AN of the bcftools truth file on every ALT; the TSV download the
 * same. A pasted list of ids is annotated too, and a bad line is named, not sent.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, openPage } from '../helpers/browser-page';
import { realFile, tempDir } from '../helpers/fixtures';
import { peer, startBroker, startThreeNodes, type TestBroker } from '../helpers/federation';
import type { TestNode } from '../helpers/node-server';
import { allelesOfTsv, allelesOfVcf, compareWithTruth, layoutProblems, readVcfText } from '../helpers/annotated-vcf';

/** The browser globals the page.evaluate callback below uses (the tree's lib has no DOM). */
declare class DataTransfer {
  items: { add(f: unknown): void };
}
declare class File {
  constructor(parts: unknown[], name: string, o: { type: string });
}
declare class DragEvent {
  constructor(type: string, o: { dataTransfer: DataTransfer; bubbles: boolean });
}
declare const document: { getElementById(id: string): { dispatchEvent(e: unknown): void } };
declare function atob(s: string): string;
declare const Uint8Array: { from(s: string, f: (c: string) => number): unknown };

const OUT = join(__dirname, '..', '..', 'test-output', 'e2e');
const INPUT = realFile('pyvcf-1kg/1kg.vcf.gz');
const TRUTH = 'pyvcf-1kg/1kg.sites.pop.split.tsv';
const tmp = tempDir();
const suite = existsSync(CHROMIUM) ? describe : describe.skip;

suite('the annotate box in Chromium', () => {
  let nodes: TestNode[];
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    nodes = await startThreeNodes(tmp.dir, [{ id: 'kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt' }]);
    // Generous deadlines: the nodes, the broker and the browser share a loaded test machine (a timeout here is not what is tested).
    broker = await startBroker('annotate-broker', nodes.map((n, k) => peer(`n${k}`, n.api, { timeoutMs: 30_000 })), { cacheTtlMs: 0, deadlineMs: 30_000 });
    ({ browser, page } = await openPage(consoleErrors, { acceptDownloads: true }));
    await page.goto(broker.url + '/');
    await page.waitForSelector('#annotate-drop');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    for (const n of nodes ?? []) await n.close().catch(() => undefined);
    tmp.cleanup();
  });

  async function download(format: 'vcf' | 'tsv'): Promise<string> {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(`a.download[data-format=${format}]`)]);
    return readFileSync((await d.path())!, 'utf8');
  }

  test('drop a VCF: the annotated VCF and the TSV downloads carry the whole-cohort counts on every record', async () => {
    const b64 = readFileSync(INPUT).toString('base64');
    await page.evaluate((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], '1kg.vcf.gz', { type: 'application/gzip' }));
      document.getElementById('annotate-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));
    }, b64);
    expect(await page.textContent('#annotate-file-name')).toMatch(/^1kg\.vcf\.gz \(/);
    await page.click('#annotate-go');
    await page.waitForSelector('a.download[data-format=vcf]');
    expect(await page.textContent('#annotate-status')).toMatch(/^381 variants: 381 found in the federation, 0 not found\.$/);
    expect(await page.getAttribute('a.download[data-format=vcf]', 'download')).toBe('1kg.annotated.vcf');
    const vcf = await download('vcf');
    expect(layoutProblems(readVcfText(INPUT), vcf)).toEqual([]);
    const fromVcf = compareWithTruth(allelesOfVcf(vcf), TRUTH);
    expect(fromVcf.problems).toEqual([]);
    expect(fromVcf.rows).toBe(381);
    const tsv = await download('tsv');
    expect(compareWithTruth(allelesOfTsv(tsv), TRUTH).problems).toEqual([]);
    await page.screenshot({ path: join(OUT, 'annotate-1440.png'), fullPage: true });
  });

  test('paste ids: annotated, one unknown variant counted; a malformed line is named and nothing is sent', async () => {
    await page.reload();
    await page.waitForSelector('#annotate-drop');
    await page.fill('#annotate-paste', '2-10297-G-T\nnot a variant');
    await page.click('#annotate-go');
    await page.waitForSelector('#annotate-status.error');
    expect(await page.textContent('#annotate-status')).toContain("line 2: 'not a variant' is not a variant");
    // 2-123-A-G: a position no node's VCF has (an unseen ALT at a called site would be AC 0 of the site's AN: found).
    await page.fill('#annotate-paste', '2-10297-G-T\n2-123-A-G');
    await page.fill('#annotate-pops', 'EUR');
    await page.click('#annotate-go');
    await page.waitForSelector('a.download[data-format=tsv]');
    expect(await page.textContent('#annotate-status')).toBe('2 variants: 1 found in the federation, 1 not found.');
    const rows = allelesOfTsv(await download('tsv'));
    expect(rows.map((r) => [r.alt, r.values.get('AFB_AC_EUR') !== '.'])).toEqual([['T', true], ['G', false]]);
    expect([...rows[0]!.values.keys()].filter((k) => !/withheld|missing/.test(k))).toEqual(['AFB_AC_EUR', 'AFB_AN_EUR', 'AFB_AF_EUR', 'AFB_nhomalt_EUR', 'AFB_nhemi_EUR', 'AFB_faf95_EUR', 'AFB_faf99_EUR']);
    expect(consoleErrors).toEqual([]);
  });
});
