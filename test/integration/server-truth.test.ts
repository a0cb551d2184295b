/**
 * Node server, acceptance 3: over HTTP, every row of every truth TSV comes back with exactly its
 * counts per population (batch for all rows, one GET per row for the two small sets); the same
 * variant written as chr22/22/RefSeq, 0-based Beacon or 1-based id, padded or trimmed, lower case
 * is found; a range returns every stored variant overlapping it, long deletions included; an
 * unknown contig is named in the error.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { readTruth, realFile, tempDir, type TruthTable } from '../helpers/fixtures';
import { compareWithTruth, oldMultiallelicIndex } from '../helpers/store-check';
import { fromWire, getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import type { VariantRecord } from '../../src/domain/lookup';
import type { WireRecord } from '../../src/beacon/record';

const tmp = tempDir();
let node: TestNode;

const SETS = [
  { id: 'chr22', dir: 'variantannotation', vcf: 'chr22.vcf.gz', panel: 'chr22.panel.txt', truth: 'chr22.sites.pop.split.tsv', sites: 'chr22.sites.pop.vcf.gz' },
  { id: 'hapmap', dir: 'variantannotation', vcf: 'hapmap_exome_chr22.vcf.gz', panel: 'hapmap_exome_chr22.panel.txt', truth: 'hapmap_exome_chr22.sites.pop.split.tsv', sites: 'hapmap_exome_chr22.sites.pop.vcf.gz' },
  { id: 'kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt', truth: '1kg.sites.pop.split.tsv', sites: '1kg.sites.pop.vcf.gz' },
  { id: 'indels', dir: 'pysam-1kg-indels', vcf: '15.vcf.gz', panel: '15.panel.txt', truth: '15.sites.pop.split.tsv', sites: '15.sites.pop.vcf.gz' },
];

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  for (const s of SETS) {
    await ingestVcf({ db, dataset: s.id, assembly: 'GRCh37', panel: realFile(`${s.dir}/${s.panel}`), inputs: [realFile(`${s.dir}/${s.vcf}`)] });
    await ingestVcf({ db, dataset: `${s.id}-sites`, assembly: 'GRCh37', inputs: [realFile(`${s.dir}/${s.sites}`)] });
  }
  await ingestVcf({ db, dataset: 'exac', assembly: 'GRCh37', inputs: [realFile('vcfanno-exac-gnomad/exac.vcf.gz')] });
  await ingestVcf({ db, dataset: 'gno', assembly: 'GRCh37', inputs: [realFile('vcfanno-exac-gnomad/gno.vcf.gz')] });
  node = await startNode(db);
}, 120_000);
afterAll(async () => {
  await node.close();
  tmp.cleanup();
});

/** All truth rows through POST /api/batch (1-based ids, as researchers paste them), in chunks under the cap. */
async function viaBatch(truth: TruthTable): Promise<(VariantRecord | undefined)[]> {
  const out: (VariantRecord | undefined)[] = [];
  for (let i = 0; i < truth.rows.length; i += 5000) {
    const chunk = truth.rows.slice(i, i + 5000);
    const { status, body } = await postJson(node.api + '/batch', { assemblyId: 'GRCh37', variants: chunk.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`) });
    expect(status).toBe(200);
    out.push(...(body.results as { record?: WireRecord }[]).map((r) => fromWire(r.record)));
  }
  return out;
}

describe.each(SETS)('$id', (s) => {
  const truth = readTruth(`${s.dir}/${s.truth}`);
  test('batch over HTTP: genotype-mode and sites-mode datasets equal the truth on every row and population', async () => {
    const records = await viaBatch(truth);
    expect(compareWithTruth(truth, records, s.id)).toEqual([]);
    expect(compareWithTruth(truth, records, `${s.id}-sites`)).toEqual([]);
  });
});

test.each([
  { id: 'exac', truth: 'exac.split.tsv', homGroup: 'Adj' },
  { id: 'gno', truth: 'gno.split.tsv', homGroup: 'Total' },
])('batch over HTTP: $id equals $truth', async ({ id, truth: file, homGroup }) => {
  const truth = readTruth(`vcfanno-exac-gnomad/${file}`);
  const records = await viaBatch(truth);
  expect(compareWithTruth(truth, records, id, homGroup, oldMultiallelicIndex(`vcfanno-exac-gnomad/${id}.vcf.gz`))).toEqual([]);
});

test.each(SETS.filter((s) => s.id === 'kg' || s.id === 'indels'))('one Beacon sequence query per row ($id): 0-based start, counts equal the truth', async (s) => {
  const truth = readTruth(`${s.dir}/${s.truth}`);
  const records: (VariantRecord | undefined)[] = [];
  for (const r of truth.rows) {
    const qs = `referenceName=${r.CHROM}&start=${Number(r.POS) - 1}&referenceBases=${r.REF}&alternateBases=${r.ALT}&assemblyId=GRCh37`;
    const { status, body } = await getJson(`${node.api}/g_variants?${qs}`);
    expect(status).toBe(200);
    records.push(fromWire(recordsOf(body)[0]));
  }
  expect(compareWithTruth(truth, records, s.id)).toEqual([]);
});

describe('one variant, many writings', () => {
  // 22:50300078 A>G (rs7410291) is in chr22.vcf.gz; 20:41543685 CTAAGGAGGGAAAAAGATATAAT>C is a 22-base deletion in 15.vcf.gz.
  const snv = 'GRCh37:22-50300078-A-G';
  test.each([
    'referenceName=22&start=50300077&referenceBases=A&alternateBases=G',
    'referenceName=chr22&start=50300077&referenceBases=a&alternateBases=g',
    'referenceName=NC_000022.10&start=50300077&referenceBases=A&alternateBases=G',
    'referenceName=refseq:NC_000022.10&start=50300077&referenceBases=A&alternateBases=G&assemblyId=hg19',
    'referenceName=22&start=50300077&alternateBases=G',
  ])('%s', async (qs) => {
    const { status, body } = await getJson(`${node.api}/g_variants?${qs}`);
    expect(status).toBe(200);
    expect(recordsOf(body).map((r) => r.variantInternalId)).toEqual([snv]);
  });
  test.each(['22-50300078-A-G', 'chr22-50300078-a-g', 'GRCh37:22-50300078-A-G', '22:50300078:A:G'])('GET /g_variants/%s (1-based id)', async (id) => {
    const { body } = await getJson(`${node.api}/g_variants/${encodeURIComponent(id)}`);
    expect(recordsOf(body).map((r) => r.variantInternalId)).toEqual([snv]);
  });
  test.each([
    ['VCF-padded', 'start=41543684&referenceBases=CTAAGGAGGGAAAAAGATATAAT&alternateBases=C'],
    ['trimmed (empty alternate)', 'start=41543685&referenceBases=TAAGGAGGGAAAAAGATATAAT&alternateBases=-'],
    ['padded on both sides', 'start=41543684&referenceBases=CTAAGGAGGGAAAAAGATATAATG&alternateBases=CG'],
  ])('a long deletion written %s is found', async (_how, qs) => {
    const { body } = await getJson(`${node.api}/g_variants?referenceName=20&${qs}`);
    const recs = recordsOf(body);
    expect(recs.map((r) => r.variantId)).toEqual(['20-41543685-CTAAGGAGGGAAAAAGATATAAT-C']);
  });
});

test('a range query returns every stored variant overlapping it, including deletions that start before it', async () => {
  const truth = readTruth('pysam-1kg-indels/15.sites.pop.split.tsv');
  const spans = truth.rows.map((r) => ({ id: `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`, start0: Number(r.POS) - 1, end0: Number(r.POS) - 1 + r.REF!.length }));
  const longOnes = spans.filter((s) => s.end0 - s.start0 > 6).slice(0, 5);
  expect(longOnes.length).toBe(5);
  for (const del of longOnes) {
    // A window that starts inside the deletion, after its first base.
    const [s0, e0] = [del.start0 + 5, del.start0 + 5000];
    const expected = spans.filter((s) => s.start0 < e0 && s.end0 > s0).map((s) => s.id).sort();
    const { body } = await getJson(`${node.api}/g_variants?referenceName=20&start=${s0}&end=${e0}&limit=0&datasetIds=indels`);
    const got = recordsOf(body).map((r) => r.variantId).sort();
    expect(got).toEqual(expected);
    expect(got).toContain(del.id);
  }
});

test('an unknown contig gets a message that says so', async () => {
  const { status, body } = await getJson(`${node.api}/g_variants?referenceName=chr7&start=100&end=200`);
  expect(status).toBe(400);
  expect(body.error.errorMessage).toMatch(/contig '7' is not in any GRCh37 dataset here; they hold 1, 2, 20, 22/);
});
