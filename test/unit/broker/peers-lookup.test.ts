/**
 * PeersLookup over the real fan-out with stand-in peer clients: the k-way merge of sorted pages,
 * the totals (exact or a lower bound), the error past the peers' page cap, keys-then-records paging, and the trace when no
 * peer answered (which the cache must not keep).
 */
import { loadBrokerConfig } from '../../../src/config/broker-config';
import { FanOut } from '../../../src/broker/fan-out';
import { PeerHealth } from '../../../src/broker/peer-health';
import { PeersLookup, kWayMerge } from '../../../src/broker/peers-lookup';
import { CachedLookup } from '../../../src/broker/answer-cache';
import { MAX_PEER_PAGE, type PeerClient, type PeerScan } from '../../../src/broker/peer-client';
import { PeerFailure } from '../../../src/broker/peer-http';
import { relabel, type PeerVariant } from '../../../src/broker/peer-answer';
import type { Peer } from '../../../src/broker/peers';
import type { LookupScope, ScanQuery } from '../../../src/domain/lookup';

const config = { ...loadBrokerConfig({}, {}), deadlineMs: 2000 };
const scope: LookupScope = { assembly: 'GRCh37' };
const ALL: ScanQuery = { kind: 'all' };

const peer = (id: string): Peer => ({ id, name: id, url: `http://${id}.example/api`, assemblies: ['GRCh37'], timeoutMs: 1000, kind: 'afb' });

/** A variant at start0 with one dataset of `ac`/`an` counts, as `p` would send it. */
function variant(p: Peer, contig: string, start0: number, ac = 1, an = 10): PeerVariant {
  return relabel(
    {
      assembly: 'GRCh37',
      contig,
      trimmed: { start0, ref: 'A', alt: 'G' },
      display: { start0, ref: 'A', alt: 'G' },
      rsids: [],
      frequencies: [{ datasetId: 'kg', source: 'kg', filters: [], origin: `${p.id}/kg@1`, populations: [{ code: 'Total', label: 'Total', counts: { ac, an } }] }],
    },
    p,
  );
}

/** A stand-in peer holding `variants` (in key order) out of `total`; it answers scans like a node (first `limit`). */
function client(p: Peer, variants: PeerVariant[], total = variants.length, fail?: PeerFailure): PeerClient {
  return {
    peer: p,
    alleles: async (_s, queries) => queries.map(() => undefined),
    rsid: async () => new Map(),
    vrs: async () => new Map(),
    scan: async (_s, _q, want): Promise<PeerScan> => {
      if (fail) throw fail;
      return { variants: variants.slice(0, Math.min(want.records, MAX_PEER_PAGE)), total };
    },
  };
}

/** A stand-in afb peer speaking afb-counts/1: a scan sends keys only; alleles sends the records asked (and logs what was asked). */
function keysClient(p: Peer, variants: PeerVariant[], asked: string[][] = [], scans: number[] = []): PeerClient {
  return {
    peer: p,
    alleles: async (_s, queries) => {
      const keys = queries.map((q) => `${q.contig}:${q.start0}:${q.ref}:${q.alt}`);
      asked.push(keys);
      return keys.map((k) => variants.find((v) => v.key === k));
    },
    rsid: async () => new Map(),
    vrs: async () => new Map(),
    scan: async (_s, _q, want): Promise<PeerScan> => {
      const after = want.after;
      const from = after ? variants.filter((v) => v.contig !== after.contig || v.trimmed.start0 > after.start0) : variants;
      scans.push(from.length === variants.length ? want.keys : -want.keys);
      return { variants: from.slice(0, want.keys).map((v) => ({ ...v, frequencies: [] })), total: variants.length, keysOnly: true };
    },
  };
}

function lookup(clients: PeerClient[]): PeersLookup {
  const health = clients.map((c) => new PeerHealth(c.peer, config));
  const fanOut = new FanOut(clients.map((c, i) => ({ client: c, health: health[i]! })), { id: 'b', deadlineMs: config.deadlineMs, maxDepth: 4 });
  return new PeersLookup({ fanOut, health, ready: async () => undefined });
}

