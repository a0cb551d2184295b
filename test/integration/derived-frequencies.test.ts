/**
 * Issue 13, FAF/grpmax and XX/XY, over real data and real HTTP:
 * - genotype mode with a panel that declares sex splits every population by sex; the counts equal
 *   bcftools +fill-tags on the same panel (test/fixtures/real/make_sex_split_truth.sh), and a node
 *   serves each population's XX/XY beside its own counts (JSON `sexSplit`, TSV columns);
 * - through a broker over three nodes with different counts, the pooled FAF95/FAF99 is the FAF of
 *   the pooled counts (and each node's, of its own), grpmax is taken over the pooled AFs.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { pos1ToStart0 } from '../../src/domain/coordinates';
import { filteringAlleleFrequency } from '../../src/domain/faf';
import { POOLED_DATASET_ID, type WireFrequencies, type WireRecord } from '../../src/beacon/record';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { compareWithTruth } from '../helpers/store-check';
import { getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, startThreeNodes, type TestBroker } from '../helpers/federation';
import { responseErrors } from '../helpers/beacon-schemas';

const tmp = tempDir();
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  tmp.cleanup();
});

const truth = readTruth('pyvcf-1kg/1kg.sites.popsex.split.tsv');
/** What the wire carries: the FAF to nine significant digits, none where AN is 0. */
function faf(ac: number, an: number, ci: number): number | undefined {
  const f = filteringAlleleFrequency(ac, an, ci);
  return f === undefined ? undefined : Number(f.toPrecision(9));
}
const ids = (rows: Record<string, string>[]) => rows.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);

describe('XX/XY in genotype mode', () => {
  const db = join(tmp.dir, 'sex.db');
  let node: TestNode;
  beforeAll(async () => {
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.sex.txt'), inputs: [realFile('pyvcf-1kg/1kg.bgz.vcf.gz')] });
    node = await startNode(db);
    closers.push(() => node.close());
  }, 60_000);

  test('every population x sex group equals bcftools +fill-tags on every row', async () => {
    const store = openStoreLookup(db);
    try {
      const { records } = await store.lookup.findAlleles(
        { assembly: 'GRCh37' },
        truth.rows.map((r) => ({ contig: r.CHROM!, start0: pos1ToStart0(Number(r.POS)), ref: r.REF!, alt: r.ALT! })),
      );
      expect(truth.columns).toContain('AC_EUR_XY');
      expect(compareWithTruth(truth, records, 'kg')).toEqual([]);
    } finally {
      store.close();
    }
  });

  test('a node serves each population with its XX/XY split beside it, in JSON and TSV', async () => {
    const rows = truth.rows.filter((r) => Number(r.AC_EUR_XX) > 0 && Number(r.AC_EUR_XY) > 0).slice(0, 5);
    expect(rows.length).toBe(5);
    const res = await postJson(`${node.api}/batch`, { variants: ids(rows) });
    expect(res.status).toBe(200);
    const records: WireRecord[] = res.body.results.map((x: { record: WireRecord }) => x.record);
    rows.forEach((row, i) => {
      const pops = records[i]!.frequencyInPopulations[0]!.frequencies;
      const eur = pops.find((p) => p.population === 'EUR')!;
      expect(eur.sexSplit?.XX).toMatchObject({ population: 'EUR_XX', alleleCount: Number(row.AC_EUR_XX), alleleNumber: Number(row.AN_EUR_XX) });
      expect(eur.sexSplit?.XY).toMatchObject({ population: 'EUR_XY', alleleCount: Number(row.AC_EUR_XY), alleleNumber: Number(row.AN_EUR_XY) });
      const total = pops.find((p) => p.population === 'Total')!;
      expect(total.sexSplit?.XX?.alleleCount).toBe(Number(row.AC_XX));
      expect(total.sexSplit?.XY?.alleleNumber).toBe(Number(row.AN_XY));
    });
    const tsv = await fetch(`${node.api}/g_variants?format=tsv&referenceName=${rows[0]!.CHROM}&start=${Number(rows[0]!.POS) - 1}&referenceBases=${rows[0]!.REF}&alternateBases=${rows[0]!.ALT}&assemblyId=GRCh37`);
    const lines = (await tsv.text()).trim().split('\n').map((l) => l.split('\t'));
    const header = lines[0]!;
    const eurRow = lines.find((l) => l[header.indexOf('population')] === 'EUR')!;
    expect(eurRow[header.indexOf('alleleCountXX')]).toBe(rows[0]!.AC_EUR_XX);
    expect(eurRow[header.indexOf('alleleNumberXY')]).toBe(rows[0]!.AN_EUR_XY);
    expect(Number(eurRow[header.indexOf('faf95')])).toBeCloseTo(filteringAlleleFrequency(Number(rows[0]!.AC_EUR_XX) + Number(rows[0]!.AC_EUR_XY), Number(rows[0]!.AN_EUR_XX) + Number(rows[0]!.AN_EUR_XY), 0.95)!, 12);
  });
});

