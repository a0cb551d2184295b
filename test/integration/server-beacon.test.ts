/**
 * Node server, acceptance 1 and 2: every endpoint, every granularity and every error validates
 * against the official Beacon v2 schemas (Ajv, test/helpers/beacon-schemas); the verifier path
 * (bare g_variants, /map singleEntryUrl with a returned id) works. A real store behind a real
 * server on a free port; two datasets so per-dataset result sets show.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { responseErrors, schemaErrors } from '../helpers/beacon-schemas';
import { getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';

const tmp = tempDir();
let node: TestNode;

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', name: '1000 Genomes 2010', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  await ingestVcf({ db, dataset: 'indels', assembly: 'GRCh37', name: '1000 Genomes indels', panel: realFile('pysam-1kg-indels/15.panel.txt'), inputs: [realFile('pysam-1kg-indels/15.vcf.gz')] });
  node = await startNode(db);
});
afterAll(async () => {
  await node.close();
  tmp.cleanup();
});

test.each([
  ['/api', 'info'],
  ['/api/info', 'info'],
  ['/api/service-info', 'serviceInfo'],
  ['/api/configuration', 'configuration'],
  ['/api/map', 'map'],
  ['/api/entry_types', 'entryTypes'],
  ['/api/filtering_terms', 'filteringTerms'],
  ['/api/datasets', 'collections'],
] as const)('GET %s validates against %s', async (path, schema) => {
  const { status, body } = await getJson(node.url + path);
  expect(status).toBe(200);
  expect(schemaErrors(schema, body)).toEqual([]);
});

test('configuration carries securityAttributes; map has a singleEntryUrl template', async () => {
  const conf = (await getJson(node.api + '/configuration')).body;
  expect(conf.response.securityAttributes.defaultGranularity).toBe('record');
  const map = (await getJson(node.api + '/map')).body;
  expect(map.response.endpointSets.genomicVariant.singleEntryUrl).toBe(`${node.api}/g_variants/{variantInternalId}`);
});

test('a bare GET /api/g_variants answers 200 with valid records, and the map singleEntryUrl resolves each returned id', async () => {
  const { status, body } = await getJson(node.api + '/g_variants');
  expect(status).toBe(200);
  expect(responseErrors(body)).toEqual([]);
  expect(body.meta.returnedGranularity).toBe('record');
  expect(body.responseSummary.numTotalResults).toBe(381 + 296);
  const records = recordsOf(body);
  expect(records.length).toBe(10);
  const template: string = (await getJson(node.api + '/map')).body.response.endpointSets.genomicVariant.singleEntryUrl;
  for (const r of records.slice(0, 3)) {
    const one = await getJson(template.replace('{variantInternalId}', encodeURIComponent(r.variantInternalId)));
    expect(one.status).toBe(200);
    expect(responseErrors(one.body)).toEqual([]);
    expect(recordsOf(one.body).map((x) => x.variantInternalId)).toEqual([r.variantInternalId]);
  }
});

const SEQUENCE = 'referenceName=20&start=439103&referenceBases=AG&alternateBases=A&assemblyId=GRCh37';
const RANGE = 'referenceName=20&start=0&end=5000000';
const BRACKET = 'referenceName=2&start=10000,20000&end=10000,20000';

describe.each([
  ['sequence', SEQUENCE],
  ['range', RANGE],
  ['bracket', BRACKET],
  ['miss', 'referenceName=20&start=1&referenceBases=A&alternateBases=T'],
])('%s query', (name, qs) => {
  test.each(['boolean', 'count', 'record'])('GET at %s granularity validates', async (g) => {
    const { status, body } = await getJson(`${node.api}/g_variants?${qs}&requestedGranularity=${g}`);
    expect(status).toBe(200);
    expect(body.meta.returnedGranularity).toBe(g);
    expect(responseErrors(body)).toEqual([]);
  });
  test.each(['HIT', 'MISS', 'ALL', 'NONE'])('includeResultsetResponses=%s validates and picks the sets', async (inc) => {
    const { body } = await getJson(`${node.api}/g_variants?${qs}&requestedGranularity=record&includeResultsetResponses=${inc}`);
    expect(responseErrors(body)).toEqual([]);
    const sets: { exists: boolean }[] = body.response.resultSets;
    if (inc === 'ALL') expect(sets.length).toBe(2);
    if (inc === 'NONE') expect(sets).toEqual([]);
    // Two datasets (kg on 2 and 20, indels on 15): a hit in one is a miss in the other, except for the miss query.
    const hits = sets.filter((s) => s.exists).length;
    const misses = sets.length - hits;
    if (inc === 'HIT') expect([hits, misses]).toEqual([name === 'miss' ? 0 : 1, 0]);
    if (inc === 'MISS') expect([hits, misses]).toEqual([0, name === 'miss' ? 2 : 1]);
  });
});

test('POST with nested and flat requestParameters gives the same answer; the request body itself is schema-valid', async () => {
  const params = { referenceName: '20', start: [0], end: [5000000], assemblyId: 'GRCh37' };
  const nested = { meta: { apiVersion: 'v2.0' }, query: { requestParameters: { g_variant: params }, pagination: { skip: 0, limit: 5 }, requestedGranularity: 'record' } };
  const flat = { meta: { apiVersion: 'v2.0' }, query: { requestParameters: params, pagination: { skip: 0, limit: 5 }, requestedGranularity: 'record' } };
  expect(schemaErrors('requestBody', nested)).toEqual([]);
  const a = await postJson(node.api + '/g_variants', nested);
  const b = await postJson(node.api + '/g_variants', flat);
  expect(a.status).toBe(200);
  expect(responseErrors(a.body)).toEqual([]);
  expect(a.body.response).toEqual(b.body.response);
  expect(recordsOf(a.body).length).toBe(5);
  expect(a.body.responseSummary.numTotalResults).toBeGreaterThan(5);
});

test('pagination pages through a range without gaps or repeats', async () => {
  const all = recordsOf((await getJson(`${node.api}/g_variants?${RANGE}&limit=0`)).body).map((r) => r.variantInternalId);
  const paged: string[] = [];
  for (let skip = 0; skip < all.length; skip += 4) {
    paged.push(...recordsOf((await getJson(`${node.api}/g_variants?${RANGE}&skip=${skip}&limit=4`)).body).map((r) => r.variantInternalId));
  }
  expect(paged).toEqual(all);
  expect(all.length).toBeGreaterThan(4);
});

test('single entry by rsID and by gnomAD-style id, batch JSON and TSV all answer', async () => {
  const bare = recordsOf((await getJson(node.api + '/g_variants?referenceName=2&start=0&end=100000&limit=50')).body);
  // The VCF's ID column carries rsIDs in this range (2:10437 rs71337607, 2:10587 rs28804817, ...).
  const withRs = bare.filter((r) => r.identifiers?.variantAlternativeIds?.length);
  expect(withRs.length).toBeGreaterThan(2);
  for (const r of withRs.slice(0, 3)) {
    const rs = r.identifiers!.variantAlternativeIds![0]!.id.replace('dbSNP:', '');
    const one = await getJson(`${node.api}/g_variants/${rs}`);
    expect(responseErrors(one.body)).toEqual([]);
    expect(recordsOf(one.body).map((x) => x.variantInternalId)).toContain(r.variantInternalId);
  }
  const id = bare[0]!.variantId;
  const byId = await getJson(`${node.api}/g_variants/${id}`);
  expect(recordsOf(byId.body)[0]!.variantInternalId).toBe(bare[0]!.variantInternalId);
  const batch = await postJson(node.api + '/batch', { assemblyId: 'GRCh37', variants: [id, '2-1-A-T', 'nonsense'] });
  expect(batch.status).toBe(200);
  expect(batch.body.results.map((r: { found: boolean }) => r.found)).toEqual([true, false, false]);
  expect(batch.body.results[2].error.errorMessage).toMatch(/not a variant id/);
  for (const r of batch.body.results) if (r.record) expect(schemaErrors('variant', r.record)).toEqual([]);
  const tsv = await fetch(node.api + '/batch', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/tab-separated-values' }, body: JSON.stringify({ variants: [id] }) });
  expect(tsv.headers.get('content-type')).toMatch(/text\/tab-separated-values/);
  const lines = (await tsv.text()).trim().split('\n');
  expect(lines[0]!.split('\t')[0]).toBe('query');
  expect(lines.length).toBeGreaterThan(1);
  expect(lines[1]!.split('\t')[1]).toBe(id);
});

test('/health, /metrics with per-route counts and latency, request ids', async () => {
  const h = await getJson(node.url + '/health');
  expect(h.body.status).toBe('ok');
  expect(h.headers.get('x-request-id')).toBeTruthy();
  const echoed = await fetch(node.url + '/health', { headers: { 'x-request-id': 'abc-123' } });
  expect(echoed.headers.get('x-request-id')).toBe('abc-123');
  const m = await (await fetch(node.url + '/metrics')).text();
  expect(m).toMatch(/afb_http_requests_total\{[^}]*route="\/api\/g_variants"/);
  expect(m).toMatch(/afb_http_request_duration_seconds_bucket\{[^}]*route="\/api\/g_variants"/);
});

test.each(['boolean', 'count', 'record'])('single entry (GET and POST, by id and rsID) at %s granularity validates', async (g) => {
  for (const id of ['2-10038-C-A', 'GRCh37:2-10038-C-A', 'rs6054257', '2-1-A-T']) {
    const get = await getJson(`${node.api}/g_variants/${encodeURIComponent(id)}?requestedGranularity=${g}`);
    expect(get.status).toBe(200);
    expect(get.body.meta.returnedGranularity).toBe(g);
    expect(responseErrors(get.body)).toEqual([]);
    const post = await postJson(`${node.api}/g_variants/${encodeURIComponent(id)}`, { meta: { apiVersion: 'v2.0' }, query: { requestedGranularity: g } });
    expect(post.status).toBe(200);
    expect(responseErrors(post.body)).toEqual([]);
    expect(post.body.responseSummary.exists).toBe(get.body.responseSummary.exists);
  }
});
