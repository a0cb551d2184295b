import type {
  AlleleQuery,
  AllelesResult,
  KeysResult,
  LookupDescription,
  LookupScope,
  Page,
  RsidResult,
  ScanQuery,
  ScanResult,
  VariantLookup,
  VariantRecord,
} from '../domain/lookup';
import { traceOf, type FanOut, type FanOutResult } from './fan-out';
import { isHit } from '../domain/coverage';
import { mergeVariant, type MergeOptions, type PeerPart } from './merge';
import { compareVariants, type PeerVariant } from './peer-answer';
import { MAX_PEER_PAGE, type PeerCallContext, type PeerClient, type PeerScan } from './peer-client';
import { MAX_COUNTS_SCAN } from '../beacon/counts-protocol';
import { AfbError } from '../domain/errors';
import type { PeerHealth } from './peer-health';

/** Most keys of a range each afb peer is asked for (one afb-counts/1 answer): the exact-paging limit. */
export const MAX_PEER_KEYS = MAX_COUNTS_SCAN;

/** Keys asked of each afb peer in the first request of a scan (more only for a deeper page, or in a second request). */
const FIRST_KEYS = 10_000;

/**
 * Outcomes of a first fan-out with a later one's failures laid over them (for the peers the later
 * one asked): a peer that listed its keys and then failed is named as failed, saying when.
 */
function joinOutcomes(first: FanOutResult<unknown>, later: FanOutResult<unknown>, asked: ReadonlySet<string>, when: string): Pick<FanOutResult<unknown>, 'failed' | 'outcomes'> {
  const broke = new Map(later.outcomes.filter((o) => asked.has(o.peer) && later.failed.includes(o.peer)).map((o) => [o.peer, o]));
  return {
    failed: [...new Set([...first.failed, ...broke.keys()])],
    outcomes: first.outcomes.map((o) => {
      const b = broke.get(o.peer);
      return b ? { ...b, message: `${when}: ${b.message ?? b.status}` } : o;
    }),
  };
}

/** A frontier before every key (a peer that holds matches and sent none): nothing is exact. */
const NOTHING = { key: '' } as PeerVariant;

/** How many of `keys` (in key order) come at or before `last`. */
function countUpTo(keys: readonly PeerVariant[], last: Pick<VariantRecord, 'contig' | 'trimmed'>): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareVariants(keys[mid]!, last) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface PeersLookupOptions {
  fanOut: FanOut;
  /** The peers in peers-file order (what `describe` lists and the order pooled parts are taken in). */
  health: readonly PeerHealth[];
  /** Waits (bounded) for the first health round, so `describe` lists the peers' datasets. */
  ready: () => Promise<void>;
  /** Population code -> canonical code, on top of the built-in vocabularies. */
  populations?: ReadonlyMap<string, string>;
  /**
   * One peer whose pooled answers are taken as they are (afb annotate over a broker): it pooled
   * them, under its own disclosure control, and this lookup has nothing to pool them with. Asked
   * afb-counts/1 `pooled` where the peer offers it, else as any peer (its entries pooled here).
   */
  relay?: boolean;
}

/**
 * The VariantLookup over the fan-out: asks the peers (one request each), merges their answers by
 * variant and pools by population (merge.ts). Returns each peer's outcome in `trace`; keeps no
 * state between queries (the cache is a decorator around it, the health monitor is outside).
 */
export class PeersLookup implements VariantLookup {
  private readonly entitlement: (peerId: string, origin: string) => number;

  /** What every merge is given (one object, not one per variant). */
  private readonly mergeOptions: MergeOptions;

  constructor(private readonly o: PeersLookupOptions) {
    const byId = new Map(o.health.map((h) => [h.peer.id, h]));
    this.entitlement = (peerId, origin) => byId.get(peerId)?.entitlement(origin) ?? 0;
    this.mergeOptions = { populations: o.populations, entitlement: this.entitlement };
  }

  async describe(): Promise<LookupDescription> {
    await this.o.ready();
    return { datasets: this.o.health.flatMap((h) => h.datasets) };
  }