const [a, b, c] = [peer('a'), peer('b'), peer('c')];

test('k-way merge: sorted lists merge in key order (contig rank, then start), each variant once', () => {
  const la = [variant(a, '2', 5), variant(a, '2', 9), variant(a, 'X', 1)];
  const lb = [variant(b, '1', 100), variant(b, '2', 9), variant(b, '10', 3)];
  expect(kWayMerge([la, lb]).map((v) => v.key)).toEqual(['1:100:A:G', '2:5:A:G', '2:9:A:G', '10:3:A:G', 'X:1:A:G']);
  expect(kWayMerge([la, lb], 2).map((v) => v.key)).toEqual(['1:100:A:G', '2:5:A:G']);
});

test('a complete scan is exact and pooled; a page of it is exact in position', async () => {
  const l = lookup([client(a, [variant(a, '1', 1, 1, 10), variant(a, '1', 3)]), client(b, [variant(b, '1', 1, 2, 20), variant(b, '1', 2)])]);
  const whole = await l.scan(scope, ALL, { skip: 0, limit: 10 });
  expect(whole.total).toBe(3);
  expect(whole.totalIsLowerBound).toBeUndefined();
  expect(whole.records.map((r) => r.trimmed.start0)).toEqual([1, 2, 3]);
  expect(whole.records[0]!.frequencies[0]!.populations[0]!.counts).toEqual({ ac: 3, an: 30 });
  const page = await l.scan(scope, ALL, { skip: 1, limit: 1 });
  expect(page.records.map((r) => r.trimmed.start0)).toEqual([2]);
  expect([page.total, page.totalIsLowerBound]).toEqual([3, undefined]);
  // Each peer sent only its first: not all keys are known, so the total is the larger peer's and says so.
  const first = await l.scan(scope, ALL, { skip: 0, limit: 1 });
  expect(first.records.map((r) => r.trimmed.start0)).toEqual([1]);
  expect([first.total, first.totalIsLowerBound]).toEqual([2, true]);
});

test('a count asks for no records and takes the largest total; one peer with matches is exact', async () => {
  const counts = await lookup([client(a, [], 40), client(b, [], 25)]).scan(scope, ALL, { skip: 0, limit: 0 });
  expect([counts.total, counts.totalIsLowerBound, counts.records]).toEqual([40, true, []]);
  const one = await lookup([client(a, [], 40), client(b, [], 0)]).scan(scope, ALL, { skip: 0, limit: 0 });
  expect([one.total, one.totalIsLowerBound]).toEqual([40, undefined]);
});

test(`a page past what the peers sent (${MAX_PEER_PAGE} records of a third-party Beacon) is PAGE_LIMIT_EXCEEDED, never a short page`, async () => {
  const many = Array.from({ length: MAX_PEER_PAGE + 50 }, (_, i) => variant(a, '1', i + 1));
  await expect(lookup([client(a, many, 5000), client(b, [variant(b, '1', 2)])]).scan(scope, ALL, { skip: MAX_PEER_PAGE - 5, limit: 10 })).rejects.toMatchObject({
    code: 'PAGE_LIMIT_EXCEEDED',
    message: expect.stringMatching(/at most 100000 variants of each afb peer's part of a range \(1000 of a third-party Beacon's\), and a hold more/),
  });
});

