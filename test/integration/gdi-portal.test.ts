/**
 * Acceptance 2 (issue 10): the GDI portal's exact requests (as its dataset-discovery service builds
 * them from the frontend's input: full variant, position only, lower-case bases) against a node
 * and a broker at `/v2.0.0/g_variants`, read with the portal's own rules (test/helpers/gdi-portal.ts:
 * one row per frequency, the `Total` row as a dataset's number, M/F/country filters). Totals and
 * sex/country rows equal the bcftools truth; a broker with a peer down is visibly partial.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { responseErrors } from '../helpers/beacon-schemas';
import { postJson, startNode, type TestNode } from '../helpers/node-server';
import { freePort, peer, startBroker, type TestBroker } from '../helpers/federation';
import { ddsFilter, ddsRequestBody, ddsRows, portalSummary, type PortalSearch } from '../helpers/gdi-portal';

const tmp = tempDir();
const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
const COUNTRIES = ['FI', 'EE', 'JP'];
let thirds: TestNode[];
let whole: TestNode;
let broker: TestBroker;
let partial: TestBroker;

/** A panel of `sample<TAB>country<TAB>M|F`: countries by thirds (round robin), sex alternating. */
function panelLines(): { sample: string; country: string; sex: string; k: number }[] {
  const samples = readFileSync(realFile('pyvcf-1kg/1kg.panel.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
  return samples.map((sample, i) => ({ sample, country: COUNTRIES[i % 3]!, sex: Math.floor(i / 3) % 2 === 0 ? 'M' : 'F', k: i % 3 }));
}

beforeAll(async () => {
  const lines = panelLines();
  const ingest = async (db: string, rows: typeof lines) => {
    const panel = join(tmp.dir, `${db}.panel.tsv`);
    writeFileSync(panel, rows.map((r) => `${r.sample}\t${r.country}\t${r.sex}`).join('\n') + '\n');
    await ingestVcf({ db: join(tmp.dir, db), dataset: 'kg', assembly: 'GRCh37', name: '1000 Genomes (pyvcf example)', panel, inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
    return join(tmp.dir, db);
  };
  whole = await startNode(await ingest('whole.db', lines), { beaconId: 'org.example.whole' });
  thirds = [];
  for (let k = 0; k < 3; k++) thirds.push(await startNode(await ingest(`n${k}.db`, lines.filter((l) => l.k === k)), { beaconId: `org.example.${COUNTRIES[k]!.toLowerCase()}` }));
  broker = await startBroker('org.example.broker', thirds.map((n, k) => peer(COUNTRIES[k]!.toLowerCase(), n.api)), { cacheTtlMs: 0 });
  const dead = await freePort();
  partial = await startBroker('org.example.partial', [peer('fi', thirds[0]!.api), peer('ee', thirds[1]!.api), peer('jp', `http://127.0.0.1:${dead}/api`)], { cacheTtlMs: 0, failureThreshold: 100 });
}, 120_000);

afterAll(async () => {
  await broker.close();
  await partial.close();
  for (const n of [...thirds, whole]) await n.close();
  tmp.cleanup();
});

/** The portal's search against `server` (its base as the portal is configured with it): rows after the DDS filter and the summary per label. */
async function portal(server: string, s: PortalSearch) {
  const { status, body } = await postJson(`${server}/v2.0.0/g_variants`, ddsRequestBody(s));
  expect(status).toBe(200);
  expect(responseErrors(body)).toEqual([]);
  const rows = ddsFilter(ddsRows(body), s);
  return { body, rows, summary: portalSummary(rows) };
}

// Rows of the truth with carriers, a few spread over the file.
const hits = truth.rows.filter((r) => Number(r.AC) > 0);
const picked = [hits[0]!, hits[Math.floor(hits.length / 2)]!, hits[hits.length - 1]!];

describe.each([
  ['node', () => whole.url],
  ['node (base /api)', () => whole.api],
  ['broker', () => broker.url],
])('%s', (_name, base) => {
  test.each(picked.map((r) => [`${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`, r] as const))('%s: the portal total equals the truth; sex and country rows add up to it', async (id, row) => {
    const all = await portal(base(), { input: id, assemblyId: 'GRCh37', sex: 'ALL', countryOfBirth: 'ALL' });
    // The label is the one the portal gives EGA's answer for the same variant.
    expect([...all.summary.keys()]).toEqual([id]);
    expect(all.summary.get(id)).toMatchObject({ alleleCount: Number(row.AC), alleleNumber: Number(row.AN) });
    let ac = 0;
    let an = 0;
    for (const sex of ['M', 'F']) {
      const s = (await portal(base(), { input: id, assemblyId: 'GRCh37', sex, countryOfBirth: 'ALL' })).summary.get(id)!;
      ac += s.alleleCount!;
      an += s.alleleNumber!;
    }
    expect([ac, an]).toEqual([Number(row.AC), Number(row.AN)]);
    ac = 0;
    an = 0;
    for (const country of COUNTRIES) {
      const s = (await portal(base(), { input: id, assemblyId: 'GRCh37', sex: 'ALL', countryOfBirth: country })).summary.get(id)!;
      ac += s.alleleCount!;
      an += s.alleleNumber!;
    }
    expect([ac, an]).toEqual([Number(row.AC), Number(row.AN)]);
  });

  test('lower-case bases and a position-only search find the same variant and total', async () => {
    const row = picked[0]!;
    const id = `${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`;
    const lower = await portal(base(), { input: `${row.CHROM}-${row.POS}-${row.REF!.toLowerCase()}-${row.ALT!.toLowerCase()}`, assemblyId: 'GRCh37', sex: 'ALL', countryOfBirth: 'ALL' });
    expect(lower.summary.get(id)).toMatchObject({ alleleCount: Number(row.AC), alleleNumber: Number(row.AN) });
    const position = await portal(base(), { input: `${row.CHROM}-${row.POS}`, assemblyId: 'GRCh37', sex: 'ALL', countryOfBirth: 'ALL' });
    const same = truth.rows.filter((r) => r.CHROM === row.CHROM && r.POS === row.POS);
    for (const r of same) {
      const s = position.summary.get(`${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
      if (Number(r.AN) > 0 || Number(r.AC) > 0) expect(s).toMatchObject({ alleleCount: Number(r.AC), alleleNumber: Number(r.AN) });
    }
  });
});

test('a broker answers the portal per contributor (node beaconId, dataset id) beside a pooled set that counts nothing twice', async () => {
  const row = picked[0]!;
  const id = `${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`;
  const { body, summary } = await portal(broker.url, { input: id, assemblyId: 'GRCh37' });
  const sets = body.response.resultSets as { beaconId: string; id: string }[];
  expect(sets.map((s) => `${s.beaconId} / ${s.id}`)).toEqual([
    'org.example.fi / kg',
    'org.example.ee / kg',
    'org.example.jp / kg',
    'org.example.broker (pooled) / POOLED (complete: 3 of 3 peers)',
  ]);
  expect(summary.get(id)!.datasets).toHaveLength(4);
  expect(summary.get(id)).toMatchObject({ alleleCount: Number(row.AC), alleleNumber: Number(row.AN) });
  // The pooled set carries the pooled frequency (AC/AN of the truth), no counts to sum again.
  const pooledTotal = (body.response.resultSets.at(-1).results[0].frequencyInPopulations[0].frequencies as any[]).find((f) => f.population === 'Total');
  expect(pooledTotal.alleleCount).toBeUndefined();
  expect(pooledTotal.alleleFrequency).toBeCloseTo(Number(row.AC) / Number(row.AN), 8);
});

test('a broker with a peer down is visibly partial in the fields the portal reads', async () => {
  const row = picked[0]!;
  const id = `${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`;
  const { rows, summary } = await portal(partial.url, { input: id, assemblyId: 'GRCh37', sex: 'ALL', countryOfBirth: 'ALL' });
  const pooled = rows.filter((r) => /POOLED/.test(r.datasetId ?? ''));
  expect(pooled.length).toBeGreaterThan(0);
  for (const r of pooled) {
    expect(r.datasetId).toBe('POOLED (PARTIAL: 2 of 3 peers (missing jp))');
    expect(r.beacon).toBe('org.example.partial (pooled, PARTIAL)');
  }
  // What the portal sums is the two nodes that answered, and it cannot read as the whole.
  expect(summary.get(id)!.alleleNumber).toBeLessThan(Number(row.AN));
  expect(summary.get(id)!.datasets).toEqual(expect.arrayContaining(['org.example.partial (pooled, PARTIAL) / POOLED (PARTIAL: 2 of 3 peers (missing jp))']));
});