  async findAlleles(scope: LookupScope, queries: readonly AlleleQuery[], signal?: AbortSignal): Promise<AllelesResult> {
    if (this.o.relay && this.o.health.length === 1) return this.relayed(scope, queries, signal);
    // A peer whose answer is only coverage (absent, not covered) missed: its outcome is `miss`.
    const fan = await this.o.fanOut.run(scope, (client, call) => client.alleles(scope, queries, call), (found) => found.some(isHit), signal);
    const warnings: string[] = [];
    const records: (VariantRecord | undefined)[] = new Array(queries.length);
    const values = this.o.health.map((h) => fan.values.get(h.peer.id));
    for (let i = 0; i < queries.length; i++) records[i] = this.merged(scope, fan, i, byIndex, warnings, values);
    return { records, trace: traceOf(fan, warnings) };
  }

  /** The relay (options.relay): the one peer's pooled records as it sent them; a peer without pooled answers is merged as usual. */
  private async relayed(scope: LookupScope, queries: readonly AlleleQuery[], signal?: AbortSignal): Promise<AllelesResult> {
    type Relayed = { pooled: (VariantRecord | undefined)[] } | { byIndex: (PeerVariant | undefined)[] };
    const fan = await this.o.fanOut.run<Relayed>(
      scope,
      async (client, call) => {
        const pooled = client.allelesPooled?.(scope, queries, call);
        return pooled ? { pooled: await pooled } : { byIndex: await client.alleles(scope, queries, call) };
      },
      // A pooled record is a hit when its pooled entry holds counts (the per-node entries that would say more are not sent).
      (r) => ('pooled' in r ? r.pooled.some((v) => v !== undefined && v.frequencies.some((f) => (f.pooled ? f.populations.length > 0 : !f.absent))) : r.byIndex.some(isHit)),
      signal,
    );
    const value = fan.values.get(this.o.health[0]!.peer.id);
    if (value && 'pooled' in value) return { records: value.pooled, trace: traceOf(fan) };
    const one: FanOutResult<(PeerVariant | undefined)[]> = { ...fan, values: new Map(value ? [[this.o.health[0]!.peer.id, value.byIndex]] : []) };
    const warnings: string[] = [];
    return { records: queries.map((_, i) => this.merged(scope, one, i, byIndex, warnings)), trace: traceOf(fan, warnings) };
  }

