/**
 * CORS (issue 10): off by default; with `corsOrigins`, a listed origin gets the headers on every
 * door (the fast path included) and its preflight is answered; an unlisted origin gets none.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { loadServerConfig } from '../../src/config/server-config';
import { realFile, tempDir } from '../helpers/fixtures';
import { startNode, type TestNode } from '../helpers/node-server';

const tmp = tempDir();
let open: TestNode;
let closed: TestNode;
const PORTAL = 'https://portal.dev.gdi.lu';

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  open = await startNode(db, { corsOrigins: `${PORTAL}, https://other.example.org` });
  closed = await startNode(db);
}, 60_000);

afterAll(async () => {
  await open.close();
  await closed.close();
  tmp.cleanup();
});

test('corsOrigins is off by default and read from AFB_CORS_ORIGINS', () => {
  expect(loadServerConfig(undefined, {}).corsOrigins).toBe('');
  expect(loadServerConfig(undefined, { AFB_CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
});

test.each([
  ['fast path', '/api/g_variants/2-10205-T-G', 'GET'],
  ['express route', '/api/g_variants?referenceName=2&start=10204&referenceBases=T&alternateBases=G', 'GET'],
  ['portal door', '/v2.0.0/g_variants', 'POST'],
  ['metadata', '/api/info', 'GET'],
])('a listed origin gets Access-Control-Allow-Origin on the %s', async (_door, path, method) => {
  const init: RequestInit = { method, headers: { origin: PORTAL, 'content-type': 'application/json' } };
  if (method === 'POST') init.body = JSON.stringify({ meta: { apiVersion: '2.0' }, query: { requestParameters: { referenceName: '2', start: [10204], referenceBases: 'T', alternateBases: 'G', assemblyId: 'GRCh37' }, requestedGranularity: 'record' } });
  const res = await fetch(`${open.url}${path}`, init);
  await res.text();
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
  expect(res.headers.get('vary')).toMatch(/Origin/);
  const off = await fetch(`${closed.url}${path}`, init);
  await off.text();
  expect(off.headers.get('access-control-allow-origin')).toBeNull();
});

test('a preflight from a listed origin is answered 204; an unlisted origin gets no CORS headers', async () => {
  const pre = await fetch(`${open.url}/v2.0.0/g_variants`, { method: 'OPTIONS', headers: { origin: PORTAL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  expect(pre.status).toBe(204);
  expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
  expect(pre.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
  const stranger = await fetch(`${open.url}/api/info`, { headers: { origin: 'https://evil.example' } });
  await stranger.text();
  expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
});
