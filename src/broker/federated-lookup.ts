import { setMaxListeners } from 'node:events';
import { trimAlleles } from '../domain/alleles';
import { formatVariantId } from '../domain/variant-id';
import type {
  AlleleQuery,
  AllelesResult,
  LookupDescription,
  LookupScope,
  LookupTrace,
  Page,
  PeerOutcome,
  RangeQuery,
  RsidResult,
  ScanQuery,
  ScanResult,
  VariantLookup,
  VariantRecord,
} from '../domain/lookup';
import type { BrokerConfig } from '../config/broker-config';
import { PeerFailure, PeerHttp } from './peer-http';
import { PeerHealth } from './peer-health';
import { readPeerRecord, variantKey, type PeerVariant } from './peer-answer';
import { mergeVariant, type PeerPart } from './merge';
import { TtlCache } from './ttl-cache';
import type { Peer } from './peers';

export interface FederatedOptions {
  /** This broker's id (its beaconId): what it adds to X-Afb-Visited. */
  id: string;
  peers: Peer[];
  config: BrokerConfig;
  /** Population code -> canonical code, on top of the built-in vocabularies. */
  populations?: ReadonlyMap<string, string>;
  log?: (level: 'info' | 'warn', obj: Record<string, unknown>, msg: string) => void;
}

/** What one fan-out gave: each answering peer's value, every peer's outcome. */
interface FanOut<T> {
  values: Map<string, T>;
  outcomes: PeerOutcome[];
  asked: string[];
  failed: string[];
}

const MAX_PEER_PAGE = 1000;
const THIRD_PARTY_PARALLEL = 16;

/**
 * A VariantLookup over peers (DESIGN §8): one request per peer per query, all in flight at once,
 * under one deadline; answers validated, merged by variant and pooled by population; each peer's
 * outcome in `scope.trace.peers`. Peers may be afb nodes, afb brokers or third-party Beacons.
 */
export class FederatedLookup implements VariantLookup {
  private readonly http = new PeerHttp();
  private readonly health: PeerHealth[];
  private readonly cache: TtlCache<{ value: unknown; outcomes: PeerOutcome[] }>;
  private timer?: NodeJS.Timeout;
  private readonly stopping = new AbortController();
  private initial?: Promise<void>;

  constructor(private readonly o: FederatedOptions) {
    this.health = o.peers.map((p) => new PeerHealth(p, o.config));
    this.cache = new TtlCache(o.config.cacheEntries, o.config.cacheTtlMs);
  }

