/**
 * Broker defects of issue 16, each against real misbehaving peers on loopback beside a real node:
 * (a) endless bodies are bounded per broker, (b) brokers that list each other as third-party
 * Beacons stop at the hop header, (c) records of another assembly, outside the range or with
 * implausible counts are refused, (d) no peer answering is said, not passed off as "not found",
 * and never cached, (e) a peer replaying another node's origin cannot erase that node's counts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { responseErrors } from '../helpers/beacon-schemas';
import { freePort, peer, recordingPeer, startBroker, until, type TestBroker } from '../helpers/federation';
import type { WireRecord } from '../../src/beacon/record';

const tmp = tempDir();
const ID = '2-10038-C-A';
let node: TestNode;
const fakes: Server[] = [];
const closers: (() => Promise<void>)[] = [];

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A peer that answers health polls as a minimal afb node (`id`) and data requests with `onData`. */
async function fakePeer(onData: Handler, id = 'fake'): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/api/service-info') return void res.end(JSON.stringify({ id, afb: { role: 'node', datasetVersions: {} } }));
      if (req.url === '/api/info') return void res.end(JSON.stringify({ response: { id, name: id } }));
      onData(req, res, body);
    });
  });
  fakes.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
}

async function broker(id: string, peers: ReturnType<typeof peer>[], config: Parameters<typeof startBroker>[2] = {}, extra: Parameters<typeof startBroker>[4] = {}): Promise<TestBroker> {
  const b = await startBroker(id, peers, { cacheTtlMs: 0, failureThreshold: 100, ...config }, 0, extra);
  closers.push(() => b.close());
  return b;
}

let direct: WireRecord;

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  node = await startNode(db, { beaconId: 'good-node' });
  direct = recordsOf((await getJson(`${node.api}/g_variants/${ID}`)).body)[0]!;
}, 60_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await node.close();
  for (const f of fakes) {
    f.closeAllConnections();
    await new Promise((r) => f.close(r));
  }
  tmp.cleanup();
});

/** The node's record for ID with some of its wire fields changed (a peer that lies). */
function forged(change: (r: any) => void): WireRecord {
  const r = JSON.parse(JSON.stringify(direct));
  change(r);
  return r;
}

/** Answers GET (result sets) and POST /batch and POST /g_variants with `records`. */
function answering(records: () => WireRecord[]): Handler {
  return (req, res, body) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/api/batch') {
      const n = (JSON.parse(body) as { variants: unknown[] }).variants.length;
      return void res.end(JSON.stringify({ results: Array.from({ length: n }, (_, i) => ({ found: true, record: records()[i] })) }));
    }
    const rs = records();
    res.end(JSON.stringify({ responseSummary: { exists: rs.length > 0, numTotalResults: rs.length }, response: { resultSets: [{ id: 'x', exists: true, resultsCount: rs.length, results: rs }] } }));
  };
}

/** A 200 JSON answer whose body never ends: spaces, as fast as the broker reads them. */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (res.write(chunk)) if (res.destroyed) return;
  };
  res.on('drain', pump);
  pump();
}

const statusOf = (body: any, id: string) => (body.info.afb.peers as { peer: string; status: string; message?: string }[]).find((p) => p.peer === id);
const pooledTotal = (r: WireRecord) => r.frequencyInPopulations[0]!.frequencies.find((p) => p.population === 'Total')!;

