/**
 * Broker, acceptance 3: real misbehaving peers on loopback beside a real node. Whatever a peer
 * does (hang, 500, garbage, impossible counts, a huge body, dripping bytes, refusing connections,
 * another assembly, AF only), the good node is still pooled correctly, the faulty peer is labelled
 * with its outcome, the broker answers within its deadline and does not leak sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { responseErrors } from '../helpers/beacon-schemas';
import { getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { freePort, peer, startBroker, until, type TestBroker } from '../helpers/federation';

const tmp = tempDir();
const ID = '2-10038-C-A';
let node: TestNode;
const fakes: Server[] = [];

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A peer that answers health polls (as a minimal Beacon) and data requests with `onData`. */
async function fakePeer(onData: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/api/service-info') return void res.end(JSON.stringify({ id: 'fake', afb: { role: 'node', datasetVersions: {} } }));
      // Like a third-party Beacon: no afb dataset list, so the broker assumes the assemblies the peers file gives.
      if (req.url === '/api/info') return void res.end(JSON.stringify({ response: { id: 'fake', name: 'fake' } }));
      onData(req, res, body);
    });
  });
  fakes.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
}

/** A well-formed afb answer (batch for POST, result sets for GET) whose counts are impossible. */
function impossibleAnswer(req: IncomingMessage, body: string): string {
  const record = {
    variantInternalId: 'GRCh37:2-10038-C-A',
    referenceName: '2',
    variation: { variantType: 'SNP', referenceBases: 'C', alternateBases: 'A', location: { type: 'SequenceLocation', sequence_id: 'refseq:NC_000002.11', interval: { type: 'SequenceInterval', start: { type: 'Number', value: 10037 }, end: { type: 'Number', value: 10038 } } } },
    frequencyInPopulations: [{ source: 'bad', sourceReference: 'x', datasetId: 'bad', frequencies: [{ population: 'Total', alleleFrequency: 0.5, alleleCount: 10, alleleNumber: 4 }] }],
  };
  if (req.method === 'GET') return JSON.stringify({ response: { resultSets: [{ id: 'bad', results: [record] }] } });
  const n = (JSON.parse(body) as { variants: unknown[] }).variants.length;
  return JSON.stringify({ results: Array.from({ length: n }, () => ({ found: true, record })) });
}

/** A third-party Beacon answering a sequence query with frequencies only (no counts). */
function afOnly(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({
    meta: { returnedGranularity: 'record' },
    responseSummary: { exists: true },
    response: { resultSets: [{ id: 'ds', setType: 'dataset', exists: true, resultsCount: 1, results: [{
      variantInternalId: 'x1',
      variation: { variantType: 'SNP', referenceBases: 'C', alternateBases: 'A', location: { type: 'SequenceLocation', sequence_id: 'refseq:NC_000002.11', interval: { type: 'SequenceInterval', start: { type: 'Number', value: 10037 }, end: { type: 'Number', value: 10038 } } } },
      frequencyInPopulations: [{ source: 'Third party', sourceReference: 'https://example.org', frequencies: [{ population: 'Total', alleleFrequency: 0.25 }, { population: 'EUR', alleleFrequency: 0.125 }] }],
    }] }] },
  }));
}

let broker: TestBroker;
let peers: ReturnType<typeof peer>[];

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  node = await startNode(db, { beaconId: 'good-node' });
  const closedPort = await freePort();
  peers = [
    peer('good', node.api),
    peer('hang', await fakePeer(() => undefined), { timeoutMs: 10_000 }),
    peer('e500', await fakePeer((_q, res) => { res.statusCode = 500; res.end('{"error":"boom"}'); })),
    peer('garbage', await fakePeer((_q, res) => res.end('{"results": [oops'))),
    peer('impossible', await fakePeer((req, res, body) => res.end(impossibleAnswer(req, body)))),
    peer('huge', await fakePeer((_q, res) => res.end('{"results":["' + 'x'.repeat(2_000_000) + '"]}'))),
    peer('drip', await fakePeer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(t));
    }), { timeoutMs: 800 }),
    peer('refused', `http://127.0.0.1:${closedPort}/api`),
    peer('grch38', node.api, { assemblies: ['GRCh38'] }),
    peer('afonly', await fakePeer(afOnly), { kind: 'beacon' }),
  ];
  broker = await startBroker('faulty-net', peers, { deadlineMs: 1500, maxResponseBytes: 1_000_000, failureThreshold: 100 });
}, 60_000);

afterAll(async () => {
  await broker.close();
  await node.close();
  for (const f of fakes) {
    f.closeAllConnections();
    await new Promise((r) => f.close(r));
  }
  tmp.cleanup();
});

