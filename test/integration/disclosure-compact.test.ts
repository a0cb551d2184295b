/**
 * Issue 11: access levels and disclosure control hold on afb-counts/1 exactly as on Beacon answers.
 * By attack: an anonymous caller under a k = 5 policy asks the compact door for everything (a scan
 * with counts, the keys, and every variant by alleles), directly at a node and at brokers (a broker
 * over a node, a broker over that broker, each under k = 5), and compares cell by cell with what the
 * Beacon door of the same server gives it: the compact door shows no cell the Beacon door withholds
 * (the same cells, the same values), and no visible count is in 1..k-1. The same requests to open
 * servers show small cells for these variants, so the comparison can fail. The same requests on the
 * afb-counts/1 stream (one connection, declarations shared) give the same cells.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { disclosureFor } from '../../src/pipeline';
import { CountsReader, ReadDeclarations } from '../../src/beacon/counts-lines';
import type { AccessPolicy } from '../../src/domain/access';
import type { VariantRecord } from '../../src/domain/lookup';
import { realFile, tempDir } from '../helpers/fixtures';
import { fromWire, getJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { compactReady, peer, startBroker, type TestBroker } from '../helpers/federation';
import { openRawStream } from '../helpers/counts-stream';

const K = 5;
const policy: AccessPolicy = {
  levels: { anonymous: { granularity: 'record', minCount: K }, registered: { granularity: 'record', minCount: 1 }, controlled: { granularity: 'record', minCount: 1 } },
  datasets: {},
};
const tmp = tempDir();
const running: (TestNode | TestBroker)[] = [];
const api: Record<string, string> = {};

beforeAll(async () => {
  const db = join(tmp.dir, 'kg.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  const steps = disclosureFor(policy);
  const nodeK = await startNode(db, { beaconId: 'node-k' }, steps);
  const nodeOpen = await startNode(db, { beaconId: 'node-open' });
  const brokerK = await startBroker('broker-k', [peer('n', nodeOpen.api)], { cacheTtlMs: 0, healthIntervalMs: 500 }, 0, {}, steps);
  const brokerOverK = await startBroker('broker-over-k', [peer('b', brokerK.api)], { cacheTtlMs: 0, healthIntervalMs: 500 }, 0, {}, steps);
  const brokerOpen = await startBroker('broker-open', [peer('n', nodeOpen.api)], { cacheTtlMs: 0, healthIntervalMs: 500 });
  running.push(nodeK, nodeOpen, brokerK, brokerOverK, brokerOpen);
  for (const b of [brokerK, brokerOverK, brokerOpen]) await compactReady(b);
  Object.assign(api, { nodeK: nodeK.api, nodeOpen: nodeOpen.api, brokerK: brokerK.api, brokerOverK: brokerOverK.api, brokerOpen: brokerOpen.api });
}, 120_000);

afterAll(async () => {
  for (const s of running.reverse()) await s.close();
  tmp.cleanup();
});

type Cells = Map<string, number | undefined>;
const KINDS = ['ac', 'an', 'nhomalt', 'nhet', 'nhemi'] as const;

function cellsOf(records: VariantRecord[]): Cells {
  const out: Cells = new Map();
  for (const r of records) {
    for (const f of r.frequencies) {
      for (const p of f.populations) for (const k of KINDS) out.set(`${r.contig}:${r.trimmed.start0}:${r.trimmed.ref}:${r.trimmed.alt}|${f.datasetId}|${p.code}|${k}`, p.counts[k]);
    }
  }
  return out;
}

async function beaconDoor(base: string): Promise<VariantRecord[]> {
  const { status, body } = await getJson(`${base}/g_variants?requestedGranularity=record&limit=1000`);
  expect(status).toBe(200);
  return recordsOf(body).map((r) => fromWire(r)!);
}

async function compactDoor(base: string, body: Record<string, unknown>): Promise<CountsReader> {
  const res = await fetch(`${base}/afb-counts/1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assemblyId: 'GRCh37', ...body }) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
  const reader = new CountsReader('GRCh37', { op: body.op as 'alleles' | 'scan', pooled: body.pooled === true });
  for (const line of (await res.text()).split('\n')) reader.line(line);
  reader.finish();
  return reader;
}

/** The same requests on one afb-counts/1 stream (declarations shared by its answers): one reader per answer. */
async function streamDoor(base: string, bodies: Record<string, unknown>[]): Promise<CountsReader[]> {
  const stream = await openRawStream(base);
  try {
    stream.send(bodies.map((b) => ({ assemblyId: 'GRCh37', ...b })));
    const declared = new ReadDeclarations();
    return (await stream.answers(bodies.length)).map((lines, i) => {
      const reader = new CountsReader('GRCh37', { op: bodies[i]!.op as 'alleles' | 'scan', pooled: bodies[i]!.pooled === true }, declared);
      for (const line of lines) reader.line(line);
      reader.finish();
      return reader;
    });
  } finally {
    stream.close();
  }
}

/** Visible carrier counts (and reference allele counts) in 1..k-1. */
function smallCells(cells: Cells): string[] {
  const small: string[] = [];
  for (const [key, v] of cells) {
    if (v === undefined || key.endsWith('|an')) continue;
    if (v >= 1 && v < K) small.push(key);
    if (key.endsWith('|ac')) {
      const an = cells.get(key.replace(/\|ac$/, '|an'));
      if (an !== undefined && an - v >= 1 && an - v < K) small.push(`${key} (reference)`);
    }
  }
  return small;
}