test('(a) endless bodies from several peers are bounded by the broker-wide budget; the good node is still pooled', async () => {
  const endlessPeers = await Promise.all([1, 2, 3, 4].map(async (i) => peer(`endless${i}`, await fakePeer((_q, res) => endless(res)), { timeoutMs: 10_000 })));
  const MB = 1024 * 1024;
  const b = await broker('endless-net', [peer('good', node.api), ...endlessPeers], { maxResponseBytes: 8 * MB, deadlineMs: 3000 }, { maxBufferedBytes: 12 * MB });
  const answers = await Promise.all([0, 1].map(() => getJson(`${b.api}/g_variants/${ID}`)));
  for (const { status, body } of answers) {
    expect(status).toBe(200);
    expect(statusOf(body, 'good')!.status).toBe('ok');
    for (const p of endlessPeers) expect(statusOf(body, p.id)!.status).toBe('invalid_answer');
    expect([pooledTotal(recordsOf(body)[0]!).alleleNumber]).toEqual([pooledTotal(direct).alleleNumber]);
  }
  // Two queries x four endless peers would hold 64 MB under the per-answer cap alone; the budget holds 12 MB.
  expect(b.lookup.bufferedBytes.peak).toBeLessThanOrEqual(12 * MB);
  expect(b.lookup.bufferedBytes.now).toBe(0);
  const messages = answers.flatMap(({ body }) => endlessPeers.map((p) => statusOf(body, p.id)!.message));
  expect(messages.some((m) => /exceed the broker's 12582912 bytes/.test(m ?? ''))).toBe(true);
});

test('(a) a peer whose health endpoints stream endlessly costs at most 8 MB a poll', async () => {
  const endlessEverywhere = createServer((_req, res) => endless(res));
  fakes.push(endlessEverywhere);
  await new Promise<void>((r) => endlessEverywhere.listen(0, '127.0.0.1', r));
  const api = `http://127.0.0.1:${(endlessEverywhere.address() as { port: number }).port}/api`;
  const b = await broker('endless-health', [peer('e', api)], { healthIntervalMs: 100 });
  await until(async () => /larger than 8388608 bytes/.test((await getJson(`${b.api}/network`)).body.peers[0].lastError ?? ''), 20_000, 'a failed health poll');
  expect(b.lookup.bufferedBytes.peak).toBeLessThanOrEqual(8 * 1024 * 1024);
});

test('(b) two brokers listing each other as third-party Beacons stop at the hop header', async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  const viaA = await recordingPeer(`http://127.0.0.1:${portA}/api`);
  const viaB = await recordingPeer(`http://127.0.0.1:${portB}/api`);
  closers.push(() => viaA.close(), () => viaB.close());
  const a = await startBroker('loop-a', [peer('n', node.api), peer('b', viaB.api, { kind: 'beacon' })], { cacheTtlMs: 0 }, portA);
  const b = await startBroker('loop-b', [peer('n', node.api), peer('a', viaA.api, { kind: 'beacon' })], { cacheTtlMs: 0 }, portB);
  closers.push(() => a.close(), () => b.close());
  const data = () => [...viaA.log, ...viaB.log].filter((x) => !/service-info|\/info$/.test(x.url));
  const { status, body } = await getJson(`${a.api}/g_variants/${ID}`);
  expect(status).toBe(200);
  // A asks B once; B asks A once (with A and B in X-Afb-Visited), and A stops there.
  expect(data().map((x) => `${x.url.startsWith('/api/g_variants') ? 'g_variants' : x.url} ${x.visited}`).sort()).toEqual(['g_variants loop-a', 'g_variants loop-a,loop-b']);
  expect(pooledTotal(recordsOf(body)[0]!).alleleNumber).toBe(pooledTotal(direct).alleleNumber);
});

test.each([
  ['a GRCh38 record in a GRCh37 answer', (r: any) => (r.assemblyId = 'GRCh38'), /a GRCh38 record in a GRCh37 answer/],
  ['a count of 2^53 - 1', (r: any) => Object.assign(r.frequencyInPopulations[0].frequencies[0], { alleleCount: 2 ** 53 - 1, alleleNumber: 2 ** 53 - 1 }), /implausible/],
])('(c) %s is refused (invalid_answer); the good node is pooled alone', async (_name, change, message) => {
  const liar = await fakePeer(answering(() => [forged(change)]), 'liar');
  const b = await broker('c-net', [peer('good', node.api), peer('liar', liar)]);
  const { body } = await getJson(`${b.api}/g_variants/${ID}`);
  expect(statusOf(body, 'liar')).toMatchObject({ status: 'invalid_answer', message: expect.stringMatching(message) });
  expect(pooledTotal(recordsOf(body)[0]!).alleleNumber).toBe(pooledTotal(direct).alleleNumber);
});

test('(c) records outside the queried range are refused', async () => {
  const elsewhere = forged((r) => {
    r.variation.location.interval.start.value = 20_000_000;
    r.variation.location.interval.end.value = 20_000_001;
  });
  const liar = await fakePeer(answering(() => [elsewhere]), 'liar');
  const b = await broker('range-net', [peer('good', node.api), peer('liar', liar)]);
  const { body } = await getJson(`${b.api}/g_variants?referenceName=2&start=10000&end=10100&requestedGranularity=record&limit=100`);
  expect(statusOf(body, 'liar')).toMatchObject({ status: 'invalid_answer', message: expect.stringMatching(/outside the range \[10000, 10100\)/) });
  expect(recordsOf(body).every((r) => r.variation.location.interval.start.value < 10100)).toBe(true);
});

test('(d) with every peer down the answer is a 503 naming each peer, never a cached or "absent" 200', async () => {
  const closed = await freePort();
  const b = await broker('down-net', [peer('gone', `http://127.0.0.1:${closed}/api`), peer('gone2', `http://127.0.0.1:${closed}/api`)], { cacheTtlMs: 60_000 });
  const doors = [`${b.api}/g_variants/${ID}`, `${b.api}/g_variants?referenceName=2&start=10000&end=10100&requestedGranularity=count`, `${b.api}/g_variants?referenceName=2&start=10000&end=10100&requestedGranularity=boolean`];
  for (let i = 0; i < 2; i++) {
    for (const url of doors) {
      const { status, body } = await getJson(url);
      expect({ url, status, code: body.error?.errorCodeName }).toEqual({ url, status: 503, code: 'PEERS_UNAVAILABLE' });
      expect(body.error.errorMessage).toMatch(/no peer answered: gone \(refused.*gone2 \(refused/);
      expect(responseErrors(body)).toEqual([]);
    }
  }
  const batch = await postJson(`${b.api}/batch`, { variants: [ID] });
  expect(batch.status).toBe(503);
});

test('(e) a peer replaying a node\u2019s origin with other counts cannot erase that node\u2019s counts', async () => {
  // The replay is listed first, so first-come deduplication would keep it and drop the real node.
  const replay = forged((r) => {
    for (const p of r.frequencyInPopulations[0].frequencies) Object.assign(p, { alleleCount: 0, alleleNumber: 2, alleleFrequency: 0 });
    for (const p of r.frequencyInPopulations[0].frequencies) {
      delete p.alleleCountHomozygous;
      delete p.alleleCountHeterozygous;
      delete p.alleleCountHemizygous;
    }
  });
  expect(replay.frequencyInPopulations[0]!.origin).toMatch(/^good-node\/kg@/);
  const hostile = await fakePeer(answering(() => [replay]), 'hostile');
  const b = await broker('e-net', [peer('hostile', hostile), peer('good', node.api)]);
  const { body } = await getJson(`${b.api}/g_variants/${ID}`);
  const rec = recordsOf(body)[0]!;
  expect(pooledTotal(rec).pooledFrom).toContain('good:kg');
  expect(pooledTotal(rec).alleleNumber).toBeGreaterThanOrEqual(pooledTotal(direct).alleleNumber!);
  expect((body.info.afb.warnings ?? []).join(' ')).toMatch(/hostile.*good-node\/kg@/);
});
