/**
 * A broker started before its node: its first health poll finds nothing, and until a poll succeeds
 * it can only ask the peer Beacon v2 with the datasets assumed from the peers file. It polls such a
 * peer again after 1 s, 2 s, … instead of waiting a whole healthIntervalMs (60 s here), so it
 * speaks afb-counts/1 to the node within seconds of the node listening.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { startNode, type TestNode } from '../helpers/node-server';
import { compactReady, freePort, peer, startBroker, type TestBroker } from '../helpers/federation';

const tmp = tempDir();
let node: TestNode | undefined;
let broker: TestBroker | undefined;

afterAll(async () => {
  await broker?.close();
  await node?.close();
  tmp.cleanup();
});

test('a peer that was not up at the first poll is polled again within seconds, not at the next round', async () => {
  const db = join(tmp.dir, 'kg.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  const port = await freePort();
  broker = await startBroker('early', [peer('n', `http://127.0.0.1:${port}/api`)], { cacheTtlMs: 0, healthIntervalMs: 60_000 });
  const first = (await broker.lookup.network()) as { peers: { protocol: string; state: string }[] };
  expect(first.peers[0]).toMatchObject({ protocol: 'beacon-v2' });
  node = await startNode(db, { port, beaconId: 'late-node' });
  await compactReady(broker, 15_000);
}, 60_000);
