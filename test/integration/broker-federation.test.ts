/**
 * Broker, acceptance 1, 2 and 4: the federation oracle over HTTP. Three real nodes hold disjoint
 * thirds of the samples of a real genotype VCF; the broker's pooled counts per population must
 * equal bcftools' counts over the whole cohort, on every truth row, with each node's own counts
 * beside them. The same through two levels of brokers and between two brokers that list each
 * other. Every broker response validates against the official Beacon v2 schemas.
 */
import { POOLED_DATASET_ID, type WireRecord } from '../../src/beacon/record';
import { readTruth, tempDir, type TruthTable } from '../helpers/fixtures';
import { responseErrors, schemaErrors } from '../helpers/beacon-schemas';
import { getJson, postJson, recordsOf, type TestNode } from '../helpers/node-server';
import { freePort, peer, startBroker, startThreeNodes, type TestBroker } from '../helpers/federation';

const SETS = [
  { id: 'kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt', truth: '1kg.sites.pop.split.tsv' },
  { id: 'indels', dir: 'pysam-1kg-indels', vcf: '15.vcf.gz', panel: '15.panel.txt', truth: '15.sites.pop.split.tsv' },
];

const tmp = tempDir();
let nodes: TestNode[];
const brokers: TestBroker[] = [];

beforeAll(async () => {
  nodes = await startThreeNodes(tmp.dir, SETS);
}, 120_000);
afterAll(async () => {
  for (const b of brokers) await b.close();
  for (const n of nodes) await n.close();
  tmp.cleanup();
});

async function broker(id: string, peers: ReturnType<typeof peer>[], port = 0): Promise<TestBroker> {
  const b = await startBroker(id, peers, {}, port);
  brokers.push(b);
  return b;
}

function nodePeers(which = [0, 1, 2]) {
  return which.map((k) => peer(`n${k}`, nodes[k]!.api));
}

/** Every mismatch between the pooled entry and the truth row (AC/AN per population), and missing node entries. */
function checkPooled(truth: TruthTable, records: (WireRecord | undefined)[], ownPrefixes: string[]): string[] {
  const problems: string[] = [];
  truth.rows.forEach((row, i) => {
    const where = `${row.CHROM}:${row.POS} ${row.REF}>${row.ALT}`;
    const rec = records[i];
    if (!rec) return void problems.push(`${where}: not found`);
    const [pooled, ...own] = rec.frequencyInPopulations;
    if (!pooled || pooled.datasetId !== POOLED_DATASET_ID) return void problems.push(`${where}: no pooled entry first`);
    for (const col of truth.columns.slice(4)) {
      const m = /^(AC|AN)(?:_(.+))?$/.exec(col)!;
      const pop = pooled.frequencies.find((p) => p.population === (m[2] ?? 'Total'));
      const got = m[1] === 'AC' ? pop?.alleleCount : pop?.alleleNumber;
      if (got !== Number(row[col])) problems.push(`${where}: pooled ${col} ${got} != ${row[col]}`);
    }
    for (const prefix of ownPrefixes) {
      if (!own.some((e) => e.datasetId.startsWith(prefix))) problems.push(`${where}: no entry from ${prefix}`);
    }
  });
  return problems;
}

