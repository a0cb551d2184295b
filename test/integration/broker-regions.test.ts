/**
 * Issue 11, acceptance 2: complete regions through a broker. A synthetic region of more than 5,000
 * variants (SNVs, some sites multi-allelic) split across three nodes, each variant held by one,
 * two or all three of them (with their own counts). Paged through a broker with several page
 * sizes: every variant exactly once, in key order, with the exact distinct total on every page and
 * the pooled counts summed over the nodes that hold it; count granularity gives the same total; a
 * broker above a broker (afb-counts/1 between them) pages the same. The oracle is the generated
 * list itself, sorted by position and alternate allele (SNVs: the key order needs no trimming); the
 * pooled AN of a variant counts every node that called its site (a node with another allele there
 * is absent, AC 0 of its AN), as for a single lookup.
 */
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures';
import { rng } from '../helpers/prng';
import { getJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { compactReady, peer, startBroker, type TestBroker } from '../helpers/federation';
import { ingestSites } from '../unit/store/sites-vcf';

const tmp = tempDir();
const running: (TestNode | TestBroker)[] = [];
let broker: TestBroker;
let top: TestBroker;

interface Expected {
  id: string;
  ac: number;
  an: number;
}
const expected: Expected[] = [];
const START = 1_000_000;
let end = START;

beforeAll(async () => {
  const rand = rng(20261129);
  const lines: string[][] = [[], [], []];
  const bases = ['A', 'C', 'G', 'T'];
  let pos = START;
  while (expected.length < 5_200) {
    pos += 1 + Math.floor(rand() * 30);
    const ref = bases[Math.floor(rand() * 4)]!;
    const alts = bases.filter((b) => b !== ref).slice(0, rand() < 0.15 ? 2 : 1);
    const byNode: { alt: string; ac: number }[][] = [[], [], []];
    for (const alt of alts) {
      // Held by a non-empty subset of the three nodes (a third or so by more than one).
      let mask = 0;
      while (mask === 0) mask = [1, 2, 4][Math.floor(rand() * 3)]! | (rand() < 0.35 ? [1, 2, 4][Math.floor(rand() * 3)]! : 0);
      let ac = 0;
      for (let k = 0; k < 3; k++) {
        if (!(mask & (1 << k))) continue;
        const c = 1 + Math.floor(rand() * 50);
        byNode[k]!.push({ alt, ac: c });
        ac += c;
      }
      expected.push({ id: `GRCh37:1-${pos}-${ref}-${alt}`, ac, an: 0 });
    }
    // Pooled AN: every node that called the site (domain/coverage: a node holding another allele there
    // counts its AN, with AC 0), as a single lookup pools it.
    const site = byNode.reduce((n, held, k) => n + (held.length > 0 ? 1000 * (k + 1) : 0), 0);
    for (let j = expected.length - alts.length; j < expected.length; j++) expected[j]!.an = site;
    byNode.forEach((held, k) => {
      if (held.length > 0) lines[k]!.push(`1\t${pos}\t.\t${ref}\t${held.map((h) => h.alt).join(',')}\t.\tPASS\tAC=${held.map((h) => h.ac).join(',')};AN=${1000 * (k + 1)}`);
    });
  }
  end = pos + 1;
  const nodes: TestNode[] = [];
  for (let k = 0; k < 3; k++) {
    const db = join(tmp.dir, `n${k}.db`);
    await ingestSites(tmp.dir, db, 'syn', 'GRCh37', lines[k]!);
    nodes.push(await startNode(db, { beaconId: `region-node-${k}` }));
  }
  running.push(...nodes);
  broker = await startBroker('regions', nodes.map((n, k) => peer(`n${k}`, n.api)), { cacheTtlMs: 0, healthIntervalMs: 500 });
  const mid = await startBroker('regions-mid', nodes.slice(0, 2).map((n, k) => peer(`n${k}`, n.api)), { cacheTtlMs: 0, healthIntervalMs: 500 });
  top = await startBroker('regions-top', [peer('mid', mid.api), peer('n2', nodes[2]!.api)], { cacheTtlMs: 0, healthIntervalMs: 500 });
  running.push(broker, mid, top);
  for (const b of [broker, mid, top]) await compactReady(b);
}, 120_000);

afterAll(async () => {
  for (const s of running.reverse()) await s.close();
  tmp.cleanup();
});

const region = () => `referenceName=1&start=${START}&end=${end}&assemblyId=GRCh37`;

/** Pages through the region with `limit`; checks every page's total; returns the records' ids and pooled Total counts. */
async function pageThrough(api: string, limit: number): Promise<Expected[]> {
  const out: Expected[] = [];
  for (let skip = 0; ; skip += limit) {
    const { status, body } = await getJson(`${api}/g_variants?${region()}&requestedGranularity=record&skip=${skip}&limit=${limit}`);
    expect(status).toBe(200);
    expect(body.responseSummary.numTotalResults).toBe(expected.length);
    expect(body.info.afb.warnings).toBeUndefined();
    const records = recordsOf(body);
    for (const r of records) {
      const total = r.frequencyInPopulations[0]!.frequencies.find((p) => p.population === 'Total')!;
      out.push({ id: r.variantInternalId, ac: total.alleleCount!, an: total.alleleNumber! });
    }
    if (records.length < limit) break;
  }
  return out;
}

test.each([1000, 457, 123])('paging the region through the broker by %i: each variant once, in order, exact total, pooled counts', async (limit) => {
  expect(expected.length).toBeGreaterThan(5000);
  expect(await pageThrough(broker.api, limit)).toEqual(expected);
});

test('count granularity gives the same exact total (distinct variants, not the sum of the nodes)', async () => {
  const { body } = await getJson(`${broker.api}/g_variants?${region()}&requestedGranularity=count`);
  expect(body.responseSummary.numTotalResults).toBe(expected.length);
  const perNode = await Promise.all(
    body.info.afb.peers.map(async (_p: unknown, k: number) => (await getJson(`${running[k]!.url}/api/g_variants?${region()}&requestedGranularity=count`)).body.responseSummary.numTotalResults as number),
  );
  expect(perNode.reduce((a, b) => a + b, 0)).toBeGreaterThan(expected.length);
});

test('a broker above a broker (afb-counts/1 between them) pages the same region the same way', async () => {
  expect(await pageThrough(top.api, 1000)).toEqual(expected);
  const { body } = await getJson(`${top.api}/g_variants?${region()}&requestedGranularity=count`);
  expect(body.responseSummary.numTotalResults).toBe(expected.length);
});

test('a page past the end is empty, with the same total', async () => {
  const { status, body } = await getJson(`${broker.api}/g_variants?${region()}&requestedGranularity=record&skip=${expected.length}&limit=10`);
  expect(status).toBe(200);
  expect([recordsOf(body).length, body.responseSummary.numTotalResults]).toEqual([0, expected.length]);
});
