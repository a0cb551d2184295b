/**
 * Broker cache: a repeated query is answered from the cache (outcomes say so, the nodes are not
 * asked), and a re-ingest on a node changes its data version, which the next health poll sees, so
 * the next answer is fresh.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { tempDir } from '../helpers/fixtures';
import { getJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, until, type TestBroker } from '../helpers/federation';

const DATA = join(__dirname, '..', '..', 'data', '1kg');
const tmp = tempDir();
const db = join(tmp.dir, 'n.db');
let node: TestNode;
let broker: TestBroker;

function ingest(samples: string) {
  return ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: join(DATA, '1kg.panel.txt'), samples: join(DATA, samples), inputs: [join(DATA, '1kg.vcf.gz')] });
}

beforeAll(async () => {
  await ingest('samples-fi.txt');
  node = await startNode(db, { beaconId: 'cache-node' });
  broker = await startBroker('cache-broker', [peer('n', node.api)], { cacheTtlMs: 60_000, healthIntervalMs: 100 });
});
afterAll(async () => {
  await broker.close();
  await node.close();
  tmp.cleanup();
});

const total = (body: any) => recordsOf(body)[0]!.frequencyInPopulations[0]!.frequencies.find((p) => p.population === 'Total')!.alleleNumber;

test('a repeated query comes from the cache until the node re-ingests', async () => {
  const first = await getJson(`${broker.api}/g_variants/2-10297-G-T`);
  expect(first.body.info.afb.peers[0].status).toBe('ok');
  const again = await getJson(`${broker.api}/g_variants/2-10297-G-T`);
  expect(again.body.info.afb.peers[0].message).toBe('cached answer');
  expect(total(again.body)).toBe(total(first.body));

  const before = JSON.stringify((await getJson(`${broker.api}/network`)).body.peers[0].datasets);
  await ingest('samples-ee.txt');
  // A later health poll (every 100 ms) sees the new dataset version; the cache key changes with it.
  await until(async () => JSON.stringify((await getJson(`${broker.api}/network`)).body.peers[0].datasets) !== before, 20_000, 'the broker to see the new dataset version');
  const fresh = await getJson(`${broker.api}/g_variants/2-10297-G-T`);
  expect(fresh.body.info.afb.peers[0].message).toBeUndefined();
  const direct = await getJson(`${node.api}/g_variants/2-10297-G-T`);
  expect(total(fresh.body)).toBe(recordsOf(direct.body)[0]!.frequencyInPopulations[0]!.frequencies.find((p) => p.population === 'Total')!.alleleNumber);
  expect(total(fresh.body)).not.toBe(total(first.body));
});
