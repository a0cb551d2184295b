import { policyFor, type AccessLevel, type AccessPolicy, type Caller, type LevelPolicy } from '../domain/access';
import { AfbError } from '../domain/errors';
import { lowerGranularity, type Granularity } from '../domain/lookup';
import type { VariantQuery } from '../domain/lookup';


/** The lower of two granularities. */
export function capGranularity(asked: Granularity, allowed: Granularity): Granularity {
  return lowerGranularity(asked, allowed);
}

/**
 * What a caller may do in one request over some datasets: the strictest of the policies that
 * apply to it for each (its level's, with each dataset's overrides); its level's alone when the
 * request names no dataset the lookup has.
 */
export function requestPolicy(policy: AccessPolicy, caller: Caller, datasetIds: readonly string[]): LevelPolicy & { level: AccessLevel } {
  const each = datasetIds.length > 0 ? datasetIds.map((d) => policyFor(policy, caller, d)) : [policy.levels[caller.level]];
  const min = (k: 'requestsPerMinute' | 'maxBatch' | 'maxRangeBases'): number | undefined => {
    const v = each.map((p) => p[k]).filter((x): x is number => x !== undefined);
    return v.length > 0 ? Math.min(...v) : undefined;
  };
  const granularity = each.map((p) => p.granularity).reduce(capGranularity);
  const out: LevelPolicy & { level: AccessLevel } = { level: caller.level, granularity, minCount: Math.max(...each.map((p) => p.minCount)) };
  const maxBatch = min('maxBatch');
  const maxRangeBases = min('maxRangeBases');
  if (maxBatch !== undefined) out.maxBatch = maxBatch;
  if (maxRangeBases !== undefined) out.maxRangeBases = maxRangeBases;
  return out;
}

/** A batch over the caller's level limit: 413, naming the level and its limit. */
export function checkBatch(p: LevelPolicy & { level: AccessLevel }, n: number): void {
  if (p.maxBatch !== undefined && n > p.maxBatch) {
    throw new AfbError('PAYLOAD_TOO_LARGE', `variants: ${n} entries; the ${p.level} access level takes at most ${p.maxBatch} per batch (access maxBatch), split it`);
  }
}

/** A range or bracket wider than the caller's level allows: 400, naming the level and its limit. */
export function checkRange(p: LevelPolicy & { level: AccessLevel }, q: VariantQuery): void {
  if (p.maxRangeBases === undefined) return;
  const width = q.kind === 'range' ? q.end0 - q.start0 : q.kind === 'bracket' ? q.endMax0 - q.startMin0 : 0;
  if (width > p.maxRangeBases) {
    throw new AfbError('INVALID_PARAMETER', `the ${q.kind} spans ${width} bases; the ${p.level} access level allows at most ${p.maxRangeBases} (access maxRangeBases), split the query`);
  }
}

/**
 * Requests per minute per client and level, over a sliding minute: the (n+1)th request within 60 s
 * of the first of the last n is refused with 429 and Retry-After (seconds until the oldest leaves
 * the window). Memory is bounded: clients idle for a minute are forgotten on the next sweep.
 */
export function rateLimiter(policy: AccessPolicy, now: () => number = Date.now): (caller: Caller) => void {
  const windows = new Map<string, number[]>();
  let lastSweep = now();
  return (caller) => {
    const limit = policy.levels[caller.level].requestsPerMinute;
    if (limit === undefined) return;
    const t = now();
    if (t - lastSweep > 60_000) {
      for (const [k, w] of windows) if (w.length === 0 || t - w[w.length - 1]! >= 60_000) windows.delete(k);
      lastSweep = t;
    }
    const key = `${caller.level}|${caller.clientId}`;
    let w = windows.get(key);
    if (!w) windows.set(key, (w = []));
    while (w.length > 0 && t - w[0]! >= 60_000) w.shift();
    if (w.length >= limit) {
      const retry = Math.max(1, Math.ceil((w[0]! + 60_000 - t) / 1000));
      throw new AfbError('RATE_LIMITED', `more than ${limit} requests in a minute at the ${caller.level} access level (access requestsPerMinute); try again in ${retry} s`, {
        headers: { 'Retry-After': String(retry) },
      });
    }
    w.push(t);
  };
}
