/**
 * The broker's afb-counts/1 stream client (broker/peer-stream.ts) against a scripted afb peer (a
 * real HTTP server that announces afb-counts/1+stream and answers the upgrade as each test sets),
 * and against real nodes: a peer that never answers on its stream is a timeout and the next lookup
 * opens a new stream; a stream closed before an answer is asked again on a new one; an answer cut
 * short or not NDJSON is invalid_answer; a peer (or a proxy in front of it) that does not upgrade
 * is asked by HTTP requests; and lookups in flight together on real nodes' streams get exactly
 * the answers HTTP requests get.
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { getJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { realFile, tempDir } from '../helpers/fixtures';
import { compactReady, peer, startBroker, type TestBroker } from '../helpers/federation';

type Mode = 'good' | 'slow' | 'hang' | 'garbage' | 'cut' | 'close-first' | 'no-upgrade';
let mode: Mode = 'good';
const asked: string[] = [];
let upgrades = 0;
let server: Server;
let base: string;
const brokers: TestBroker[] = [];
const sockets = new Set<Duplex>();

const HEAD = '{"protocol":"afb-counts/1","op":"alleles","granularity":"record"}';
const DECLARE = ['["D",0,"kg","KG","1","scripted/kg@1",0,null,null,0]', '["G",0,"Total","Total",null]'];
const ANSWER = (v: unknown[], ac: number) => `["V",0,${JSON.stringify(v[0])},${v[1] as number},${JSON.stringify(v[2])},${JSON.stringify(v[3])},[],[0,0,${ac},100,null,null,null,null,0]]`;

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      if (req.url === '/api/service-info') return json(res, { id: 'scripted', afb: { role: 'node', protocols: ['afb-counts/1', 'afb-counts/1+stream'], datasetVersions: { kg: '1' } } });
      if (req.url === '/api/info') return json(res, { response: { info: { afb: { datasets: [{ id: 'kg', name: 'KG', assemblyId: 'GRCh37', populations: [] }] } } } });
      if (req.url === '/api/afb-counts/1' && req.method === 'POST') {
        const v = (JSON.parse(text) as { variants: unknown[][] }).variants[0]!;
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        return res.end([HEAD, ...DECLARE, ANSWER(v, 7), '["E",1]'].join('\n') + '\n');
      }
      res.writeHead(404);
      res.end();
    });
  });
  server.on('upgrade', (req, socket: Duplex) => {
    asked.push(`UPGRADE ${req.url}`);
    upgrades++;
    if (mode === 'no-upgrade') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: afb-counts/1\r\nConnection: Upgrade\r\n\r\n');
    let first = true;
    let rest = '';
    let later = Promise.resolve();
    socket.on('data', (c: Buffer) => {
      const lines = (rest + c.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const v = (JSON.parse(line) as { variants: unknown[][] }).variants[0]!;
        if (mode === 'hang') continue;
        if (mode === 'close-first') {
          mode = 'good';
          socket.destroy();
          return;
        }
        if (mode === 'garbage') socket.write('<html>hello</html>\n');
        else if (mode === 'cut') socket.end([HEAD, ...(first ? DECLARE : []), ANSWER(v, 3)].join('\n') + '\n');
        else {
          const text = [HEAD, ...(first ? DECLARE : []), ANSWER(v, 3), '["E",1]'].join('\n') + '\n';
          // Slow: each answer 100 ms after the one before it (a broker peer waiting on its own peers).
          if (mode === 'slow') later = later.then(() => new Promise<void>((r) => setTimeout(() => r(void socket.write(text)), 100)));
          else socket.write(text);
        }
        first = false;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
  // b0 gives up on its peer after 500 ms (the hanging peer's test); b1 waits long enough for a loaded machine.
  for (const [id, timeoutMs, deadlineMs] of [['b0', 500, 3000], ['b1', 5000, 10_000]] as const) {
    const b = await startBroker(id, [peer('h', base, { timeoutMs })], { cacheTtlMs: 0, healthIntervalMs: 500, failureThreshold: 1000, deadlineMs });
    brokers.push(b);
    await compactReady(b);
  }
});

afterAll(async () => {
  for (const b of brokers) await b.close();
  for (const s of sockets) s.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function json(res: import('node:http').ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const lookup = (pos = 16050075, b = brokers[1]!) => getJson(`${b.api}/g_variants/22-${pos}-A-G?assemblyId=GRCh37`);
const alleleCount = (body: unknown) => recordsOf(body)[0]!.frequencyInPopulations[0]!.frequencies[0]!.alleleCount;

test('lookups go on one stream; a second one on it is read with the first one\'s declarations', async () => {
  mode = 'good';
  asked.length = 0;
  const before = upgrades;
  for (const pos of [16050075, 16050076, 16050077]) {
    const { status, body } = await lookup(pos);
    expect(status).toBe(200);
    expect(alleleCount(body)).toBe(3);
  }
  expect(upgrades - before).toBeLessThanOrEqual(1);
  expect(asked.filter((a) => a.startsWith('POST'))).toEqual([]);
});

test.each([
  ['a peer that never answers on its stream', 'hang', /h \(timeout: no complete answer within 500 ms/],
  ['an answer that is not NDJSON', 'garbage', /h \(invalid_answer: .*(not JSON|header)/],
  ['an answer cut short (the stream closed in it)', 'cut', /h \(invalid_answer: .*truncated/],
] as const)('%s fails that lookup as the peer\'s outcome, named; the next lookup opens a new stream', async (_what, m, message) => {
  await lookup(16050075, brokers[0]);
  mode = m;
  const { status, body } = await lookup(16050075, brokers[0]);
  expect(status).toBe(503);
  expect(body.error.errorMessage).toMatch(message);
  mode = 'good';
  const before = upgrades;
  const again = await lookup(16050075, brokers[0]);
  expect(again.status).toBe(200);
  expect(alleleCount(again.body)).toBe(3);
  // The failed stream was closed: the next lookup opened a new one.
  expect(upgrades - before).toBe(1);
});

test('a stream closed before its answer began is asked once more on a new stream', async () => {
  mode = 'good';
  await lookup();
  // The open stream drops the next request with its connection (as a peer restarting would).
  mode = 'close-first';
  const before = upgrades;
  const { status, body } = await lookup();
  expect(status).toBe(200);
  expect(alleleCount(body)).toBe(3);
  expect(upgrades - before).toBe(1);
});

test('lookups that would wait behind a slow peer\'s answers go on further streams to it (a broker peer), each answered', async () => {
  mode = 'slow';
  const before = upgrades;
  // Asked 25 ms apart: each finds the stream's oldest request waiting longer than a node would take.
  const asked5: ReturnType<typeof lookup>[] = [];
  for (const pos of [16050075, 16050076, 16050077, 16050078, 16050079]) {
    asked5.push(lookup(pos));
    await new Promise((r) => setTimeout(r, 25));
  }
  const answers = await Promise.all(asked5);
  for (const { status, body } of answers) {
    expect(status).toBe(200);
    expect(alleleCount(body)).toBe(3);
  }
  expect(upgrades - before).toBeGreaterThanOrEqual(2);
  mode = 'good';
});

test('callers naming many broker paths (X-Afb-Visited) cannot make the broker open streams without end: past 8 paths a peer is asked by HTTP requests', async () => {
  mode = 'good';
  asked.length = 0;
  const before = upgrades;
  for (let i = 0; i < 12; i++) {
    const { status, body } = await getJson(`${brokers[1]!.api}/g_variants/22-16050075-A-G?assemblyId=GRCh37`, { headers: { 'x-afb-visited': `upstream-${i}` } });
    expect(status).toBe(200);
    expect(alleleCount(body)).toBeGreaterThan(0);
  }
  // One path (no header) already had its stream: 7 more paths get one each, the other 5 go by POST.
  expect(upgrades - before).toBe(7);
  expect(asked.filter((a) => a.startsWith('POST /api/afb-counts/1'))).toHaveLength(5);
});

test('a peer (or a proxy before it) that does not upgrade is asked by HTTP requests, at once and from then on', async () => {
  const b = await startBroker('b2', [peer('h', base, { timeoutMs: 2000 })], { cacheTtlMs: 0, healthIntervalMs: 500, failureThreshold: 1000 });
  brokers.push(b);
  await compactReady(b);
  mode = 'no-upgrade';
  asked.length = 0;
  for (let i = 0; i < 3; i++) {
    const { status, body } = await getJson(`${b.api}/g_variants/22-16050075-A-G?assemblyId=GRCh37`);
    expect(status).toBe(200);
    expect(alleleCount(body)).toBe(7);
  }
  expect(asked.filter((a) => a.startsWith('UPGRADE'))).toHaveLength(1);
  expect(asked.filter((a) => a.startsWith('POST /api/afb-counts/1'))).toHaveLength(3);
  mode = 'good';
});

describe('on real nodes', () => {
  const tmp = tempDir();
  const nodes: TestNode[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.close();
    tmp.cleanup();
  });

  test('lookups in flight together on the nodes\' streams get exactly what HTTP requests get', async () => {
    const db = join(tmp.dir, 'kg.db');
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
    for (const id of ['n1', 'n2']) nodes.push(await startNode(db, { beaconId: id }));
    const peers = nodes.map((n, i) => peer(`n${i + 1}`, n.api));
    const streams = await startBroker('streams', peers, { cacheTtlMs: 0, healthIntervalMs: 500 });
    const requests = await startBroker('requests', peers, { cacheTtlMs: 0, healthIntervalMs: 500, peerProtocol: 'requests' });
    brokers.push(streams, requests);
    await compactReady(streams);
    await compactReady(requests);
    const listed = await getJson(`${nodes[0]!.api}/g_variants?requestedGranularity=record&limit=200`);
    const ids = recordsOf(listed.body).map((r) => r.variantInternalId as string);
    expect(ids.length).toBe(200);
    // Found and missing variants, 40 at a time.
    const asks = [...ids, ...ids.slice(0, 20).map((id) => id.replace(/-([ACGT])$/, (_m, a: string) => `-${a === 'A' ? 'C' : 'A'}`))];
    const strip = (body: any) => JSON.stringify(body, (k, v) => (k === 'latencyMs' || k === 'requestId' ? undefined : v));
    for (let i = 0; i < asks.length; i += 40) {
      const part = asks.slice(i, i + 40);
      const [a, b] = await Promise.all([
        Promise.all(part.map((id) => getJson(`${streams.api}/g_variants/${id}?requestedGranularity=record`))),
        Promise.all(part.map((id) => getJson(`${requests.api}/g_variants/${id}?requestedGranularity=record`))),
      ]);
      for (let j = 0; j < part.length; j++) {
        expect(a[j]!.status).toBe(b[j]!.status);
        expect(strip(a[j]!.body).replace(/"streams"/g, '"B"')).toBe(strip(b[j]!.body).replace(/"requests"/g, '"B"'));
      }
    }
    // The node answered every lookup of the first broker on its stream route.
    const metrics = await (await fetch(`${nodes[0]!.url}/metrics`)).text();
    expect(metrics).toContain(`afb_http_requests_total{route="/api/afb-counts/1 (stream)",method="STREAM",status="200",role="node"} ${asks.length}\n`);
  }, 60_000);
});