  /**
   * A range, bracket or bare listing, exactly (DESIGN §8, docs/api.md "Paging through a broker"). Two
   * rounds, one request per peer each: (1) every afb peer streams the keys of its matches in key
   * order (afb-counts/1; at most MAX_PEER_KEYS), any other peer the records of its first skip+limit
   * (at most MAX_PEER_PAGE); their k-way merge is the federation's distinct variants in order, so the
   * total is exact and the page is keys [skip, skip+limit). (2) each afb peer is asked for the
   * records of the page's keys (as a batch: what it lacks but covered comes back absent), and they are pooled. Where a peer holds
   * more than it sent, the merge is exact only up to its last key: a page past that is
   * PAGE_LIMIT_EXCEEDED (naming the limit), never a short page, and the total (unless one peer alone
   * has matches) is flagged a lower bound. A count (`limit` 0) is round 1 alone.
   */
  async scan(scope: LookupScope, query: ScanQuery, page: Page, signal?: AbortSignal): Promise<ScanResult> {
    const r = await this.keyRound(scope, query, page.limit === 0 ? 0 : page.skip + page.limit, signal);
    const { fan, answered, scans, lists, keys, exact, short, total, lowerBound, warnings } = r;
    if (page.limit === 0) return { total, ...(lowerBound ? { totalIsLowerBound: true } : {}), records: [], trace: traceOf(fan, warnings) };
    // A keyset cursor (a compact stream read in parts) starts after its key; skip counts from there.
    const from = page.after ? countUpTo(keys, { contig: page.after.contig, trimmed: page.after }) : 0;
    const end = from + page.skip + page.limit;
    // With one peer holding matches, its total is exact: a page reaching past it needs no more keys.
    const reach = short.length === 0 ? 0 : r.withMatches === 1 && !lowerBound ? Math.min(end, total) : end;
    if (reach > exact) {
      throw new AfbError(
        'PAGE_LIMIT_EXCEEDED',
        `skip ${page.skip} + limit ${page.limit} reaches past the first ${exact} variants, which is as far as this broker can page exactly here: it reads at most ${MAX_PEER_KEYS} variants of each afb peer's part of a range (${MAX_PEER_PAGE} of a third-party Beacon's), and ${short.join(', ')} hold more; split the range`,
      );
    }
    const pageKeys = keys.slice(from + page.skip, end);
    // Round 2: the page's records from every afb peer that sent keys, asked for all the page's keys: a
    // peer that lacks one answers for it as for a single lookup (an absent entry where it covered the
    // position, domain/coverage), so a variant pools the same in a page as asked alone.
    const held = new Map<string, PeerVariant[]>();
    answered.forEach((h, i) => {
      if (scans[i]!.keysOnly && pageKeys.length > 0) held.set(h.peer.id, pageKeys);
    });
    const records = new Map<string, Map<string, PeerVariant>>();
    answered.forEach((h, i) => {
      if (!scans[i]!.keysOnly) records.set(h.peer.id, new Map(lists[i]!.map((v) => [v.key, v])));
    });
    let failed = fan.failed;
    let outcomes = fan.outcomes;
    if (held.size > 0) {
      const fan2 = await this.o.fanOut.run(
        scope,
        (client, call) => {
          const mine = held.get(client.peer.id);
          // By key here (the page's records are merged by key with those of peers that sent records).
          return mine ? client.alleles(scope, mine.map((v) => ({ contig: v.contig, ...v.trimmed })), call).then(keyed) : Promise.resolve(new Map<string, PeerVariant>());
        },
        (m) => m.size > 0,
        signal,
      );
      for (const [id, m] of fan2.values) if (held.has(id)) records.set(id, m);
      ({ failed, outcomes } = joinOutcomes(fan, fan2, new Set(held.keys()), "keys read, then the page's records"));
    }
    const joined: FanOutResult<Map<string, PeerVariant>> = { values: records, outcomes, asked: fan.asked, failed };
    const out = pageKeys.map((v) => this.merged(scope, joined, v.key, byKey, warnings)).filter((r): r is VariantRecord => r !== undefined);
    if (out.length < pageKeys.length) warnings.push(`${pageKeys.length - out.length} variants of this page could not be read: their peers failed after listing them (see each peer's outcome)`);
    return { total, ...(lowerBound ? { totalIsLowerBound: true } : {}), records: out, trace: traceOf(joined, warnings) };
  }

  /** The exactly known keys of a scan's first `limit` matches and the total (round 1 of `scan` alone): what a broker above this one asks. */
  async scanKeys(scope: LookupScope, query: ScanQuery, limit: number, signal?: AbortSignal): Promise<KeysResult> {
    const r = await this.keyRound(scope, query, 0, signal);
    const keys = r.keys.slice(0, Math.min(limit, r.exact)).map((v) => ({ contig: v.contig, ...v.trimmed }));
    return { total: r.total, ...(r.lowerBound ? { totalIsLowerBound: true } : {}), keys, trace: traceOf(r.fan, r.warnings) };
  }