describe('FAF and grpmax through a broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    const nodes = await startThreeNodes(tmp.dir, [{ id: 'kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt' }]);
    for (const n of nodes) closers.push(() => n.close());
    broker = await startBroker('b', nodes.map((n, k) => peer(`n${k}`, n.api)));
    closers.push(() => broker.close());
  }, 120_000);

  test('pooled FAF95/FAF99 = FAF of the pooled counts; each node entry, of its own; grpmax from the pooled AFs', async () => {
    const rows = truth.rows.filter((r) => Number(r.AC) >= 6).slice(0, 20);
    expect(rows.length).toBe(20);
    const res = await postJson(`${broker.api}/batch`, { variants: ids(rows) });
    expect(res.status).toBe(200);
    const records: WireRecord[] = res.body.results.map((x: { record: WireRecord }) => x.record);
    // And a plain g_variants answer through the broker carries them and stays a valid Beacon response.
    const one = await getJson(`${broker.api}/g_variants/${ids(rows)[0]}`);
    expect(responseErrors(one.body)).toEqual([]);
    expect(recordsOf(one.body)[0]!.frequencyInPopulations[0]!.frequencies[0]!.faf95).toBeDefined();
    let checked = 0;
    let grpmaxSeen = 0;
    for (const r of records) {
      const [pooled, ...own] = r.frequencyInPopulations as WireFrequencies[];
      expect(pooled!.datasetId).toBe(POOLED_DATASET_ID);
      for (const p of pooled!.frequencies) {
        // The pooled counts are the sums of the node entries' counts (the broker's rule) ...
        const parts = own.map((f) => f.frequencies.find((q) => q.population === p.population || q.populationCanonical === p.population)).filter((q) => q !== undefined);
        const ac = parts.reduce((s, q) => s + q.alleleCount!, 0);
        const an = parts.reduce((s, q) => s + q.alleleNumber!, 0);
        expect([p.alleleCount, p.alleleNumber]).toEqual([ac, an]);
        // ... and the FAF is that of the sums, not a sum or maximum of the nodes' FAFs.
        expect(p.faf95).toBe(faf(ac, an, 0.95));
        expect(p.faf99).toBe(faf(ac, an, 0.99));
        checked++;
      }
      for (const f of own) for (const p of f.frequencies) expect(p.faf95).toBe(faf(p.alleleCount!, p.alleleNumber!, 0.95));
      const eligible = pooled!.frequencies.filter((p) => ['AFR', 'AMR', 'EAS', 'SAS'].includes(p.population) && p.alleleCount! > 0);
      if (eligible.length > 0) {
        const best = eligible.reduce((a, b) => (b.alleleCount! / b.alleleNumber! > a.alleleCount! / a.alleleNumber! ? b : a));
        expect(pooled!.grpmax).toMatchObject({ population: best.population, alleleCount: best.alleleCount, alleleNumber: best.alleleNumber });
        grpmaxSeen++;
      } else expect(pooled!.grpmax).toBeUndefined();
    }
    expect(checked).toBeGreaterThan(60);
    expect(grpmaxSeen).toBeGreaterThan(10);
    // The same numbers in the broker's TSV.
    const tsv = await (await fetch(`${broker.api}/batch?format=tsv`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variants: ids(rows.slice(0, 1)) }) })).text();
    const lines = tsv.trim().split('\n').map((l) => l.split('\t'));
    const h = lines[0]!;
    const pooledTotal = lines.find((l) => l[h.indexOf('datasetId')] === POOLED_DATASET_ID && l[h.indexOf('population')] === 'Total')!;
    const ac = Number(pooledTotal[h.indexOf('alleleCount')]);
    const an = Number(pooledTotal[h.indexOf('alleleNumber')]);
    expect(Number(pooledTotal[h.indexOf('faf95')])).toBe(faf(ac, an, 0.95));
  });
});

