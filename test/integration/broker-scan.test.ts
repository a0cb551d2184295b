/**
 * Broker scans (ranges and bare listings) over two real nodes that hold overlapping, different
 * sets of variants, each behind a recording peer that logs what it was asked and what it sent.
 *  - count and boolean queries: no peer sends a record (they are asked, through afb-counts/1, for
 *    the keys of their matches only);
 *  - a bare listing is the k-way merge of the nodes' keys: paging returns every variant once, in
 *    key order, pooled where both nodes hold it, with the exact distinct total (not the larger
 *    peer's, not the sum). (Regions past 5,000 variants over three nodes: broker-regions.test.ts.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { responseErrors } from '../helpers/beacon-schemas';
import { getJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { peer, recordingPeer, startBroker, type RecordingPeer, type TestBroker } from '../helpers/federation';
import type { WireRecord } from '../../src/beacon/record';

const tmp = tempDir();
const nodes: TestNode[] = [];
const proxies: RecordingPeer[] = [];
let broker: TestBroker;

/** Node A holds rows i % 3 != 0 of the real VCF, node B rows i % 3 != 1: a third each alone, a third both. */
beforeAll(async () => {
  const text = gunzipSync(readFileSync(realFile('pyvcf-1kg/1kg.vcf.gz'))).toString('utf8').split('\n');
  const header = text.filter((l) => l.startsWith('#'));
  const rows = text.filter((l) => l !== '' && !l.startsWith('#'));
  for (const [name, skip] of [['a', 0], ['b', 1]] as const) {
    const vcf = join(tmp.dir, `${name}.vcf`);
    writeFileSync(vcf, [...header, ...rows.filter((_, i) => i % 3 !== skip)].join('\n') + '\n');
    const db = join(tmp.dir, `${name}.db`);
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [vcf] });
    const node = await startNode(db, { beaconId: `node-${name}` });
    nodes.push(node);
    proxies.push(await recordingPeer(node.api));
  }
  broker = await startBroker('scan-broker', [peer('a', proxies[0]!.api), peer('b', proxies[1]!.api)], { cacheTtlMs: 0 });
}, 60_000);

afterAll(async () => {
  await broker.close();
  for (const p of proxies) await p.close();
  for (const n of nodes) await n.close();
  tmp.cleanup();
});

const dataRequests = () => proxies.flatMap((p) => p.log.filter((x) => !/service-info|\/info$/.test(x.url)));
const clearLogs = () => proxies.forEach((p) => (p.log.length = 0));

async function listing(api: string, params = '&limit=1000'): Promise<WireRecord[]> {
  const { status, body } = await getJson(`${api}/g_variants?requestedGranularity=record${params}`);
  expect(status).toBe(200);
  return recordsOf(body);
}

test.each(['count', 'boolean'])('a %s query through the broker makes no peer send a record', async (granularity) => {
  clearLogs();
  for (const query of ['referenceName=2&start=0&end=100000', 'referenceName=2&start=10000&end=11000&alternateBases=T', '']) {
    const { status, body } = await getJson(`${broker.api}/g_variants?${query}${query ? '&' : ''}requestedGranularity=${granularity}`);
    expect(status).toBe(200);
    expect(responseErrors(body)).toEqual([]);
    expect(body.responseSummary.exists).toBe(true);
  }
  const asked = dataRequests();
  expect(asked.length).toBe(6);
  expect(asked.map((x) => [x.url, x.body?.op, x.body?.keys])).toEqual(Array(6).fill(['/api/afb-counts/1', 'scan', true]));
  expect(asked.map((x) => [x.records, x.recordBytes])).toEqual(Array(6).fill([0, 0]));
});

test('a count over a range both nodes hold is the exact number of distinct variants (not the larger total, not the sum)', async () => {
  const range = 'referenceName=2&start=0&end=100000';
  const direct = await Promise.all(nodes.map((n) => listing(n.api, `&${range}&limit=1000`)));
  const union = new Set(direct.flatMap((rs) => rs.map((r) => r.variantInternalId)));
  expect(union.size).toBeGreaterThan(Math.max(...direct.map((d) => d.length)));
  expect(union.size).toBeLessThan(direct[0]!.length + direct[1]!.length);
  for (const g of ['count', 'record']) {
    const { body } = await getJson(`${broker.api}/g_variants?${range}&requestedGranularity=${g}&limit=3`);
    expect(body.responseSummary.numTotalResults).toBe(union.size);
    expect(body.info.afb.warnings).toBeUndefined();
  }
});

