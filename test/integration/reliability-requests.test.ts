/**
 * Issue 16, defect 15: values of the wrong shape (objects and arrays where scalars are expected,
 * `{"toString":1}`, arrays nested 100,000 deep) are the client's mistake: a 400 naming the
 * parameter, never a 500, and nothing a client sends makes the server log a stack.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { loadServerConfig } from '../../src/config/server-config';
import { startServer, type RunningServer } from '../../src/server';
import { realFile, tempDir } from '../helpers/fixtures';
import { responseErrors } from '../helpers/beacon-schemas';

const tmp = tempDir();
let server: RunningServer;
let close: () => void;
const logLines: string[] = [];

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  const store = openStoreLookup(db);
  const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  const config = { ...loadServerConfig(undefined, {}, {}), port: 0 };
  server = await startServer({ lookup: store.lookup, config, role: 'node', version: 'test', logger: pino({ level: 'info' }, sink) });
  close = () => store.close();
});
afterAll(async () => {
  await server.close();
  close();
  tmp.cleanup();
});

// A list nested n deep, spliced into the body text (JSON.stringify itself cannot write one that deep).
const deep = (n: number) => `__DEEP_${n}__`;
const bodyText = (body: unknown) => JSON.stringify(body).replace(/"__DEEP_(\d+)__"/g, (_m, n: string) => '['.repeat(Number(n)) + ']'.repeat(Number(n)));
const evil = { toString: 1 };
const rp = (params: Record<string, unknown>) => ({ query: { requestParameters: params } });

test.each([
  ['referenceName', '/g_variants', rp({ referenceName: evil, start: [1], end: [5] })],
  ['referenceName', '/g_variants', rp({ referenceName: deep(100_000), start: [1], end: [5] })],
  ['referenceBases', '/g_variants', rp({ referenceName: '2', start: [1], referenceBases: ['A'], alternateBases: 'T' })],
  ['start', '/g_variants', rp({ referenceName: '2', start: [evil], end: [5] })],
  ['start', '/g_variants', rp({ referenceName: '2', start: deep(100_000), end: [5] })],
  ['assemblyId', '/g_variants', rp({ assemblyId: evil })],
  ['assemblyId', '/g_variants', rp({ assemblyId: deep(100_000) })],
  ['variantType', '/g_variants', rp({ referenceName: '2', start: [1], end: [5], variantType: evil })],
  ['variantMinLength', '/g_variants', rp({ referenceName: '2', start: [1], end: [5], variantMinLength: evil })],
  ['datasetIds', '/g_variants', rp({ datasetIds: [evil] })],
  ['requestedGranularity', '/g_variants', { query: { requestedGranularity: evil } }],
  ['requestedGranularity', '/g_variants', { query: { requestedGranularity: deep(100_000) } }],
  ['includeResultsetResponses', '/g_variants', { query: { includeResultsetResponses: [1] } }],
  ['skip', '/g_variants', { query: { pagination: { skip: evil } } }],
  ['limit', '/g_variants', { query: { pagination: { limit: deep(1000) } } }],
  ['pagination', '/g_variants', { query: { pagination: [1] } }],
  ['filters', '/g_variants', { query: { filters: evil } }],
  ['requestedGranularity', '/g_variants/2-10038-C-A', { query: { requestedGranularity: evil } }],
  ['assemblyId', '/batch', { assemblyId: evil, variants: [] }],
  ['assemblyId', '/batch', { assemblyId: deep(100_000), variants: [] }],
  ['datasetIds', '/batch', { datasetIds: evil, variants: [] }],
])('POST %s of the wrong shape to %s -> 400 naming it', async (name, path, body) => {
  const before = logLines.length;
  const res = await fetch(`${server.url}/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyText(body) });
  const json = (await res.json()) as { error: { errorCodeName: string; errorMessage: string } };
  expect({ status: res.status, code: json.error.errorCodeName }).toEqual({ status: 400, code: 'INVALID_PARAMETER' });
  expect(json.error.errorMessage).toContain(name);
  expect(responseErrors(json)).toEqual([]);
  // Nothing the client sent was logged as a server error (no stack on the client's demand).
  expect(logLines.slice(before).filter((l) => /"level":50|stack/.test(l))).toEqual([]);
});

test.each([
  ['referenceName', '/g_variants?referenceName[toString]=1&start=1&end=2'],
  ['start', '/g_variants?referenceName=2&start[a]=1&end=2'],
  ['requestedGranularity', '/g_variants?requestedGranularity[x]=1'],
  ['__proto__', '/g_variants?__proto__=1'],
  ['constructor', '/g_variants?constructor=1'],
])('GET with %s of the wrong shape -> 400 naming it', async (name, path) => {
  const res = await fetch(`${server.url}/api${path}`);
  const json = (await res.json()) as { error: { errorCodeName: string; errorMessage: string } };
  expect(res.status).toBe(400);
  expect(json.error.errorMessage).toContain(name);
});

test('a batch entry of the wrong shape is that entry\'s error, not the batch\'s', async () => {
  const res = await fetch(`${server.url}/api/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyText({ variants: [{ referenceName: evil, start: 1 }, deep(100_000), '2-10038-C-A'] }) });
  expect(res.status).toBe(200);
  const json = (await res.json()) as { results: { found: boolean; error?: unknown }[] };
  expect(json.results.map((r) => [r.found, r.error !== undefined])).toEqual([[false, true], [false, true], [true, false]]);
});
