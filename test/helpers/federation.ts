import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { FederatedCatalogue, FederatedLookup, type FederatedOptions, type Peer } from '../../src/broker';
import { loadBrokerConfig, type BrokerConfig } from '../../src/config/broker-config';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config';
import type { DisclosureStep } from '../../src/pipeline';
import { startServer, type RunningServer, type StartOptions } from '../../src/server';
import { realFile } from './fixtures';
import { startNode, type TestNode } from './node-server';

export interface TestBroker {
  url: string;
  api: string;
  lookup: FederatedLookup;
  server: RunningServer;
  close(): Promise<void>;
}

/** A real broker (FederatedLookup behind the real server) on a free loopback port. */
export async function startBroker(
  id: string,
  peers: Peer[],
  broker: Partial<BrokerConfig> = {},
  port = 0,
  extra: Partial<FederatedOptions> = {},
  disclosure?: readonly DisclosureStep[],
  server_: Partial<ServerConfig> = {},
  access?: StartOptions['access'],
): Promise<TestBroker> {
  const config = { ...loadServerConfig(undefined, {}, {}), port, logLevel: 'silent' as const, beaconId: id, ...server_ };
  const lookup = new FederatedLookup({ id, peers, config: { ...loadBrokerConfig({}, {}), ...broker }, ...extra });
  lookup.start();
  const brokerConfig = { ...loadBrokerConfig({}, {}), ...broker };
  const catalogue = new FederatedCatalogue({ id, peers, deadlineMs: brokerConfig.deadlineMs, maxBytes: brokerConfig.maxResponseBytes });
  const server = await startServer({ lookup, catalogue, config, role: 'broker', version: 'test', network: () => lookup.network(), disclosure, ...(access ? { access } : {}) });
  return {
    url: server.url,
    api: `${server.url}/api`,
    lookup,
    server,
    async close() {
      await server.close();
      await lookup.close();
      await catalogue.close();
    },
  };
}

/** Waits (bounded) until a broker has polled its afb peers and asks them through afb-counts/1 (a loaded machine can miss the first round). */
export async function compactReady(broker: TestBroker, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const net = (await broker.lookup.network()) as { peers: { kind: string; protocol: string }[] };
    if (net.peers.every((p) => p.kind !== 'afb' || p.protocol === 'afb-counts/1')) return;
    if (Date.now() > until) throw new Error(`broker peers not on afb-counts/1: ${JSON.stringify(net.peers)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function peer(id: string, api: string, extra: Partial<Peer> = {}): Peer {
  return { id, name: id.toUpperCase(), url: api, assemblies: ['GRCh37'], timeoutMs: 2000, kind: 'afb', ...extra };
}

/**
 * Three nodes made from disjoint thirds (round robin) of the panel's samples of each genotype set,
 * as three countries would hold them; each node holds one dataset per set.
 */
export async function startThreeNodes(dir: string, sets: { id: string; dir: string; vcf: string; panel: string }[]): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (let k = 0; k < 3; k++) {
    const db = join(dir, `node${k}.db`);
    for (const s of sets) {
      const samples = readFileSync(realFile(`${s.dir}/${s.panel}`), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
      const list = join(dir, `${s.id}-part${k}.txt`);
      writeFileSync(list, samples.filter((_, i) => i % 3 === k).join('\n') + '\n');
      await ingestVcf({ db, dataset: s.id, assembly: 'GRCh37', name: `${s.id} part ${k}`, panel: realFile(`${s.dir}/${s.panel}`), samples: list, inputs: [realFile(`${s.dir}/${s.vcf}`)] });
    }
    nodes.push(await startNode(db, { beaconId: `node${k}` }));
  }
  return nodes;
}

/** A port that was free a moment ago (to point a peer at a broker before it starts). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** What a recording peer was asked and what it sent back. */
export interface RecordedExchange {
  method: string;
  url: string;
  body: any;
  visited?: string;
  status: number;
  /** Records in the answer (result sets' results and batch records) and their bytes as JSON. */
  records: number;
  recordBytes: number;
}

export interface RecordingPeer {
  api: string;
  log: RecordedExchange[];
  close(): Promise<void>;
}

/**
 * A real HTTP peer on port 0 in front of another peer (a real node): it forwards every request
 * unchanged and records what it was asked and how many records (and bytes of records) it sent.
 */
export async function recordingPeer(targetApi: string): Promise<RecordingPeer> {
  const { createServer } = await import('node:http');
  const target = new URL(targetApi);
  const log: RecordedExchange[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const forward = async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = req.url!.replace(/^\/api/, target.pathname.replace(/\/+$/, ''));
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'accept', 'authorization', 'x-afb-visited']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
      try {
        const answer = await fetch(`${target.origin}${path}`, { method: req.method, headers, body: text === '' ? undefined : text });
        const out = await answer.text();
        const records = recordsIn(out);
        log.push({
          method: req.method!,
          url: req.url!,
          body: text === '' ? undefined : JSON.parse(text),
          visited: headers['x-afb-visited'],
          status: answer.status,
          records: records.length,
          recordBytes: records.reduce((n: number, r) => n + JSON.stringify(r).length, 0),
        });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(out);
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    };
    req.on('end', () => void forward());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    api: `http://127.0.0.1:${(server.address() as { port: number }).port}/api`,
    log,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function recordsIn(text: string): unknown[] {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const fromSets = (body?.response?.resultSets ?? []).flatMap((s: any) => s?.results ?? []);
  const fromBatch = Array.isArray(body?.results) ? body.results.map((r: any) => r?.record).filter((r: unknown) => r !== undefined) : [];
  return [...fromSets, ...fromBatch];
}

/** Waits until `check` holds (polling, no fixed sleep); fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