test('a bare listing is the k-way merge of the nodes: every variant once, in order, pooled where both hold it; paging agrees', async () => {
  const [a, b] = await Promise.all(nodes.map((n) => listing(n.api)));
  const ids = (rs: WireRecord[]) => rs.map((r) => r.variantInternalId);
  const union = [...new Set([...ids(a!), ...ids(b!)])];
  expect(union.length).toBeGreaterThan(Math.max(a!.length, b!.length));
  const all = await listing(broker.api);
  // Key order is the nodes' own order: merged, each once.
  const order = new Map([...a!, ...b!].map((r) => [r.variantInternalId, r.variation.location.interval.start.value]));
  expect(ids(all).sort()).toEqual([...union].sort());
  const starts = ids(all).map((id) => order.get(id)!);
  expect(starts).toEqual([...starts].sort((x, y) => x - y));
  // Shared variants are pooled from both nodes: AN adds up.
  const shared = all.find((r) => r.frequencyInPopulations.length === 3)!;
  const an = (r: WireRecord | undefined, i = 0) => r?.frequencyInPopulations[i]!.frequencies.find((p) => p.population === 'Total')!.alleleNumber ?? 0;
  const byId = (rs: WireRecord[], id: string) => rs.find((r) => r.variantInternalId === id);
  expect(an(shared)).toBe(an(byId(a!, shared.variantInternalId)) + an(byId(b!, shared.variantInternalId)));
  // Pages of 7 give the same sequence.
  const paged: string[] = [];
  for (let skip = 0; skip < all.length; skip += 7) paged.push(...ids(await listing(broker.api, `&skip=${skip}&limit=7`)));
  expect(paged).toEqual(ids(all));
});

test('the total of a partial listing is exact, the same as of the whole', async () => {
  const { body: part } = await getJson(`${broker.api}/g_variants?requestedGranularity=record&limit=5`);
  const { body: whole } = await getJson(`${broker.api}/g_variants?requestedGranularity=record&limit=1000`);
  expect(whole.responseSummary.numTotalResults).toBe(recordsOf(whole).length);
  expect(part.responseSummary.numTotalResults).toBe(recordsOf(whole).length);
  expect([part.info.afb.warnings, whole.info.afb.warnings]).toEqual([undefined, undefined]);
});

test('datasetIds narrow what peers are asked: a peer without a dataset in scope is not asked, the others get their own ids', async () => {
  clearLogs();
  const { status, body } = await getJson(`${broker.api}/g_variants?referenceName=2&start=0&end=100000&requestedGranularity=count&datasetIds=b:kg`);
  expect(status).toBe(200);
  const asked = dataRequests();
  expect(asked.map((x) => x.body.datasetIds)).toEqual([['kg']]);
  const directB = (await getJson(`${nodes[1]!.api}/g_variants?referenceName=2&start=0&end=100000&requestedGranularity=count`)).body.responseSummary.numTotalResults;
  expect(body.responseSummary.numTotalResults).toBe(directB);
  expect(proxies[0]!.log.filter((x) => !/service-info|\/info$/.test(x.url))).toEqual([]);
});

test('datasetIds reach the peers on single-variant and rsID lookups too (GET /g_variants/{id}?datasetIds=, rs…)', async () => {
  // Records also carry a ga4gh:VA id beside the rsID: pick the dbSNP one.
  const rsOf = (r: (typeof records)[number]) => r.identifiers?.variantAlternativeIds?.find((x) => x.id.startsWith('dbSNP:'))?.id;
  const records = await listing(broker.api);
  const shared = records.find((r) => r.frequencyInPopulations.length === 3 && rsOf(r))!;
  expect(shared).toBeDefined();
  const rs = rsOf(shared)!.replace(/^dbSNP:/, '');
  for (const path of [`/g_variants/${shared.variantId}`, `/g_variants/${rs}`]) {
    clearLogs();
    const { status, body } = await getJson(`${broker.api}${path}?datasetIds=b:kg`);
    expect(status).toBe(200);
    const rec = recordsOf(body)[0]!;
    expect(rec.frequencyInPopulations.slice(1).map((e) => e.datasetId)).toEqual(['b:kg']);
    const asked = dataRequests();
    // A single variant goes through afb-counts/1; an rsID (not in it) through GET /g_variants/rs…?datasetIds=.
    expect(asked.map((x) => x.body?.datasetIds ?? new URL(x.url, 'http://x').searchParams.get('datasetIds')?.split(','))).toEqual([['kg']]);
  }
});
