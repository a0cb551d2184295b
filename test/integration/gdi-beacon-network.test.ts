/**
 * Acceptance 3 (issue 10): what elixir-europe/beacon-network-backend (307c7d3) does with a member
 * before and while it routes queries to it, played against an afb node and an afb broker:
 * `NetworkConfiguration.updateBeacon` loads the five metadata documents (GET `<api>/info`,
 * `/configuration`, `/map`, `/entry_types`, `/filtering_terms`, with `?limit=0`), validates each
 * against its Beacon v2 schema and needs `meta.beaconId`; `EndpointsDefinitions.addEndpoints` then
 * takes the genomicVariant `rootUrl` (resolved against the member's API root when relative) and
 * `singleEntryUrl` from `/map`, and the network sends its queries there (POST with the request body
 * as the portal built it; beaconId is stamped on result sets that lack one).
 */
import { ingestVcf } from '../../src/ingest';
import { join } from 'node:path';
import { realFile, tempDir } from '../helpers/fixtures';
import { responseErrors, schemaErrors, SCHEMAS } from '../helpers/beacon-schemas';
import { getJson, postJson, startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, type TestBroker } from '../helpers/federation';
import { ddsRequestBody } from '../helpers/gdi-portal';

const tmp = tempDir();
let node: TestNode;
let broker: TestBroker;

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  node = await startNode(db, { beaconId: 'org.example.node' });
  broker = await startBroker('org.example.broker', [peer('n', node.api)], { cacheTtlMs: 0 });
}, 60_000);

afterAll(async () => {
  await broker.close();
  await node.close();
  tmp.cleanup();
});

const METADATA: [string, keyof typeof SCHEMAS][] = [
  ['/info', 'info'],
  ['/configuration', 'configuration'],
  ['/map', 'map'],
  ['/entry_types', 'entryTypes'],
  ['/filtering_terms', 'filteringTerms'],
];

describe.each([
  ['node', () => node.api, 'org.example.node'],
  ['broker', () => broker.api, 'org.example.broker'],
])('%s as a Beacon Network member', (_name, api, beaconId) => {
  test.each(METADATA)('GET %s?limit=0 is schema-valid and names the beacon', async (path, schema) => {
    const { status, body } = await getJson(`${api()}${path}?limit=0`);
    expect(status).toBe(200);
    expect(schemaErrors(schema, body)).toEqual([]);
    expect(body.meta.beaconId).toBe(beaconId);
  });

  test('the genomicVariant endpoints from /map take the network\'s POST and the single-entry GET', async () => {
    const map = (await getJson(`${api()}/map?limit=0`)).body;
    const sets = Object.entries(map.response.endpointSets as Record<string, { entryType?: string; rootUrl?: string; singleEntryUrl?: string }>);
    const gv = sets.find(([key, e]) => (e.entryType ?? key) === 'genomicVariant')?.[1];
    expect(gv?.rootUrl).toBeDefined();
    const root = new URL(gv!.rootUrl!, `${api()}/`).toString();
    const { status, body } = await postJson(root, ddsRequestBody({ input: '2-10205-T-G', assemblyId: 'GRCh37' }));
    expect(status).toBe(200);
    expect(responseErrors(body)).toEqual([]);
    expect(body.meta.beaconId).toBe(beaconId);
    expect(body.response.resultSets.length).toBeGreaterThan(0);
    for (const set of body.response.resultSets) expect(set.beaconId).toBe(beaconId);
    const id = body.response.resultSets[0].results[0].variantInternalId as string;
    const single = await getJson(new URL(gv!.singleEntryUrl!.replace(/\{[^}]+\}/, encodeURIComponent(id)), `${api()}/`).toString());
    expect(single.status).toBe(200);
    expect(responseErrors(single.body)).toEqual([]);
    expect(single.body.response.resultSets[0].results[0].variantInternalId).toBe(id);
  });
});
