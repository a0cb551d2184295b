import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { FederatedLookup, type Peer } from '../../src/broker';
import { loadBrokerConfig, type BrokerConfig } from '../../src/config/broker-config';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config';
import type { DisclosureStep } from '../../src/pipeline';
import { startServer, type RunningServer } from '../../src/server';
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
export async function startBroker(id: string, peers: Peer[], broker: Partial<BrokerConfig> = {}, port = 0, disclosure?: readonly DisclosureStep[], server_: Partial<ServerConfig> = {}): Promise<TestBroker> {
  const config = { ...loadServerConfig(undefined, {}, {}), port, logLevel: 'silent' as const, beaconId: id, ...server_ };
  const lookup = new FederatedLookup({ id, peers, config: { ...loadBrokerConfig({}, {}), ...broker } });
  lookup.start();
  const server = await startServer({ lookup, config, role: 'broker', version: 'test', network: () => lookup.network(), disclosure });
  return {
    url: server.url,
    api: `${server.url}/api`,
    lookup,
    server,
    async close() {
      await server.close();
      await lookup.close();
    },
  };
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