async function batch(api: string, truth: TruthTable): Promise<(WireRecord | undefined)[]> {
  const { status, body } = await postJson(api + '/batch', { assemblyId: 'GRCh37', variants: truth.rows.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`) });
  expect(status).toBe(200);
  return (body.results as { record?: WireRecord }[]).map((r) => r.record);
}

describe.each(SETS)('$id', (set) => {
  const truth = readTruth(`${set.dir}/${set.truth}`);

  test('one broker over three nodes: pooled counts equal the whole-cohort truth on every row; each node present', async () => {
    const b = await broker(`b-${set.id}`, nodePeers());
    const records = await batch(b.api, truth);
    expect(checkPooled(truth, records, ['n0:', 'n1:', 'n2:'])).toEqual([]);
    // Each node's own counts are its third: they add up to the pooled Total.
    const r0 = records[0]!;
    const own = r0.frequencyInPopulations.slice(1).filter((e) => e.datasetId.endsWith(`:${set.id}`));
    const total = (e: (typeof own)[number]) => e.frequencies.find((p) => p.population === 'Total')!.alleleNumber!;
    expect(own.reduce((n, e) => n + total(e), 0)).toBe(r0.frequencyInPopulations[0]!.frequencies.find((p) => p.population === 'Total')!.alleleNumber);
  });

  test('two levels: a broker over (a broker over two nodes) and the third node gives the same pooled counts', async () => {
    const lower = await broker(`lower-${set.id}`, nodePeers([0, 1]));
    const upper = await broker(`upper-${set.id}`, [peer('lower', lower.api), peer('n2', nodes[2]!.api)]);
    const records = await batch(upper.api, truth);
    expect(checkPooled(truth, records, ['lower/n0:', 'lower/n1:', 'n2:'])).toEqual([]);
  });

  test('two brokers listing each other (and the same nodes) terminate, with no double counting', async () => {
    const portB = await freePort();
    const a = await broker(`a-${set.id}`, [...nodePeers(), peer('b', `http://127.0.0.1:${portB}/api`)]);
    const b = await broker(`b2-${set.id}`, [...nodePeers(), peer('a', a.api)], portB);
    for (const [first, other] of [[a, 'b'], [b, 'a']] as const) {
      const records = await batch(first.api, truth);
      expect(checkPooled(truth, records, ['n0:', 'n1:', 'n2:'])).toEqual([]);
      const row = truth.rows[0]!;
      const one = await getJson(`${first.api}/g_variants/${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`);
      const peers: { peer: string; status: string }[] = one.body.info.afb.peers;
      expect(peers.map((p) => `${p.peer}:${p.status}`)).toEqual(['n0:ok', 'n1:ok', 'n2:ok', `${other}:ok`]);
      // The other broker's entries for the same nodes are recognised by origin and not pooled twice.
      expect(recordsOf(one.body)[0]!.frequencyInPopulations[0]!.contributors).toEqual(['n0:' + set.id, 'n1:' + set.id, 'n2:' + set.id]);
    }
  });
});

test('broker responses validate against the official schemas, at every granularity and for errors', async () => {
  const b = await broker('b-schemas', nodePeers());
  for (const path of ['/g_variants', '/g_variants/2-10038-C-A', '/g_variants?referenceName=20&start=0&end=5000000&limit=5', '/g_variants/rs6054257']) {
    for (const g of ['boolean', 'count', 'record']) {
      const sep = path.includes('?') ? '&' : '?';
      const { status, body } = await getJson(`${b.api}${path}${sep}requestedGranularity=${g}`);
      expect(status).toBe(200);
      expect(responseErrors(body)).toEqual([]);
    }
  }
  const range = await getJson(`${b.api}/g_variants?referenceName=20&start=0&end=5000000&limit=5`);
  expect(recordsOf(range.body).length).toBe(5);
  expect(range.body.responseSummary.numTotalResults).toBeGreaterThan(5);
  for (const [path, schema] of [['/info', 'info'], ['/service-info', 'serviceInfo'], ['/map', 'map'], ['/configuration', 'configuration'], ['/entry_types', 'entryTypes'], ['/filtering_terms', 'filteringTerms']] as const) {
    expect(schemaErrors(schema, (await getJson(b.api + path)).body)).toEqual([]);
  }
  const bad = await getJson(`${b.api}/g_variants?referenceName=20&start=abc&end=5`);
  expect(bad.status).toBe(400);
  expect(responseErrors(bad.body)).toEqual([]);
  const net = await getJson(`${b.api}/network`);
  expect(net.body.peers.map((p: { id: string; state: string }) => `${p.id}:${p.state}`)).toEqual(['n0:up', 'n1:up', 'n2:up']);
});

test('range and rsID lookups through the broker: exactly the variants of the range, pooled like single lookups', async () => {
  const b = await broker('b-range', nodePeers());
  const truth = readTruth('pysam-1kg-indels/15.sites.pop.split.tsv');
  // 0-based half-open [0, 5,000,000) on chr20: every truth row whose REF span overlaps it.
  const expected = truth.rows
    .filter((r) => r.CHROM === '20' && Number(r.POS) - 1 < 5_000_000)
    .map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
  const { body } = await getJson(`${b.api}/g_variants?referenceName=20&start=0&end=5000000&limit=1000`);
  const recs = recordsOf(body);
  expect(recs.map((r) => r.variantId)).toEqual(expected);
  expect(body.responseSummary.numTotalResults).toBe(expected.length);
  const sub: TruthTable = { columns: truth.columns, rows: truth.rows.filter((r) => expected.includes(`${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`)) };
  expect(checkPooled(sub, recs, ['n0:', 'n1:', 'n2:'])).toEqual([]);

  const kg = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
  const byRs = await getJson(`${b.api}/g_variants/rs28804817`);
  const rsRecs = recordsOf(byRs.body);
  expect(rsRecs.map((r) => r.variantId)).toEqual(['2-10587-C-G']);
  expect(checkPooled({ columns: kg.columns, rows: kg.rows.filter((r) => r.POS === '10587') }, rsRecs, ['n0:', 'n1:', 'n2:'])).toEqual([]);
});