  /**
   * Round 1 of a scan: every peer's keys (afb-counts/1) or first `records` records (other peers),
   * merged; `exact` is how many of the merged keys are surely the federation's first, `short` the
   * peers that hold more than they sent.
   */
  private async keyRound(scope: LookupScope, query: ScanQuery, records: number, signal?: AbortSignal) {
    // First the keys a page needs (at least FIRST_KEYS): a small range costs one request per peer, a huge
    // listing (whose total cannot be exact anyway) no more than FIRST_KEYS keys per peer.
    const first = Math.min(MAX_PEER_KEYS, Math.max(records, FIRST_KEYS));
    let fan = await this.o.fanOut.run(scope, (client, call) => client.scan(scope, query, { keys: first, records }, call), (s) => s.total > 0, signal);
    const warnings: string[] = [];
    const answered = this.o.health.filter((h) => fan.values.has(h.peer.id));
    const scans = answered.map((h) => fan.values.get(h.peer.id)!);
    // Then the rest of the keys of the afb peers that hold more, up to MAX_PEER_KEYS each, after their last (the keyset cursor).
    const rest = new Map<string, { i: number; last: PeerVariant }>();
    scans.forEach((sc, i) => {
      const last = sc.variants[sc.variants.length - 1];
      if (sc.keysOnly && !sc.lowerBound && last && sc.variants.length < sc.total && sc.total <= MAX_PEER_KEYS) rest.set(answered[i]!.peer.id, { i, last });
    });
    if (rest.size > 0) {
      const more = await this.o.fanOut.run(
        scope,
        (client, call) => {
          const r = rest.get(client.peer.id);
          if (!r) return Promise.resolve<PeerScan>({ variants: [], total: 0 });
          return client.scan(scope, query, { keys: MAX_PEER_KEYS - scans[r.i]!.variants.length, records: 0, after: { contig: r.last.contig, ...r.last.trimmed } }, call);
        },
        (s) => s.total > 0,
        signal,
      );
      for (const [id, r] of rest) {
        const next = more.values.get(id);
        if (!next) continue;
        if (next.variants[0] && compareVariants(next.variants[0], r.last) <= 0) continue;
        scans[r.i] = { ...scans[r.i]!, variants: [...scans[r.i]!.variants, ...next.variants] };
      }
      fan = { ...fan, ...joinOutcomes(fan, more, new Set(rest.keys()), 'the first keys read, then the rest') };
    }
    const lists = answered.map((h, i) => (scans[i]!.keysOnly ? scans[i]!.variants : this.inScope(scope, h, scans[i]!.variants)));
    const keys = kWayMerge(lists);
    // The merge is exact up to the smallest last key of the peers that hold more than they sent.
    let frontier: PeerVariant | undefined;
    const short: string[] = [];
    scans.forEach((sc, i) => {
      if ((sc.complete ?? sc.variants.length >= sc.total) && !sc.lowerBound) return;
      short.push(answered[i]!.peer.id);
      const last = sc.variants[sc.variants.length - 1];
      if (!last) frontier = NOTHING;
      else if (frontier !== NOTHING && (!frontier || compareVariants(last, frontier) < 0)) frontier = last;
    });
    const exact = frontier === undefined ? keys.length : frontier === NOTHING ? 0 : countUpTo(keys, frontier);
    const withMatches = scans.filter((sc) => sc.total > 0);
    let total = keys.length;
    let lowerBound = false;
    if (short.length > 0) {
      if (withMatches.length === 1) {
        total = withMatches[0]!.total;
        lowerBound = withMatches[0]!.lowerBound === true;
      } else {
        total = Math.max(keys.length, ...scans.map((sc) => sc.total));
        lowerBound = true;
      }
    }
    return { fan, warnings, answered, scans, lists, keys, exact, short, total, lowerBound, withMatches: withMatches.length };
  }

  findRsid(scope: LookupScope, rsid: number, signal?: AbortSignal): Promise<RsidResult> {
    return this.findById(scope, (client, call) => client.rsid(scope, rsid, call), signal);
  }

  findVrs(scope: LookupScope, digest: string, signal?: AbortSignal): Promise<RsidResult> {
    return this.findById(scope, (client, call) => client.vrs(scope, digest, call), signal);
  }

  /** An id (rsID, VRS id) each peer resolves itself: every variant any peer names, pooled across the peers that have it. */
  private async findById(scope: LookupScope, ask: (client: PeerClient, call: PeerCallContext) => Promise<Map<string, PeerVariant>>, signal?: AbortSignal): Promise<RsidResult> {
    const fan = await this.o.fanOut.run(scope, ask, (found) => found.size > 0, signal);
    const all = [...new Map([...fan.values.values()].flatMap((m) => [...m.values()]).map((v) => [v.key, v])).values()].sort(compareVariants);
    const warnings: string[] = [];
    const records = all.map((v) => this.merged(scope, fan, v.key, byKey, warnings)).filter((r): r is VariantRecord => r !== undefined);
    return { records, trace: traceOf(fan, warnings) };
  }

