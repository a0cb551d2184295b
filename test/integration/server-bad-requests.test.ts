/**
 * Node server, acceptance 4: each bad request gets 400 (or 404/413) with a Beacon error body that
 * validates against the official schema and names the parameter and the valid form; never a 500
 * or a hang. Slow clients are cut off by the server's timeouts.
 */
import { join } from 'node:path';
import { connect } from 'node:net';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { responseErrors } from '../helpers/beacon-schemas';
import { getJson, startNode, type TestNode } from '../helpers/node-server';

const tmp = tempDir();
let node: TestNode;

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  node = await startNode(db, { maxBatch: 100, bodyLimitBytes: 64 * 1024, requestTimeoutMs: 1500, headersTimeoutMs: 1000 });
});
afterAll(async () => {
  await node.close();
  tmp.cleanup();
});

const V = '/g_variants?';
test.each([
  ['unknown parameter', `${V}star=5`, 400, /unknown parameter 'star'.*accepts referenceName/],
  ['start alone', `${V}referenceName=2&start=10037`, 400, /start without end needs alternateBases/],
  ['missing referenceName', `${V}start=10037&end=10040`, 400, /referenceName is required/],
  ['missing start', `${V}referenceName=2&end=10040`, 400, /start is required/],
  ['non-integer start', `${V}referenceName=2&start=abc&end=100`, 400, /start 'abc' is not an integer >= 0/],
  ['negative start', `${V}referenceName=2&start=-5&end=100`, 400, /start '-5' is not an integer >= 0/],
  ['fractional end', `${V}referenceName=2&start=5&end=10.5`, 400, /end '10.5' is not an integer >= 1/],
  ['start >= end', `${V}referenceName=2&start=500&end=500`, 400, /start \(500\) must be less than end \(500\)/],
  ['three start values', `${V}referenceName=2&start=1,2,3&end=5`, 400, /start takes one value or two/],
  ['bracket with one end', `${V}referenceName=2&start=1,2&end=5`, 400, /both have one value .* or both two values/],
  ['bases outside the alphabet', `${V}referenceName=2&start=10037&referenceBases=C&alternateBases=AZ`, 400, /alternateBases 'AZ' has characters outside the allowed alphabet/],
  ['unknown assembly', `${V}referenceName=2&start=1&end=5&assemblyId=hg17`, 400, /assemblyId 'hg17' is not a known assembly; use GRCh37/],
  ['assembly contradicting the accession', `${V}referenceName=NC_000002.12&start=1&end=5&assemblyId=GRCh37`, 400, /GRCh38 accession but assemblyId is GRCh37/],
  ['a range over the cap', `${V}referenceName=2&start=0&end=20000001`, 400, /spans 20000001 bases; at most 10000000/],
  ['skip out of range', `${V}referenceName=2&start=0&end=5&skip=-1`, 400, /skip '-1' must be an integer from 0/],
  ['limit over the cap', `${V}referenceName=2&start=0&end=5&limit=5000`, 400, /limit '5000' must be an integer from 0 to 1000/],
  ['granularity unknown', `${V}requestedGranularity=aggregated`, 400, /requestedGranularity 'aggregated' must be one of boolean, count, record/],
  ['includeResultsetResponses unknown', `${V}includeResultsetResponses=SOME`, 400, /must be one of HIT, MISS, ALL, NONE/],
  ['a filter (none exist)', `${V}filters=NCIT:C16576`, 400, /no filtering terms/],
  ['geneId (not ingested)', `${V}geneId=BRCA1`, 400, /geneId: not supported here/],
  ['repeated parameter', `${V}referenceName=2&referenceName=3&start=1&end=5`, 400, /referenceName is given more than once/],
  ['unknown dataset', `${V}referenceName=2&start=1&end=5&datasetIds=nope`, 400, /datasetIds: unknown dataset nope; this beacon has kg/],
  ['unknown contig', `${V}referenceName=chrUn_gl000220&start=1&end=5`, 400, /contig 'Un_gl000220' is not in any GRCh37 dataset here; they hold 2/],
  ['malformed single-entry id', '/g_variants/22-abc-A-G', 400, /not a variant id; expected CONTIG-POS-REF-ALT with a 1-based POS/],
  ['bad format', `${V}format=xml`, 400, /format 'xml' must be json or tsv/],
  ['unknown endpoint', '/individuals', 404, /no endpoint GET \/api\/individuals/],
  ['network on a node', '/network', 404, /served by a broker/],
])('%s -> %i', async (_name, path, status, message) => {
  const res = await getJson(node.api + path);
  expect(res.status).toBe(status);
  expect(res.body.error.errorCode).toBe(status);
  expect(res.body.error.errorMessage).toMatch(message);
  expect(responseErrors(res.body)).toEqual([]);
});

async function post(path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return getJson(node.api + path, { method: 'POST', headers, body });
}

test.each([
  ['malformed JSON', '/g_variants', '{"meta": {', 400, /not valid JSON/],
  ['a body that is a list', '/g_variants', '[1,2]', 400, /request body must be a JSON object/],
  ['unknown request parameter', '/g_variants', JSON.stringify({ query: { requestParameters: { referenceName: '2', strat: [1] } } }), 400, /unknown request parameter 'strat'/],
  ['start as a string in POST', '/g_variants', JSON.stringify({ query: { requestParameters: { referenceName: '2', start: ['x'], end: [5] } } }), 400, /start 'x' is not an integer/],
  ['pagination limit negative', '/g_variants', JSON.stringify({ query: { pagination: { limit: -1 } } }), 400, /limit '-1' must be an integer from 0/],
  ['an oversized body', '/g_variants', JSON.stringify({ pad: 'x'.repeat(100 * 1024) }), 413, /larger than 65536 bytes/],
  ['a batch over the limit', '/batch', JSON.stringify({ variants: Array.from({ length: 101 }, (_, i) => `2-${i + 1}-A-C`) }), 413, /at most 100, split it/],
  ['a batch without a list', '/batch', JSON.stringify({ ids: [] }), 400, /batch body must be/],
])('POST %s -> %i', async (_name, path, body, status, message) => {
  const res = await post(path, body);
  expect(res.status).toBe(status);
  expect(res.body.error.errorMessage).toMatch(message);
  expect(responseErrors(res.body)).toEqual([]);
});

test('a client that sends headers and then stalls is cut off by the server, not left hanging', async () => {
  const { port } = new URL(node.url);
  const started = Date.now();
  const closed = await new Promise<string>((resolve) => {
    const sock = connect(Number(port), '127.0.0.1', () => {
      sock.write('POST /api/g_variants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"meta":');
    });
    let data = '';
    sock.on('data', (d) => (data += d.toString()));
    sock.on('close', () => resolve(data));
    sock.on('error', () => resolve(data));
  });
  // node:http answers 408 when requestTimeout fires, then closes the socket.
  expect(closed === '' || /^HTTP\/1\.1 408/.test(closed)).toBe(true);
  expect(Date.now() - started).toBeLessThan(10_000);
});
