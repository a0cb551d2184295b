import { trimAlleles } from '../domain/alleles';
import type {
  AlleleQuery,
  AllelesResult,
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
import { mergeVariant, type PeerPart } from './merge';
import { compareVariants, variantKey, type PeerVariant } from './peer-answer';
import { MAX_PEER_PAGE, type PeerScan } from './peer-client';
import type { PeerHealth } from './peer-health';

export interface PeersLookupOptions {
  fanOut: FanOut;
  /** The peers in peers-file order (what `describe` lists and the order pooled parts are taken in). */
  health: readonly PeerHealth[];
  /** Waits (bounded) for the first health round, so `describe` lists the peers' datasets. */
  ready: () => Promise<void>;
  /** Population code -> canonical code, on top of the built-in vocabularies. */
  populations?: ReadonlyMap<string, string>;
}

/**
 * The VariantLookup over the fan-out: asks the peers (one request each), merges their answers by
 * variant and pools by population (merge.ts). Returns each peer's outcome in `trace`; keeps no
 * state between queries (the cache is a decorator around it, the health monitor is outside).
 */
export class PeersLookup implements VariantLookup {
  private readonly entitlement: (peerId: string, origin: string) => number;

  constructor(private readonly o: PeersLookupOptions) {
    const byId = new Map(o.health.map((h) => [h.peer.id, h]));
    this.entitlement = (peerId, origin) => byId.get(peerId)?.entitlement(origin) ?? 0;
  }

  async describe(): Promise<LookupDescription> {
    await this.o.ready();
    return { datasets: this.o.health.flatMap((h) => h.datasets) };
  }

  async findAlleles(scope: LookupScope, queries: readonly AlleleQuery[], signal?: AbortSignal): Promise<AllelesResult> {
    const keys = queries.map((q) => variantKey(q.contig, trimAlleles(q.start0, q.ref, q.alt)));
    // A peer whose answer is only coverage (absent, not covered) missed: its outcome is `miss`.
    const fan = await this.o.fanOut.run(scope, (client, call) => client.alleles(scope, queries, call), (found) => [...found.values()].some(isHit), signal);
    const warnings: string[] = [];
    return { records: keys.map((k) => this.merged(scope, fan, (byKey) => byKey.get(k), warnings)), trace: traceOf(fan, warnings) };
  }

  /**
   * A range, bracket or bare listing: each peer's first skip+limit matches (at most MAX_PEER_PAGE),
   * k-way merged in key order, each variant once. A count (`limit` 0) asks the peers at count
   * granularity: no peer sends a record. The total is exact when every peer's whole key set is
   * known (or only one peer has matches); otherwise it is the largest peer's, a lower bound.
   */
  async scan(scope: LookupScope, query: ScanQuery, page: Page, signal?: AbortSignal): Promise<ScanResult> {
    const want = page.limit === 0 ? 0 : Math.min(page.skip + page.limit, MAX_PEER_PAGE);
    const fan = await this.o.fanOut.run(scope, (client, call) => client.scan(scope, query, want, call), (s) => s.total > 0, signal);
    const warnings: string[] = [];
    const answered = this.o.health.filter((h) => fan.values.has(h.peer.id));
    const pages = answered.map((h) => fan.values.get(h.peer.id)!);
    // Every distinct variant the peers sent: the first `want` are exactly the federation's first `want`.
    const keys = kWayMerge(answered.map((h, i) => this.inScope(scope, h, pages[i]!.variants)));
    const byKey = this.byKey(fan);
    const records = keys
      .slice(page.skip, page.skip + page.limit)
      .map((v) => this.merged(scope, byKey, (m) => m.get(v.key), warnings))
      .filter((r): r is VariantRecord => r !== undefined);
    const known = pages.every((p) => p.variants.length >= p.total);
    const withMatches = pages.filter((p) => p.total > 0).length;
    let total: number;
    let lowerBound = false;
    if (page.limit > 0 && known) total = keys.length;
    else {
      total = Math.max(keys.length, ...pages.map((p) => p.total), 0);
      lowerBound = withMatches > 1;
    }
    if (page.limit > 0 && page.skip + page.limit > MAX_PEER_PAGE && !known) {
      warnings.push(`peers are asked for at most ${MAX_PEER_PAGE} records each; records past ${MAX_PEER_PAGE} are missing from this page`);
    }
    // A lower bound is flagged (totalIsLowerBound); the pipeline words the warning.
    return { total, ...(lowerBound ? { totalIsLowerBound: true } : {}), records, trace: traceOf(fan, warnings) };
  }

  async findRsid(scope: LookupScope, rsid: number, signal?: AbortSignal): Promise<RsidResult> {
    const fan = await this.o.fanOut.run(scope, (client, call) => client.rsid(scope, rsid, call), (found) => found.size > 0, signal);
    const all = [...new Map([...fan.values.values()].flatMap((m) => [...m.values()]).map((v) => [v.key, v])).values()].sort(compareVariants);
    const warnings: string[] = [];
    const records = all.map((v) => this.merged(scope, fan, (byKey) => byKey.get(v.key), warnings)).filter((r): r is VariantRecord => r !== undefined);
    return { records, trace: traceOf(fan, warnings) };
  }

  private byKey(fan: FanOutResult<PeerScan>): FanOutResult<Map<string, PeerVariant>> {
    const values = new Map([...fan.values].map(([peer, s]) => [peer, new Map(s.variants.map((v) => [v.key, v]))]));
    return { ...fan, values };
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
  private merged(
    scope: LookupScope,
    fan: FanOutResult<Map<string, PeerVariant>>,
    pick: (byKey: Map<string, PeerVariant>) => PeerVariant | undefined,
    warnings: string[],
  ): VariantRecord | undefined {
    const parts: PeerPart[] = [];
    for (const h of this.o.health) {
      const byKey = fan.values.get(h.peer.id);
      const v = byKey && pick(byKey);
      if (!v) continue;
      const frequencies = scope.datasetIds ? v.frequencies.filter((e) => this.inScopeEntry(scope.datasetIds!, h, e.datasetId)) : v.frequencies;
      const notCovered = scope.datasetIds ? v.notCovered?.filter((d) => this.inScopeEntry(scope.datasetIds!, h, d.datasetId)) : v.notCovered;
      if (frequencies.length > 0 || (notCovered && notCovered.length > 0)) parts.push({ peerId: h.peer.id, variant: { ...v, frequencies, notCovered } });
    }
    if (parts.length === 0) return undefined;
    const m = mergeVariant(scope.assembly, parts, fan.asked, fan.failed, { populations: this.o.populations, entitlement: this.entitlement });
    for (const w of m.warnings) if (!warnings.includes(w)) warnings.push(w);
    return m.record;
  }
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