  /** A peer's variants with at least one entry in the scope's datasets. */
  private inScope(scope: LookupScope, health: PeerHealth, variants: PeerVariant[]): PeerVariant[] {
    if (!scope.datasetIds) return variants;
    return variants.filter((v) => v.frequencies.some((e) => this.inScopeEntry(scope.datasetIds!, health, e.datasetId)));
  }

  /**
   * Is a peer's entry in the scope's datasets? By its id; or, for a peer that lists no datasets (a
   * third-party Beacon, known only by the `peer:assembly` dataset assumed for it), every entry of
   * the peer when the scope names that assumed dataset.
   */
  private inScopeEntry(datasetIds: readonly string[], health: PeerHealth, entryId: string): boolean {
    return datasetIds.includes(entryId) || (health.assumed && health.datasets.some((d) => datasetIds.includes(d.id)));
  }

  /** Pool one variant across the peers that have it, in peers-file order; what the merge decided goes to `warnings`. */
  private merged<T, W>(
    scope: LookupScope,
    fan: FanOutResult<T>,
    which: W,
    pick: (value: T, which: W) => PeerVariant | undefined,
    warnings: string[],
    // Each peer's value, in peers-file order: a batch finds them once, not once per variant.
    values: readonly (T | undefined)[] = this.o.health.map((h) => fan.values.get(h.peer.id)),
  ): VariantRecord | undefined {
    const parts: PeerPart[] = [];
    for (let k = 0; k < this.o.health.length; k++) {
      const h = this.o.health[k]!;
      const value = values[k];
      const v = value === undefined ? undefined : pick(value, which);
      if (!v) continue;
      if (!scope.datasetIds) {
        // No dataset filter: the peer's variant as read (no copy per peer and variant).
        if (v.frequencies.length > 0 || (v.notCovered && v.notCovered.length > 0)) parts.push({ peerId: h.peer.id, variant: v });
        continue;
      }
      const frequencies = v.frequencies.filter((e) => this.inScopeEntry(scope.datasetIds!, h, e.datasetId));
      const notCovered = v.notCovered?.filter((d) => this.inScopeEntry(scope.datasetIds!, h, d.datasetId));
      if (frequencies.length > 0 || (notCovered && notCovered.length > 0)) parts.push({ peerId: h.peer.id, variant: { ...v, frequencies, notCovered } });
    }
    if (parts.length === 0) return undefined;
    const m = mergeVariant(scope.assembly, parts, fan.asked, fan.failed, this.mergeOptions);
    for (const w of m.warnings) if (!warnings.includes(w)) warnings.push(w);
    return m.record;
  }
}

/** A peer's variant for query `i` (alleles answers are by query index). */
function byIndex(values: readonly (PeerVariant | undefined)[], i: number): PeerVariant | undefined {
  return values[i];
}

/** A peer's variant of key `key`. */
function byKey(values: ReadonlyMap<string, PeerVariant>, key: string): PeerVariant | undefined {
  return values.get(key);
}

/** A peer's alleles answer keyed by variant. */
function keyed(values: readonly (PeerVariant | undefined)[]): Map<string, PeerVariant> {
  const out = new Map<string, PeerVariant>();
  for (const v of values) if (v) out.set(v.key, v);
  return out;
}

/**
 * The distinct variants of several lists, each in key order, in key order (a heap would do for
 * many peers; a linear scan of the heads is as fast for the tens a broker has).
 */
export function kWayMerge(lists: readonly PeerVariant[][], limit = Infinity): PeerVariant[] {
  const heads = lists.map(() => 0);
  const out: PeerVariant[] = [];
  let last: PeerVariant | undefined;
  while (out.length < limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const v = lists[i]![heads[i]!];
      if (v && (best < 0 || compareVariants(v, lists[best]![heads[best]!]!) < 0)) best = i;
    }
    if (best < 0) break;
    const v = lists[best]![heads[best]!++]!;
    if (!last || last.key !== v.key) out.push(v);
    last = v;
  }
  return out;
}