test('keys from afb peers: exact distinct total over overlapping peers; each page asks each peer for the page keys', async () => {
  const asked = { a: [] as string[][], b: [] as string[][] };
  const va = [1, 2, 4, 6].map((x) => variant(a, '1', x, 1, 10));
  const vb = [2, 3, 4, 5].map((x) => variant(b, '1', x, 2, 20));
  const l = lookup([keysClient(a, va, asked.a), keysClient(b, vb, asked.b)]);
  const count = await l.scan(scope, ALL, { skip: 0, limit: 0 });
  expect([count.total, count.totalIsLowerBound]).toEqual([6, undefined]);
  expect(asked.a.length + asked.b.length).toBe(0);
  const seen: number[] = [];
  for (let skip = 0; skip < 6; skip += 4) {
    const p = await l.scan(scope, ALL, { skip, limit: 4 });
    expect([p.total, p.totalIsLowerBound]).toEqual([6, undefined]);
    seen.push(...p.records.map((r) => r.trimmed.start0));
  }
  expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  expect(asked.a).toEqual([['1:1:A:G', '1:2:A:G', '1:3:A:G', '1:4:A:G'], ['1:5:A:G', '1:6:A:G']]);
  expect(asked.b).toEqual(asked.a);
  const shared = (await l.scan(scope, ALL, { skip: 1, limit: 1 })).records[0]!;
  expect(shared.frequencies[0]!.populations[0]!.counts).toEqual({ ac: 3, an: 30 });
});

test('when no peer answers the trace says so (noPeerAnswered, a warning) and the cache does not keep it', async () => {
  let calls = 0;
  const failing: PeerClient = { ...client(a, [], 0, new PeerFailure('refused', 'connection refused')), scan: async () => (calls++, Promise.reject(new PeerFailure('refused', 'connection refused'))) };
  const health = [new PeerHealth(a, { ...config, failureThreshold: 100 })];
  const fanOut = new FanOut([{ client: failing, health: health[0]! }], { id: 'b', deadlineMs: 2000, maxDepth: 4 });
  const cached = new CachedLookup(new PeersLookup({ fanOut, health, ready: async () => undefined }), { ttlMs: 60_000, entries: 10, versions: () => '' });
  const r = await cached.scan(scope, ALL, { skip: 0, limit: 0 });
  expect(r.trace!.noPeerAnswered).toBe(true);
  expect(r.trace!.warnings![0]).toMatch(/^no peer answered \(a\)/);
  await cached.scan(scope, ALL, { skip: 0, limit: 0 });
  expect(calls).toBe(2);
  // Some peer answering (even a miss) is an answer.
  const mixed = await lookup([client(a, [], 0), client(c, [], 0, new PeerFailure('timeout', 'slow'))]).scan(scope, ALL, { skip: 0, limit: 0 });
  expect(mixed.trace!.noPeerAnswered).toBeUndefined();
});

test("a caller's cancel ends every peer call at once (even one that ignores its signal), labelled as cancelled", async () => {
  const seen: AbortSignal[] = [];
  const waiting: PeerClient = {
    ...client(a, []),
    scan: (_s, _q, _l, call) => {
      seen.push(call.signal);
      return new Promise<never>(() => undefined);
    },
  };
  const cancel = new AbortController();
  const pending = lookup([waiting]).scan(scope, ALL, { skip: 0, limit: 0 }, cancel.signal);
  cancel.abort();
  const r = await pending;
  expect(seen[0]!.aborted).toBe(true);
  expect(r.trace!.peers!.map((p) => [p.status, p.message])).toEqual([['timeout', 'the caller cancelled the request']]);
  expect(r.trace!.noPeerAnswered).toBe(true);
});

test('a peer with more keys than the first request asks gives the rest after its last key (a second request); the total stays exact', async () => {
  const big = Array.from({ length: 12_345 }, (_, i) => variant(a, '1', i + 1));
  const asked: number[] = [];
  const l = lookup([keysClient(a, big, [], asked), keysClient(b, [variant(b, '1', 5), variant(b, '1', 20_000)])]);
  const count = await l.scan(scope, ALL, { skip: 0, limit: 0 });
  expect([count.total, count.totalIsLowerBound]).toEqual([12_346, undefined]);
  // 10,000 keys first, then (after the 10,000th) the rest.
  expect(asked).toEqual([10_000, -(100_000 - 10_000)]);
  const last = await l.scan(scope, ALL, { skip: 12_340, limit: 10 });
  expect(last.records.map((r) => r.trimmed.start0)).toEqual([12_341, 12_342, 12_343, 12_344, 12_345, 20_000]);
});