test.each(['nodeK', 'brokerK', 'brokerOverK'])('%s: the compact door shows exactly the Beacon door\'s cells, none small; open servers show small ones', async (who) => {
  const base = api[who]!;
  const beacon = await beaconDoor(base);
  expect(beacon.length).toBeGreaterThan(300);
  const expected = cellsOf(beacon);
  // A scan with counts, and every variant asked by alleles.
  const scan = await compactDoor(base, { op: 'scan', query: { kind: 'all' }, limit: 1000 });
  expect(scan.header!.total).toBe(beacon.length);
  const alleles = await compactDoor(base, { op: 'alleles', variants: beacon.map((r) => [r.contig, r.display.start0, r.display.ref, r.display.alt]) });
  for (const got of [scan.variants.map((v) => v.record), alleles.variants.map((v) => v.record)]) {
    const cells = cellsOf(got);
    const shown = [...cells].filter(([, v]) => v !== undefined);
    const beyond = shown.filter(([k, v]) => expected.get(k) !== v);
    expect(beyond).toEqual([]);
    expect(cells).toEqual(expected);
    expect(smallCells(cells)).toEqual([]);
  }
  // Pooled only (afb-counts/1+pooled): exactly the Beacon door's cells of the entries it sends (a broker's pooled entry, a node's whole records), none small.
  const pooled = await compactDoor(base, { op: 'alleles', pooled: true, variants: beacon.map((r) => [r.contig, r.display.start0, r.display.ref, r.display.alt]) });
  const pooledCells = cellsOf(pooled.variants.map((v) => v.record));
  expect(pooledCells).toEqual(new Map([...expected].filter(([k]) => who === 'nodeK' || k.includes('|pooled|'))));
  expect(pooledCells.size).toBeGreaterThan(300);
  expect(smallCells(pooledCells)).toEqual([]);
  // Keys: the Beacon door's variants, no more.
  const keys = await compactDoor(base, { op: 'scan', query: { kind: 'all' }, limit: 1000, keys: true });
  expect(keys.keys.map((k) => `${k.contig}:${k.start0}:${k.ref}:${k.alt}`)).toEqual(beacon.map((r) => `${r.contig}:${r.trimmed.start0}:${r.trimmed.ref}:${r.trimmed.alt}`));
  // The same four requests on the afb-counts/1 stream: the same cells and keys as their POSTs.
  const asked = [
    { op: 'scan', query: { kind: 'all' }, limit: 1000 },
    { op: 'alleles', variants: beacon.map((r) => [r.contig, r.display.start0, r.display.ref, r.display.alt]) },
    { op: 'alleles', pooled: true, variants: beacon.map((r) => [r.contig, r.display.start0, r.display.ref, r.display.alt]) },
    { op: 'scan', query: { kind: 'all' }, limit: 1000, keys: true },
  ];
  const streamed = await streamDoor(base, asked);
  expect(cellsOf(streamed[0]!.variants.map((v) => v.record))).toEqual(expected);
  expect(cellsOf(streamed[1]!.variants.map((v) => v.record))).toEqual(expected);
  expect(cellsOf(streamed[2]!.variants.map((v) => v.record))).toEqual(pooledCells);
  expect(streamed[3]!.keys).toEqual(keys.keys);
  // The same question to an open server of the same kind: small cells are there to withhold.
  const open = who === 'nodeK' ? api.nodeOpen! : api.brokerOpen!;
  const openCells = cellsOf((await compactDoor(open, { op: 'scan', query: { kind: 'all' }, limit: 1000 })).variants.map((v) => v.record));
  expect(smallCells(openCells).length).toBeGreaterThan(100);
  const withheld = [...expected.values()].filter((v) => v === undefined).length;
  expect(withheld).toBeGreaterThan(100);
});

test('a compact request cannot widen what is asked: unknown fields, a limit past the documented one, a bad query are 4xx with a Beacon error', async () => {
  for (const [body, code] of [
    [{ op: 'scan', query: { kind: 'all' }, limit: 100_001 }, 400],
    [{ op: 'scan', query: { kind: 'all' }, limit: 10, minCount: 1 }, 400],
    [{ op: 'scan', query: { kind: 'range', contig: '22', start0: 5, end0: 1 }, limit: 10 }, 400],
    [{ op: 'everything' }, 400],
  ] as const) {
    const res = await fetch(`${api.nodeK}/afb-counts/1`, { method: 'POST', body: JSON.stringify({ assemblyId: 'GRCh37', ...body }) });
    expect(res.status).toBe(code);
    const err = (await res.json()) as { error: { errorCode: number; errorMessage: string } };
    expect(err.error.errorCode).toBe(code);
  }
  const res = await fetch(`${api.nodeK}/afb-counts/1`, { method: 'POST', body: JSON.stringify({ op: 'scan', assemblyId: 'GRCh37', query: { kind: 'all' }, limit: 100_001 }) });
  expect(((await res.json()) as { error: { errorMessage: string } }).error.errorMessage).toMatch(/at most 100000/);
});

test('afb nodes and brokers announce afb-counts/1, its pooled answers and its stream in /api/info and service-info', async () => {
  for (const base of [api.nodeK!, api.brokerK!]) {
    expect((await getJson(`${base}/info`)).body.response.info.afb.protocols).toEqual(['afb-counts/1', 'afb-counts/1+pooled', 'afb-counts/1+stream']);
    expect((await getJson(`${base}/service-info`)).body.afb.protocols).toEqual(['afb-counts/1', 'afb-counts/1+pooled', 'afb-counts/1+stream']);
  }
});