  /** First health round now, then every healthIntervalMs (the timer does not keep the process alive). */
  start(): void {
    this.initial = this.pollAll();
    this.timer = setInterval(() => void this.pollAll(), this.o.config.healthIntervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopping.abort();
    await this.initial?.catch(() => undefined);
    await this.http.close();
  }

  /** One health round under its own deadline; close() aborts the round in flight. */
  private async pollAll(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const round = new AbortController();
    setMaxListeners(this.health.length * 4 + 10, round.signal);
    const stop = () => round.abort();
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    const timer = setTimeout(stop, this.o.config.deadlineMs);
    try {
      await Promise.all(this.health.map((h) => h.poll(this.http, round.signal, this.o.config.maxResponseBytes)));
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', stop);
    }
  }

  async describe(): Promise<LookupDescription> {
    if (this.initial) await Promise.race([this.initial, sleep(this.o.config.deadlineMs)]);
    return { datasets: this.health.flatMap((h) => h.datasets) };
  }

  /** GET /api/network: every peer's state as the health polls and queries left it. */
  async network(): Promise<unknown> {
    return {
      broker: this.o.id,
      checkedEveryMs: this.o.config.healthIntervalMs,
      peers: this.health.map((h) => ({
        id: h.peer.id,
        name: h.peer.name,
        country: h.peer.country,
        url: h.peer.url,
        kind: h.peer.kind,
        role: h.role,
        assemblies: h.peer.assemblies,
        state: h.state,
        checkedAt: h.checkedAt,
        latencyMs: h.latencyMs,
        lastError: h.lastError ?? h.breaker.lastError,
        consecutiveFailures: h.breaker.consecutiveFailures,
        datasets: h.datasets.map((d) => ({ id: d.id, name: d.name, assemblyId: d.assembly, version: d.version, variantCount: d.variantCount })),
      })),
    };
  }

  async findAlleles(scope: LookupScope, queries: readonly AlleleQuery[]): Promise<AllelesResult> {
    const keys = queries.map((q) => variantKey(q.contig, trimAlleles(q.start0, q.ref, q.alt)));
    const { value, trace } = await this.cached(scope, ['alleles', keys], async () => {
      const fan = await this.fanOut(scope, (peer, signal, visited) =>
        peer.kind === 'afb' ? this.batchFromAfb(peer, scope, queries, keys, signal, visited) : this.allelesFromBeacon(peer, scope, queries, keys, signal),
      );
      return {
        value: keys.map((_, i) => this.merged(scope, fan, (byKey) => byKey.get(keys[i]!))),
        fan,
      };
    });
    return { records: value, trace };
  }

  // TEMPORARY: 'all' is not federated yet (the broker rewrite brings a k-way merge).
  async scan(scope: LookupScope, query: ScanQuery, page: Page): Promise<ScanResult> {
    if (query.kind === 'all') return { total: 0, records: [], trace: { warnings: ['a bare listing is not federated; query a range'] } };
    const { value, trace } = await this.findRange(scope, query, page);
    return { ...value, trace };
  }

  private async findRange(scope: LookupScope, query: RangeQuery, page: Page) {
    const warnings: string[] = [];
    const r = await this.cached(scope, ['range', query, page], async () => {
      const need = Math.min(page.skip + page.limit, MAX_PEER_PAGE);
      const totals = new Map<string, number>();
      const fan = await this.fanOut(scope, async (peer, signal, visited) => {
        const body = rangeBody(scope, query, need);
        const answer = await this.http.json(peer, { method: 'POST', path: '/g_variants', body, signal, visited, maxBytes: this.o.config.maxResponseBytes });
        const r = readResultSets(answer, peer);
        totals.set(peer.id, r.total);
        return r.variants;
      });
      const keys = new Map<string, PeerVariant>();
      for (const variants of fan.values.values()) for (const v of variants.values()) if (!keys.has(v.key)) keys.set(v.key, v);
      const ordered = [...keys.values()].sort((a, b) => a.trimmed.start0 - b.trimmed.start0 || cmp(a.trimmed.ref, b.trimmed.ref) || cmp(a.trimmed.alt, b.trimmed.alt));
      const records = ordered
        .slice(page.skip, page.skip + page.limit)
        .map((v) => this.merged(scope, fan, (byKey) => byKey.get(v.key)))
        .filter((r): r is VariantRecord => r !== undefined);
      if (page.skip + page.limit > MAX_PEER_PAGE) warnings.push(`peers are asked for at most ${MAX_PEER_PAGE} records; page beyond that is incomplete`);
      // Variants several peers hold are one result: the total is at least the largest peer's and the distinct count seen.
      const total = Math.max(keys.size, ...totals.values(), 0);
      return { value: { total, records }, fan };
    });
    if (warnings.length > 0) r.trace.warnings = [...(r.trace.warnings ?? []), ...warnings];
    return r;
  }

  async findRsid(scope: LookupScope, rsid: number): Promise<RsidResult> {
    const { value, trace } = await this.cached(scope, ['rsid', rsid], async () => {
      const fan = await this.fanOut(scope, async (peer, signal, visited) => {
        if (peer.kind !== 'afb') return new Map<string, PeerVariant>();
        const path = `/g_variants/rs${rsid}?assemblyId=${scope.assembly}`;
        const answer = await this.http.json(peer, { method: 'GET', path, signal, visited, maxBytes: this.o.config.maxResponseBytes });
        return readResultSets(answer, peer).variants;
      });
      const keys = new Set<string>();
      for (const m of fan.values.values()) for (const k of m.keys()) keys.add(k);
      return { value: [...keys].map((k) => this.merged(scope, fan, (byKey) => byKey.get(k))).filter((r): r is VariantRecord => r !== undefined), fan };
    });
    return { records: value, trace };
  }

  /** Pool one variant across the peers that have it, in peers-file order. */
  private merged(scope: LookupScope, fan: FanOut<Map<string, PeerVariant>>, pick: (byKey: Map<string, PeerVariant>) => PeerVariant | undefined): VariantRecord | undefined {
    const parts: PeerPart[] = [];
    for (const h of this.health) {
      const byKey = fan.values.get(h.peer.id);
      const v = byKey && pick(byKey);
      if (!v) continue;
      const entries = scope.datasetIds ? v.entries.filter((e) => scope.datasetIds!.includes(e.datasetId)) : v.entries;
      if (entries.length > 0) parts.push({ peerId: h.peer.id, variant: { ...v, entries } });
    }
    if (parts.length === 0) return undefined;
    return mergeVariant(scope.assembly, parts, fan.asked, fan.failed, this.o.populations);
  }

  /**
   * afb peers: the whole list in one POST /batch; a single variant as GET /g_variants/{id}, which
   * an afb node answers on its fast path (a third of the cost of a batch request there).
   */
  private async batchFromAfb(peer: Peer, scope: LookupScope, queries: readonly AlleleQuery[], keys: string[], signal: AbortSignal, visited: string[]) {
    if (queries.length === 1) {
      const t = trimAlleles(queries[0]!.start0, queries[0]!.ref, queries[0]!.alt);
      const id = `${scope.assembly}:${formatVariantId(queries[0]!.contig, t.start0, t.ref || '-', t.alt || '-')}`;
      const answer = await this.http.json(peer, { method: 'GET', path: `/g_variants/${encodeURIComponent(id)}`, signal, visited, maxBytes: this.o.config.maxResponseBytes });
      const found = readResultSets(answer, peer).variants;
      const v = found.get(keys[0]!);
      return new Map(v ? [[v.key, v]] : []);
    }
    const body = {
      assemblyId: scope.assembly,
      variants: queries.map((q) => ({ referenceName: q.contig, start: q.start0, referenceBases: q.ref.toUpperCase(), alternateBases: q.alt.toUpperCase() })),
    };
    const answer = (await this.http.json(peer, { method: 'POST', path: '/batch', body, signal, visited, maxBytes: this.o.config.maxResponseBytes })) as { results?: unknown };
    if (!answer || !Array.isArray(answer.results) || answer.results.length !== queries.length) {
      throw new PeerFailure('invalid_answer', `batch answer does not list ${queries.length} results`);
    }
    const out = new Map<string, PeerVariant>();
    answer.results.forEach((r: { record?: unknown }, i) => {
      if (!r || typeof r !== 'object' || r.record === undefined) return;
      const v = readPeerRecord(r.record, peer);
      if (v.key === keys[i]) out.set(v.key, v);
    });
    return out;
  }

  /** Third-party Beacons have no batch: one sequence query per variant, a few at a time. */
  private async allelesFromBeacon(peer: Peer, scope: LookupScope, queries: readonly AlleleQuery[], keys: string[], signal: AbortSignal) {
    const out = new Map<string, PeerVariant>();
    let next = 0;
    const worker = async () => {
      while (next < queries.length) {
        const i = next++;
        const q = queries[i]!;
        const qs = new URLSearchParams({
          referenceName: q.contig,
          start: String(q.start0),
          referenceBases: q.ref.toUpperCase(),
          alternateBases: q.alt.toUpperCase(),
          assemblyId: scope.assembly,
          requestedGranularity: 'record',
        });
        const answer = await this.http.json(peer, { method: 'GET', path: `/g_variants?${qs}`, signal, maxBytes: this.o.config.maxResponseBytes });
        const found = readResultSets(answer, peer).variants;
        // Beacons disagree on coordinates (SPEC-NOTES §3): take the exact variant, else the same alleles one base off.
        const want = trimAlleles(q.start0, q.ref, q.alt);
        const v =
          found.get(keys[i]!) ??
          [...found.values()].find((x) => x.contig === q.contig && x.trimmed.ref === want.ref && x.trimmed.alt === want.alt && Math.abs(x.trimmed.start0 - want.start0) <= 1);
        if (v) out.set(keys[i]!, { ...v, key: keys[i]! });
      }
    };
    await Promise.all(Array.from({ length: Math.min(THIRD_PARTY_PARALLEL, queries.length) }, worker));
    return out;
  }

  /**
   * Ask every eligible peer at once under the deadline; a peer's failure is its outcome, never the
   * answer's. Skipped: peers on another assembly, peers whose breaker is open, and everything when
   * this broker is already on the query's path (a loop) or the path is too long.
   */
  private async fanOut<T extends Map<string, PeerVariant>>(scope: LookupScope, ask: (peer: Peer, signal: AbortSignal, visited: string[]) => Promise<T>): Promise<FanOut<T>> {
    const visited = [...(scope.visited ?? [])];
    const fan: FanOut<T> = { values: new Map(), outcomes: [], asked: [], failed: [] };
    const loop = visited.includes(this.o.id) || visited.length >= this.o.config.maxDepth;
    const deadline = new AbortController();
    // Every peer call listens on the deadline (a request, its timeout, the race below): 20 peers exceed node's default of 10.
    setMaxListeners(this.health.length * 4 + 10, deadline.signal);
    const timer = setTimeout(() => deadline.abort(), this.o.config.deadlineMs);
    const forward = [...visited, this.o.id];
    try {
      await Promise.all(
        this.health.map(async (h): Promise<void> => {
          const peer = h.peer;
          const outcome = (status: PeerOutcome['status'], latencyMs: number, extra: Partial<PeerOutcome> = {}): void => {
            fan.outcomes.push({ peer: peer.id, name: peer.name, status, latencyMs, ...extra });
          };
          if (loop) return outcome('skipped_loop', 0, { message: `this broker (${this.o.id}) is already on the query's path ${visited.join(' > ')}` });
          if (!peer.assemblies.includes(scope.assembly)) return outcome('skipped_assembly', 0, { message: `serves ${peer.assemblies.join(', ')}` });
          if (!h.breaker.allow()) {
            fan.failed.push(peer.id);
            return outcome('skipped_down', 0, { message: `down after ${h.breaker.consecutiveFailures} failures (${h.breaker.lastError ?? ''}); retried later` });
          }
          fan.asked.push(peer.id);
          const started = performance.now();
          try {
            const value = await Promise.race([ask(peer, deadline.signal, forward), whenAborted(deadline.signal, peer)]);
            h.breaker.success();
            fan.values.set(peer.id, value);
            outcome(value.size > 0 ? 'ok' : 'miss', ms(started));
          } catch (e) {
            const f = e instanceof PeerFailure ? e : new PeerFailure('invalid_answer', (e as Error).message);
            h.breaker.failure(f.message);
            fan.failed.push(peer.id);
            outcome(f.status, ms(started), { message: f.message, ...(f.httpStatus ? { httpStatus: f.httpStatus } : {}) });
            this.o.log?.('warn', { peer: peer.id, status: f.status, message: f.message }, 'peer failed');
          }
        }),
      );
    } finally {
      clearTimeout(timer);
    }
    // Asked peers first in peers-file order, so outcomes read the same every time.
    const order = new Map(this.health.map((h, i) => [h.peer.id, i]));
    fan.outcomes.sort((a, b) => order.get(a.peer)! - order.get(b.peer)!);
    fan.asked.sort((a, b) => order.get(a)! - order.get(b)!);
    fan.failed.sort((a, b) => order.get(a)! - order.get(b)!);
    return fan;
  }

  /**
   * Answers are cached on the query, the path it came by and the peers' data versions, and only
   * when every asked peer answered (a transient failure is not remembered).
   */
  private async cached<V>(scope: LookupScope, query: unknown, compute: () => Promise<{ value: V; fan: FanOut<Map<string, PeerVariant>> }>): Promise<{ value: V; trace: LookupTrace }> {
    const key = JSON.stringify([query, scope.assembly, scope.datasetIds ?? null, scope.visited ?? [], this.health.map((h) => [h.peer.id, h.versions])]);
    const hit = this.cache.get(key);
    if (hit) return { value: hit.value as V, trace: { peers: hit.outcomes.map((o) => ({ ...o, latencyMs: 0, message: 'cached answer' })) } };
    const { value, fan } = await compute();
    if (fan.failed.length === 0 && !fan.outcomes.some((o) => o.status === 'skipped_loop')) this.cache.set(key, { value, outcomes: fan.outcomes });
    return { value, trace: { peers: fan.outcomes } };
  }
}

/** Records of a g_variants answer (any result set, granularity record), keyed by variant; validated. */
function readResultSets(answer: unknown, peer: Peer): { variants: Map<string, PeerVariant>; total: number } {
  const a = answer as Record<string, any>;
  if (!a || typeof a !== 'object') throw new PeerFailure('invalid_answer', 'answer is not a JSON object');
  if (a.error) throw new PeerFailure('invalid_answer', `Beacon error ${a.error.errorCode}: ${a.error.errorMessage ?? ''}`);
  const sets = a.response?.resultSets ?? [];
  if (!Array.isArray(sets)) throw new PeerFailure('invalid_answer', 'response.resultSets is not a list');
  const variants = new Map<string, PeerVariant>();
  for (const set of sets) {
    if (!Array.isArray(set?.results)) throw new PeerFailure('invalid_answer', 'a result set has no results list');
    for (const raw of set.results) {
      const v = readPeerRecord(raw, peer);
      const seen = variants.get(v.key);
      // A node answers one result set per dataset: the same variant's entries are joined.
      if (seen) seen.entries.push(...v.entries);
      else variants.set(v.key, v);
    }
  }
  const total = Number.isSafeInteger(a.responseSummary?.numTotalResults) ? a.responseSummary.numTotalResults : variants.size;
  return { variants, total };
}

function rangeBody(scope: LookupScope, q: RangeQuery, limit: number) {
  const params: Record<string, unknown> = { referenceName: q.contig, assemblyId: scope.assembly };
  if (q.kind === 'range') Object.assign(params, { start: [q.start0], end: [q.end0] });
  else Object.assign(params, { start: [q.startMin0, q.startMax0], end: [q.endMin0, q.endMax0] });
  if (q.alt !== undefined) params.alternateBases = q.alt;
  if (q.variantType !== undefined) params.variantType = q.variantType;
  if (q.minLength !== undefined) params.variantMinLength = q.minLength;
  if (q.maxLength !== undefined) params.variantMaxLength = q.maxLength;
  return { meta: { apiVersion: 'v2.0' }, query: { requestParameters: params, pagination: { skip: 0, limit }, requestedGranularity: 'record' } };
}

/** Rejects when the deadline fires, so no peer can hold the answer past it even if its request ignores the abort. */
function whenAborted(signal: AbortSignal, peer: Peer): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new PeerFailure('timeout', `no answer within the broker deadline (peer timeout ${peer.timeoutMs} ms)`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

function ms(started: number): number {
  return Math.round(performance.now() - started);
}

function sleep(msec: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msec).unref());
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
