/**
 * A dataset filter through a broker over afb peers whose datasets have different ids: each peer is
 * sent its own ids (and only a peer named in the filter is asked), on the stream (a single lookup)
 * and by HTTP request (a batch). The request body the peers of one fan-out share is made once; this
 * is what must not be shared.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { compactReady, peer, startBroker, type TestBroker } from '../helpers/federation';

const tmp = tempDir();
const ID = '2-10038-C-A';
const OTHER = '20-14370-G-A';
const nodes: TestNode[] = [];
let broker: TestBroker;

beforeAll(async () => {
  for (const [name, dataset] of [['a', 'kgA'], ['b', 'kgB']] as const) {
    const db = join(tmp.dir, `${name}.db`);
    await ingestVcf({ db, dataset, assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
    nodes.push(await startNode(db, { beaconId: `node-${name}` }));
  }
  broker = await startBroker('filter-net', [peer('a', nodes[0]!.api), peer('b', nodes[1]!.api)], { cacheTtlMs: 0 });
  await compactReady(broker);
});

afterAll(async () => {
  await broker.close();
  for (const n of nodes) await n.close();
  tmp.cleanup();
});

/** The dataset ids of the entries of a record that are not pooled (the contributions), sorted. */
function contributions(record: { frequencyInPopulations: { datasetId?: string }[] }): string[] {
  return record.frequencyInPopulations.map((e) => e.datasetId ?? '').filter((id) => id !== '' && !id.startsWith('pooled')).sort();
}

function outcomes(body: any): string[] {
  return body.info.afb.peers.map((p: { peer: string; status: string }) => `${p.peer}:${p.status}`).sort();
}

test('a single lookup (on the stream) filtered to one dataset of each peer: both asked, each with its own id', async () => {
  const { status, body } = await getJson(`${broker.api}/g_variants/${ID}?datasetIds=a:kgA,b:kgB`);
  expect(status).toBe(200);
  expect(outcomes(body)).toEqual(['a:ok', 'b:ok']);
  expect(contributions(recordsOf(body)[0]!)).toEqual(['a:kgA', 'b:kgB']);
});

test('filtered to one peer\'s dataset: only that peer contributes', async () => {
  const { status, body } = await getJson(`${broker.api}/g_variants/${ID}?datasetIds=b:kgB`);
  expect(status).toBe(200);
  expect(contributions(recordsOf(body)[0]!)).toEqual(['b:kgB']);
  expect(outcomes(body)).not.toContain('b:http_error');
});

test('a batch (HTTP requests to the peers) filtered to one dataset of each peer: every variant from both', async () => {
  const { status, body } = await postJson(`${broker.api}/batch`, { assemblyId: 'GRCh37', datasetIds: ['a:kgA', 'b:kgB'], variants: [ID, OTHER] });
  expect(status).toBe(200);
  const found = body.results.filter((r: { found: boolean }) => r.found);
  expect(found.length).toBeGreaterThan(0);
  for (const r of found) expect(contributions(r.record ?? r)).toEqual(['a:kgA', 'b:kgB']);
});
