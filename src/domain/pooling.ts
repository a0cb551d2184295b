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

/** A pooling key and the canonical code it names (undefined for a key by code). */
interface PoolKey {
  key: string;
  canonical?: string;
}

/**
 * poolingKey, remembered per code and canonical code (a broker pools hundreds of thousands of
 * population rows a second, of a few dozen groups: the key string, and the canonical code cut
 * from it, are made once, not per row).
 */
const keyCache = new WeakMap<object, Map<string, Map<string | undefined, PoolKey>>>();
function cachedKey(code: string, canonical: string | undefined, explicit?: ReadonlyMap<string, string>): PoolKey {
  let cache = keyCache.get(explicit ?? NONE);
  if (!cache) keyCache.set(explicit ?? NONE, (cache = new Map()));
  let byCanonical = cache.get(code);
  if (!byCanonical) {
    if (cache.size > 10_000) cache.clear();
    cache.set(code, (byCanonical = new Map()));
  }
  let key = byCanonical.get(canonical);
  if (key === undefined) {
    const k = poolingKey(code, canonical, explicit);
    byCanonical.set(canonical, (key = k.startsWith('canonical:') ? { key: k, canonical: k.slice(10) } : { key: k }));
  }
  return key;
}

/** One pooling key's rows while a variant is pooled. */
interface Pooling {
  key: string;
  first: PopulationCounts;
  parts: GroupCounts[];
  from: string[];
  afOnly: string[];
  withheld?: Set<CountKind>;
  canonical?: string;
}

/**
 * Exact pooling (DESIGN §4): per pooling key, AC, AN, nhomalt, nhet and nhemi are summed over
 * the contributors that report integer AC and AN (a kind only when every one of them reports
 * it); AF is computed once from the sums, at the edge. Contributors with only AF are listed, not
 * pooled. Nothing here guesses a count that was not reported.
 */
export function poolPopulations(contributions: readonly Contribution[], explicit?: ReadonlyMap<string, string>): PooledPopulation[] {
  return poolEntries(
    contributions.map((c) => c.frequencies),
    contributions.map((c) => c.contributor),
    explicit,
  );
}

/**
 * poolPopulations of `entries`, the contributor of entries[i] named contributors[i] (a broker pools
 * each of tens of thousands of variants: no Contribution object per entry, no Map per variant:
 * the keys of a variant are a few dozen at most, found by a scan of those met so far).
 */
export function poolEntries(entries: readonly DatasetFrequencies[], contributors: readonly string[], explicit?: ReadonlyMap<string, string>): PooledPopulation[] {
  const pools: Pooling[] = [];
  for (let i = 0; i < entries.length; i++) {
    const contributor = contributors[i]!;
    for (const p of entries[i]!.populations) {
      const k = cachedKey(p.code, p.canonical, explicit);
      let entry: Pooling | undefined;
      for (const e of pools) {
        if (e.key === k.key) {
          entry = e;
          break;
        }
      }
      if (!entry) {
        entry = { key: k.key, first: p, parts: [], from: [], afOnly: [], canonical: k.canonical };
        pools.push(entry);
      }
      // A withheld count is part of the sum, unknown: the pooled kind is withheld, never a sum without it.
      const countsWithheld = p.withheld ? p.withheld.filter((kind) => kind !== 'af') : NONE;
      if (isPoolable(p.counts) || countsWithheld.length > 0) {
        entry.parts.push(p.counts);
        entry.from.push(contributor);
        for (const kind of countsWithheld) (entry.withheld ??= new Set()).add(kind);
      } else if (p.counts.af !== undefined) entry.afOnly.push(contributor);
    }
  }
  const out: PooledPopulation[] = [];
  for (const e of pools) {
    const counts = sumCounts(e.parts);
    if (e.withheld) for (const k of e.withheld) delete counts[k];
    // Built field by field, in the order the wire writers and tests have always seen.
    const p = { code: e.canonical ?? e.first.code, label: e.first.label } as PooledPopulation;
    if (e.canonical) p.canonical = e.canonical;
    p.counts = counts;
    p.pooledFrom = e.from;
    p.frequencyOnly = e.afOnly;
    if (e.withheld && e.withheld.size > 0) p.withheld = [...e.withheld];
    out.push(p);
  }
  // The overall group first, then by code, so pooled answers read the same every time.
  return out.sort((a, b) => (a.code === 'Total' ? -1 : b.code === 'Total' ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
