/**
 * Issue 9, broker: the broker recognises its own users the same way as a node (the same access
 * section), and asks its peers only with each peer's own token from the peers file: never the
 * user's. A recording proxy in front of a real node sees every header the broker sends.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { FederatedLookup } from '../../src/broker';
import { loadBrokerConfig } from '../../src/config/broker-config';
import { loadServerConfig } from '../../src/config/server-config';
import { loadAccessConfig } from '../../src/config/access-config';
import { sha256 } from '../../src/access';
import { startServer } from '../../src/server';
import { realFile, tempDir } from '../helpers/fixtures';
import { startNode, type TestNode } from '../helpers/node-server';
import { peer } from '../helpers/federation';
import { responseErrors } from '../helpers/beacon-schemas';

const tmp = tempDir();
const USER_TOKEN = 'user-token-5d1e2f';
const PEER_TOKEN = 'peer-token-b7c8a9';
let node: TestNode;
let proxy: Server;
let proxyUrl: string;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', name: '1000 Genomes 2010', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  node = await startNode(db, { beaconId: 'node-a' });
  const target = new URL(node.url);
  proxy = createServer((req, res) => {
    seen.push(req.headers.authorization);
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  await new Promise((r) => proxy.close(r));
  await node.close();
  tmp.cleanup();
});

test.each([
  ['with its own token', PEER_TOKEN],
  ['without a token', undefined],
])('a broker asks its peer %s, never with the user token', async (_name, peerToken) => {
  seen.length = 0;
  const config = { ...loadServerConfig(undefined, {}, {}), port: 0, logLevel: 'silent' as const, beaconId: 'broker' };
  const access = loadAccessConfig({ access: { tokens: [{ id: 'user', sha256: sha256(USER_TOKEN), level: 'registered' }] } }, 'broker.json');
  const lookup = new FederatedLookup({ id: 'broker', peers: [peer('a', proxyUrl, peerToken ? { token: peerToken } : {})], config: { ...loadBrokerConfig({}, {}), cacheTtlMs: 0 } });
  lookup.start();
  const server = await startServer({ lookup, config, role: 'broker', version: 'test', access, network: () => lookup.network() });
  try {
    const api = `${server.url}/api`;
    const auth = { authorization: `Bearer ${USER_TOKEN}`, 'content-type': 'application/json' };
    const single = await fetch(`${api}/g_variants/2-10038-C-A?requestedGranularity=record`, { headers: auth });
    const body = (await single.json()) as { info: { afb: { caller: { level: string } } } };
    expect(single.status).toBe(200);
    expect(responseErrors(body)).toEqual([]);
    expect(body.info.afb.caller.level).toBe('registered');
    expect((await fetch(`${api}/batch`, { method: 'POST', headers: auth, body: JSON.stringify({ variants: ['2-10038-C-A', '2-10075-C-A'] }) })).status).toBe(200);
    expect((await fetch(`${api}/g_variants?referenceName=2&start=10000&end=20000&requestedGranularity=count`, { headers: auth })).status).toBe(200);
    // The broker's own users are checked like a node's: a bad token is a 401 at the broker.
    expect((await fetch(`${api}/g_variants/2-10038-C-A`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((h) => h !== (peerToken ? `Bearer ${peerToken}` : undefined))).toEqual([]);
  } finally {
    await server.close();
    await lookup.close();
  }
});
