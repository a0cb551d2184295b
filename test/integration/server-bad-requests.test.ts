/**
 * Node server, acceptance 4: each bad request gets 400 (or 404/413) with a Beacon error body that
 * validates against the official schema and names the parameter with a stable code (docs/api.md); never a 500
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
  ['unknown parameter', `${V}star=5`, 400, 'UNKNOWN_PARAMETER', 'star'],
  ['start alone', `${V}referenceName=2&start=10037`, 400, 'MISSING_PARAMETER', 'alternateBases'],
  ['missing referenceName', `${V}start=10037&end=10040`, 400, 'MISSING_PARAMETER', 'referenceName'],
  ['missing start', `${V}referenceName=2&end=10040`, 400, 'MISSING_PARAMETER', 'start'],
  ['non-integer start', `${V}referenceName=2&start=abc&end=100`, 400, 'INVALID_PARAMETER', 'start'],
  ['negative start', `${V}referenceName=2&start=-5&end=100`, 400, 'INVALID_PARAMETER', 'start'],
  ['fractional end', `${V}referenceName=2&start=5&end=10.5`, 400, 'INVALID_PARAMETER', 'end'],
  ['start >= end', `${V}referenceName=2&start=500&end=500`, 400, 'INVALID_PARAMETER', 'end'],
  ['three start values', `${V}referenceName=2&start=1,2,3&end=5`, 400, 'INVALID_PARAMETER', 'start'],
  ['bracket with one end', `${V}referenceName=2&start=1,2&end=5`, 400, 'INVALID_PARAMETER', 'end'],
  ['bases outside the alphabet', `${V}referenceName=2&start=10037&referenceBases=C&alternateBases=AZ`, 400, 'INVALID_PARAMETER', 'alternateBases'],
  ['unknown assembly', `${V}referenceName=2&start=1&end=5&assemblyId=hg17`, 400, 'UNKNOWN_ASSEMBLY', 'assemblyId'],
  ['assembly contradicting the accession', `${V}referenceName=NC_000002.12&start=1&end=5&assemblyId=GRCh37`, 400, 'ASSEMBLY_MISMATCH', 'assemblyId'],
  ['a range over the cap', `${V}referenceName=2&start=0&end=20000001`, 400, 'INVALID_PARAMETER', '10000000'],
  ['skip out of range', `${V}referenceName=2&start=0&end=5&skip=-1`, 400, 'INVALID_PARAMETER', 'skip'],
  ['limit over the cap', `${V}referenceName=2&start=0&end=5&limit=5000`, 400, 'INVALID_PARAMETER', 'limit'],
  ['granularity unknown', `${V}requestedGranularity=aggregated`, 400, 'INVALID_PARAMETER', 'requestedGranularity'],
  ['includeResultsetResponses unknown', `${V}includeResultsetResponses=SOME`, 400, 'INVALID_PARAMETER', 'includeResultsetResponses'],
  ['a filter (none exist)', `${V}filters=NCIT:C16576`, 400, 'INVALID_PARAMETER', 'filters'],
  ['geneId (no gene table loaded)', `${V}geneId=BRCA1`, 400, 'UNKNOWN_GENE', 'geneId'],
  ['geneId with positions', `${V}geneId=BRCA1&referenceName=2&start=1&end=5`, 400, 'INVALID_PARAMETER', 'geneId'],
  ['repeated parameter', `${V}referenceName=2&referenceName=3&start=1&end=5`, 400, 'INVALID_PARAMETER', 'referenceName'],
  ['unknown dataset', `${V}referenceName=2&start=1&end=5&datasetIds=nope`, 400, 'INVALID_PARAMETER', 'datasetIds'],
  ['unknown contig', `${V}referenceName=chrUn_gl000220&start=1&end=5`, 400, 'UNKNOWN_CONTIG', 'referenceName'],
  ['malformed single-entry id', '/g_variants/22-abc-A-G', 400, 'INVALID_PARAMETER', 'variant id'],
  ['bad format', `${V}format=xml`, 400, 'INVALID_PARAMETER', 'format'],
  ['unknown endpoint', '/individuals', 404, 'NOT_FOUND', '/api/individuals'],
  ['network on a node', '/network', 404, 'NOT_FOUND', '/api/network'],
])('%s -> %i %s naming %s', async (_name, path, status, code, names) => {
  const res = await getJson(node.api + path);
  expect(res.status).toBe(status);
  expect(res.body.error.errorCode).toBe(status);
  expect(res.body.error.errorCodeName).toBe(code);
  // The wording may change; naming the parameter may not.
  expect(res.body.error.errorMessage).toContain(names);
  expect(responseErrors(res.body)).toEqual([]);
});

async function post(path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return getJson(node.api + path, { method: 'POST', headers, body });
}

test.each([
  ['malformed JSON', '/g_variants', '{"meta": {', 400, 'INVALID_PARAMETER', 'JSON'],
  ['a body that is a list', '/g_variants', '[1,2]', 400, 'INVALID_PARAMETER', 'request body'],
  ['unknown request parameter', '/g_variants', JSON.stringify({ query: { requestParameters: { referenceName: '2', strat: [1] } } }), 400, 'UNKNOWN_PARAMETER', 'strat'],
  ['start as a string in POST', '/g_variants', JSON.stringify({ query: { requestParameters: { referenceName: '2', start: ['x'], end: [5] } } }), 400, 'INVALID_PARAMETER', 'start'],
  ['pagination limit negative', '/g_variants', JSON.stringify({ query: { pagination: { limit: -1 } } }), 400, 'INVALID_PARAMETER', 'limit'],
  ['an oversized body', '/g_variants', JSON.stringify({ pad: 'x'.repeat(100 * 1024) }), 413, 'PAYLOAD_TOO_LARGE', '65536'],
  ['a batch over the limit', '/batch', JSON.stringify({ variants: Array.from({ length: 101 }, (_, i) => `2-${i + 1}-A-C`) }), 413, 'PAYLOAD_TOO_LARGE', 'variants'],
  ['a batch without a list', '/batch', JSON.stringify({ ids: [] }), 400, 'INVALID_PARAMETER', 'variants'],
])('POST %s -> %i %s naming %s', async (_name, path, body, status, code, names) => {
  const res = await post(path, body);
  expect(res.status).toBe(status);
  expect(res.body.error.errorCodeName).toBe(code);
  expect(res.body.error.errorMessage).toContain(names);
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
