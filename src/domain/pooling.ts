import { isPoolable, sumCounts, type CountKind, type GroupCounts } from './counts';
import { poolingKey } from './populations';
import type { DatasetFrequencies, PopulationCounts } from './lookup';

/** One contributor's frequencies for a variant: a dataset of a peer (or of this node). */
export interface Contribution {
  /** Who contributed, e.g. `fi` or `fi: 1kg-fi` */
  contributor: string;
  frequencies: DatasetFrequencies;
}

export interface PooledPopulation extends PopulationCounts {
  /** Contributors whose integer counts are in the sums. */
  pooledFrom: string[];
  /** Contributors that reported this population only as a frequency: shown, not pooled. */
  frequencyOnly: string[];
}

const NONE: readonly CountKind[] = [];

/**
 * poolingKey, remembered per code and canonical code (a broker pools hundreds of thousands of
 * population rows a second, of a few dozen groups: the key string is made once, not per row).
 */
const keyCache = new WeakMap<object, Map<string, Map<string | undefined, string>>>();
function cachedKey(code: string, canonical: string | undefined, explicit?: ReadonlyMap<string, string>): string {
  let cache = keyCache.get(explicit ?? NONE);
  if (!cache) keyCache.set(explicit ?? NONE, (cache = new Map()));
  let byCanonical = cache.get(code);
  if (!byCanonical) {
    if (cache.size > 10_000) cache.clear();
    cache.set(code, (byCanonical = new Map()));
  }
  let key = byCanonical.get(canonical);
  if (key === undefined) byCanonical.set(canonical, (key = poolingKey(code, canonical, explicit)));
  return key;
}

/**
 * Exact pooling (DESIGN §4): per pooling key, AC, AN, nhomalt, nhet and nhemi are summed over
 * the contributors that report integer AC and AN (a kind only when every one of them reports
 * it); AF is computed once from the sums, at the edge. Contributors with only AF are listed, not
 * pooled. Nothing here guesses a count that was not reported.
 */
export function poolPopulations(contributions: readonly Contribution[], explicit?: ReadonlyMap<string, string>): PooledPopulation[] {
  const byKey = new Map<string, { first: PopulationCounts; parts: GroupCounts[]; from: string[]; afOnly: string[]; withheld?: Set<CountKind>; canonical?: string }>();
  for (const c of contributions) {
    for (const p of c.frequencies.populations) {
      const key = cachedKey(p.code, p.canonical, explicit);
      let entry = byKey.get(key);
      if (!entry) {
        entry = { first: p, parts: [], from: [], afOnly: [], canonical: key.startsWith('canonical:') ? key.slice(10) : undefined };
        byKey.set(key, entry);
      }
      // A withheld count is part of the sum, unknown: the pooled kind is withheld, never a sum without it.
      const countsWithheld = p.withheld ? p.withheld.filter((k) => k !== 'af') : NONE;
      if (isPoolable(p.counts) || countsWithheld.length > 0) {
        entry.parts.push(p.counts);
        entry.from.push(c.contributor);
        for (const k of countsWithheld) (entry.withheld ??= new Set()).add(k);
      } else if (p.counts.af !== undefined) entry.afOnly.push(c.contributor);
    }
  }
  const out: PooledPopulation[] = [];
  for (const e of byKey.values()) {
    const counts = sumCounts(e.parts);
    if (e.withheld) for (const k of e.withheld) delete counts[k];
    out.push({
      code: e.canonical ?? e.first.code,
      label: e.first.label,
      ...(e.canonical ? { canonical: e.canonical } : {}),
      counts,
      pooledFrom: e.from,
      frequencyOnly: e.afOnly,
      ...(e.withheld && e.withheld.size > 0 ? { withheld: [...e.withheld] } : {}),
    });
  }
  // The overall group first, then by code, so pooled answers read the same every time.
  return out.sort((a, b) => (a.code === 'Total' ? -1 : b.code === 'Total' ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
