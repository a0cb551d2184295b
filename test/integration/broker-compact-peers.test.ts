/**
 * The broker's afb-counts/1 client against a hostile afb peer (a real HTTP server that announces
 * the protocol and answers what each test sets): a cut stream, an answer over the size cap,
 * impossible counts, an unknown group, a variant not asked, keys out of order: each is the peer's
 * `invalid_answer` outcome, named, never merged. A third-party peer that announces the protocol is
 * still asked Beacon v2.
 */
import { createServer, type Server } from 'node:http';
import { getJson, recordsOf } from '../helpers/node-server';
import { compactReady, peer, startBroker, type TestBroker } from '../helpers/federation';

let answer = '';
const asked: string[] = [];
/** The content type of each POST the broker sent. */
const postTypes: string[] = [];
let server: Server;
let base: string;
const brokers: TestBroker[] = [];

const HEAD = '{"protocol":"afb-counts/1","op":"alleles","granularity":"record"}';
const D = '["D",0,"kg","KG","1","hostile/kg@1",0,null,null,0]';
const G = '["G",0,"Total","Total",null]';
const V = (ac: number, an: number, g = 0, pos = 16050074) => `["V",0,"22",${pos},"A","G",[],[0,${g},${ac},${an},null,null,null,null,0]]`;

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    if (req.method === 'POST') postTypes.push(String(req.headers['content-type']));
    req.resume();
    req.on('end', () => {
      if (req.url === '/api/service-info') return json(res, { id: 'hostile', afb: { role: 'node', protocols: ['afb-counts/1'], datasetVersions: { kg: '1' } } });
      if (req.url === '/api/info') return json(res, { response: { info: { afb: { datasets: [{ id: 'kg', name: 'KG', assemblyId: 'GRCh37', populations: [] }] } } } });
      if (req.url === '/api/afb-counts/1') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        return res.end(answer);
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
});

afterAll(async () => {
  for (const b of brokers) await b.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function json(res: import('node:http').ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function broker(extra: Partial<Parameters<typeof peer>[2]> = {}, maxResponseBytes?: number): Promise<TestBroker> {
  const b = await startBroker(`b${brokers.length}`, [peer('h', base, extra)], { cacheTtlMs: 0, healthIntervalMs: 500, failureThreshold: 1000, ...(maxResponseBytes ? { maxResponseBytes } : {}) });
  brokers.push(b);
  if (extra.kind === undefined) await compactReady(b);
  return b;
}

test.each([
  ['a cut stream (no end line)', [HEAD, D, G, V(1, 100)].join('\n') + '\n', /truncated answer/],
  ['impossible counts (AC > AN)', [HEAD, D, G, V(200, 100), '["E",1]'].join('\n'), /AC 200 > AN 100/],
  ['an unknown group', [HEAD, D, G, V(1, 100, 3), '["E",1]'].join('\n'), /group 3 was not declared/],
  ['a variant that was not asked', [HEAD, D, G, V(1, 100, 0, 16050099), '["E",1]'].join('\n'), /asked for 22:16050074:A:G, answered 22:16050099:A:G/],
  ['not NDJSON', '<html>hello</html>', /not JSON|header/],
])('%s is the peer\'s invalid_answer, named, and nothing of it is merged', async (_what, body, message) => {
  const b = brokers[0] ?? (await broker());
  answer = body;
  const { status, body: res } = await getJson(`${b.api}/g_variants/22-16050075-A-G?assemblyId=GRCh37`);
  expect(status).toBe(503);
  expect(res.error.errorMessage).toMatch(/h \(invalid_answer/);
  expect(res.error.errorMessage).toMatch(message);
});

test('the broker\'s afb-counts/1 request is a POST of JSON that says so', async () => {
  const b = brokers[0] ?? (await broker());
  answer = [HEAD, D, G, V(1, 100), '["E",1]'].join('\n');
  postTypes.length = 0;
  const { status } = await getJson(`${b.api}/g_variants/22-16050075-A-G?assemblyId=GRCh37`);
  expect(status).toBe(200);
  expect(postTypes).toEqual(['application/json']);
});

test('an answer over the size cap is invalid_answer', async () => {
  const b = await broker({}, 2048);
  answer = [HEAD, D, G, ...Array.from({ length: 200 }, () => V(1, 100)), '["E",200]'].join('\n');
  const { body } = await getJson(`${b.api}/g_variants/22-16050075-A-G?assemblyId=GRCh37`);
  expect(body.error.errorMessage).toMatch(/h \(invalid_answer: answer larger than 2048 bytes/);
});

test('a good answer is merged; keys out of order in a scan are refused', async () => {
  const b = brokers[0]!;
  answer = [HEAD, D, G, V(3, 100), '["E",1]'].join('\n');
  const { status, body } = await getJson(`${b.api}/g_variants/22-16050075-A-G?assemblyId=GRCh37`);
  expect(status).toBe(200);
  expect(recordsOf(body)[0]!.frequencyInPopulations[0]!.frequencies[0]).toMatchObject({ population: 'Total', alleleCount: 3, alleleNumber: 100 });
  answer = ['{"protocol":"afb-counts/1","op":"scan","granularity":"record","total":2}', '["K","22",5,"A","G"]', '["K","22",4,"A","G"]', '["E",2]'].join('\n');
  const scan = await getJson(`${b.api}/g_variants?assemblyId=GRCh37&referenceName=22&start=0&end=100&requestedGranularity=count`);
  expect(scan.body.error.errorMessage).toMatch(/key 22:4:A:G is not after 22:5:A:G/);
});

test('a third-party peer is asked Beacon v2 even when it announces afb-counts/1', async () => {
  const b = await broker({ kind: 'beacon' });
  asked.length = 0;
  await getJson(`${b.api}/g_variants/22-16050075-A-G?assemblyId=GRCh37`);
  expect(asked.filter((a) => !/service-info|\/info$/.test(a))).toEqual([expect.stringMatching(/^GET \/api\/g_variants\?/)]);
});