test('every faulty peer is labelled; the good node is pooled exactly; AF-only shown, not pooled; the deadline cuts the hanging peer', async () => {
  const direct = recordsOf((await getJson(`${node.api}/g_variants/${ID}`)).body)[0]!;
  const started = performance.now();
  const { status, body } = await getJson(`${broker.api}/g_variants/${ID}`);
  const elapsed = performance.now() - started;
  expect(status).toBe(200);
  // The hanging peer's own timeout is 10 s: the broker's 1.5 s deadline, not the peer, ended the wait.
  expect(elapsed).toBeLessThan(10_000);
  expect(body.info.afb.peers.find((p: { peer: string }) => p.peer === 'hang').message).toMatch(/broker deadline/);
  expect(responseErrors(body)).toEqual([]);
  const outcomes = Object.fromEntries((body.info.afb.peers as { peer: string; status: string }[]).map((p) => [p.peer, p.status]));
  expect(outcomes).toEqual({
    good: 'ok',
    hang: 'timeout',
    e500: 'http_error',
    garbage: 'invalid_answer',
    impossible: 'invalid_answer',
    huge: 'invalid_answer',
    drip: 'timeout',
    refused: 'refused',
    grch38: 'skipped_assembly',
    afonly: 'ok',
  });
  const rec = recordsOf(body)[0]!;
  const [pooled, ...own] = rec.frequencyInPopulations;
  expect(pooled!.source).toMatch(/^Pooled: 1 of 9 peers \(missing hang, e500, garbage, impossible, huge, drip, refused\)$/);
  expect(pooled!.missing).toEqual(['hang', 'e500', 'garbage', 'impossible', 'huge', 'drip', 'refused']);
  // Pooled = the good node's own counts, exactly (the AF-only peer is listed, not summed).
  const goodTotal = direct.frequencyInPopulations[0]!.frequencies.find((p) => p.population === 'Total')!;
  const pooledTotal = pooled!.frequencies.find((p) => p.population === 'Total')!;
  expect([pooledTotal.alleleCount, pooledTotal.alleleNumber]).toEqual([goodTotal.alleleCount, goodTotal.alleleNumber]);
  expect(pooledTotal.pooledFrom).toEqual(['good:kg']);
  expect(pooledTotal.frequencyOnly).toEqual(['afonly:ds']);
  expect(own.map((e) => e.datasetId)).toEqual(['good:kg', 'afonly:ds']);
  expect(own[1]!.frequencies.map((p) => [p.population, p.alleleFrequency, p.alleleCount])).toEqual([['Total', 0.25, undefined], ['EUR', 0.125, undefined]]);
});

test('a batch is one request per peer and survives the same faults', async () => {
  const { status, body } = await postJson(`${broker.api}/batch`, { assemblyId: 'GRCh37', variants: [ID, '2-1-A-T'] });
  expect(status).toBe(200);
  expect(body.results.map((r: { found: boolean }) => r.found)).toEqual([true, false]);
  expect(body.info.afb.peers.find((p: { peer: string }) => p.peer === 'hang').status).toBe('timeout');
});

test('a peer that keeps failing is skipped as down (circuit breaker) and shown so in /api/network', async () => {
  const b = await startBroker('breaker-net', [peer('good', node.api), peers.find((p) => p.id === 'e500')!], { failureThreshold: 2, cooldownMs: 60_000, cacheTtlMs: 0 });
  try {
    for (let i = 0; i < 3; i++) await getJson(`${b.api}/g_variants/${ID}`);
    const { body } = await getJson(`${b.api}/g_variants/${ID}`);
    expect(body.info.afb.peers.map((p: { peer: string; status: string }) => `${p.peer}:${p.status}`)).toEqual(['good:ok', 'e500:skipped_down']);
    const net = (await getJson(`${b.api}/network`)).body;
    expect(net.peers.map((p: { id: string; state: string }) => `${p.id}:${p.state}`)).toEqual(['good:up', 'e500:down']);
  } finally {
    await b.close();
  }
});

test('after the broker closes, no sockets of its own are left open', async () => {
  const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  const b = await startBroker('leak-check', peers, { deadlineMs: 1000, maxResponseBytes: 1_000_000, failureThreshold: 100 });
  for (let i = 0; i < 3; i++) await getJson(`${b.api}/g_variants/${ID}?requestedGranularity=count&i=${i}`).catch(() => undefined);
  await b.close();
  const open = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  await until(() => open() <= before, 5000, 'the broker sockets to close').catch(() => undefined);
  expect(open()).toBeLessThanOrEqual(before);
});

test('a peer token is sent as a bearer token; a wrong one is an http_error 401', async () => {
  const guarded = await fakePeer((req, res) => {
    if (req.headers.authorization !== 'Bearer s3cret') {
      res.statusCode = 401;
      return void res.end('{"error":{"errorCode":401,"errorMessage":"token required"}}');
    }
    afOnly(req, res);
  });
  const b = await startBroker('token-net', [
    peer('right', guarded, { kind: 'beacon', token: 's3cret' }),
    peer('wrong', guarded, { kind: 'beacon', token: 'nope' }),
  ], { cacheTtlMs: 0, failureThreshold: 100 });
  try {
    const { body } = await getJson(`${b.api}/g_variants/${ID}`);
    const outcomes = (body.info.afb.peers as { peer: string; status: string; httpStatus?: number }[]).map((p) => `${p.peer}:${p.status}:${p.httpStatus ?? ''}`);
    expect(outcomes).toEqual(['right:ok:', 'wrong:http_error:401']);
  } finally {
    await b.close();
  }
});

test('a third-party Beacon listed without datasets is in scope by the dataset the broker assumes for it (peer:assembly)', async () => {
  const b = await startBroker('scope-net', [peer('good', node.api), peers.find((p) => p.id === 'afonly')!], { cacheTtlMs: 0, failureThreshold: 100 });
  try {
    const datasets = (await getJson(`${b.api}/datasets`)).body.response.collections.map((c: { id: string }) => c.id);
    expect(datasets).toContain('afonly:GRCh37');
    const { status, body } = await getJson(`${b.api}/g_variants/${ID}?datasetIds=afonly:GRCh37`);
    expect(status).toBe(200);
    // Frequencies only: nothing pools, so the record is the peer's own entry (an empty pooled entry is not sent).
    expect(recordsOf(body)[0]!.frequencyInPopulations.map((e) => e.datasetId)).toEqual(['afonly:ds']);
  } finally {
    await b.close();
  }
});
