import { trimAlleles } from '../domain/alleles';
import type {
  AlleleQuery,
  AllelesResult,
  KeysResult,
  LookupDescription,
  LookupScope,
  LookupTrace,
  Page,
  RsidResult,
  ScanQuery,
  ScanResult,
  Traced,
  VariantLookup,
} from '../domain/lookup';
import { TtlCache } from './ttl-cache';

export interface AnswerCacheOptions {
  ttlMs: number;
  entries: number;
  /** Changes when any peer's data changes (the health monitor's versions); part of every key. */
  versions: () => string;
}

/**
 * A short answer cache around any VariantLookup (a decorator, like undici's cache interceptor
 * around dispatch). Keyed on the method, the normalised query, the scope (assembly, datasets,
 * the path it came by) and the peers' data versions. An answer is kept only when it is complete:
 * every peer that should have answered did (a transient failure is not remembered), no loop was
 * cut, no peer went unheard. A hit says so in each peer's outcome ('cached answer').
 */
export class CachedLookup implements VariantLookup {
  private readonly cache: TtlCache<Traced>;

  constructor(private readonly inner: VariantLookup, private readonly o: AnswerCacheOptions) {
    this.cache = new TtlCache(o.entries, o.ttlMs);
  }

  describe(): Promise<LookupDescription> {
    return this.inner.describe();
  }

  findAlleles(scope: LookupScope, queries: readonly AlleleQuery[], signal?: AbortSignal): Promise<AllelesResult> {
    const key = () => ['alleles', queries.map((q) => [q.contig, trimAlleles(q.start0, q.ref, q.alt)])];
    return this.through(scope, key, () => this.inner.findAlleles(scope, queries, signal));
  }

  scan(scope: LookupScope, query: ScanQuery, page: Page, signal?: AbortSignal): Promise<ScanResult> {
    return this.through(scope, () => ['scan', query, page], () => this.inner.scan(scope, query, page, signal));
  }

  findRsid(scope: LookupScope, rsid: number, signal?: AbortSignal): Promise<RsidResult> {
    return this.through(scope, () => ['rsid', rsid], () => this.inner.findRsid(scope, rsid, signal));
  }

  findVrs(scope: LookupScope, digest: string, signal?: AbortSignal): Promise<RsidResult> {
    return this.through(scope, () => ['vrs', digest], () => this.inner.findVrs!(scope, digest, signal));
  }

  scanKeys(scope: LookupScope, query: ScanQuery, limit: number, signal?: AbortSignal): Promise<KeysResult> {
    return this.through(scope, () => ['keys', query, limit], () => this.inner.scanKeys!(scope, query, limit, signal));
  }

  private through<R extends Traced>(scope: LookupScope, query: () => unknown, compute: () => Promise<R>): Promise<R> {
    if (this.o.ttlMs <= 0 || this.o.entries <= 0) return compute();
    return this.remembered(scope, query, compute);
  }

  private async remembered<R extends Traced>(scope: LookupScope, query: () => unknown, compute: () => Promise<R>): Promise<R> {
    const key = JSON.stringify([query(), scope.assembly, scope.datasetIds ?? null, scope.visited ?? [], this.o.versions()]);
    const hit = this.cache.get(key) as R | undefined;
    if (hit) return { ...hit, trace: cachedTrace(hit.trace) };
    const answer = await compute();
    if (complete(answer.trace)) this.cache.set(key, answer);
    return answer;
  }
}

function complete(trace: LookupTrace | undefined): boolean {
  if (!trace) return true;
  if (trace.noPeerAnswered) return false;
  return (trace.peers ?? []).every((p) => p.status === 'ok' || p.status === 'miss' || p.status === 'skipped_assembly' || p.status === 'skipped_unsupported');
}

function cachedTrace(trace: LookupTrace | undefined): LookupTrace {
  return { ...trace, peers: (trace?.peers ?? []).map((o) => ({ ...o, latencyMs: 0, message: 'cached answer' })) };
}
