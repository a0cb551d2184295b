import { isPoolable, type CountKind, type GroupCounts } from './counts';
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

/** A pooling key, a small number naming that key string (keys are compared by it), and the canonical code it names (undefined for a key by code). */
interface PoolKey {
  key: string;
  id: number;
  canonical?: string;
}

/** Key strings to their numbers (the few dozen population keys a federation has; all of it is forgotten at once past KEYS_KEPT). */
const keyIds = new Map<string, number>();
const KEYS_KEPT = 100_000;

/**
 * poolingKey, remembered per code and canonical code (a broker pools hundreds of thousands of
 * population rows a second, of a few dozen groups: the key string, and the canonical code cut
 * from it, are made once, not per row).
 */
let keyCache = new WeakMap<object, Map<string, Map<string | undefined, PoolKey>>>();
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
    let id = keyIds.get(k);
    if (id === undefined) keyIds.set(k, (id = keyIds.size));
    byCanonical.set(canonical, (key = k.startsWith('canonical:') ? { key: k, id, canonical: k.slice(10) } : { key: k, id }));
  }
  return key;
}

/**
 * The row keys of the last variant pooled, by row position (entry-major): the next variant's rows
 * are mostly the same groups in the same order, found by comparing code and canonical instead of
 * three map lookups per row.
 */
let lastRows: { code: string; canonical?: string; explicit?: ReadonlyMap<string, string>; key: PoolKey }[] = [];

/** One pooling key's rows while a variant is pooled: running sums, not a list of the rows. */
interface Pooling {
  key: number;
  first: PopulationCounts;
  canonical?: string;
  /** Rows pooled (integer counts, or withheld ones). */
  n: number;
  ac: number;
  an: number;
  nhomalt: number;
  nhet: number;
  nhemi: number;
  /** Bit per kind (ac 1, an 2, nhomalt 4, nhet 8, nhemi 16) that some pooled row lacked: not summed. */
  lacking: number;
  withheld?: Set<CountKind>;
}

/**
 * How many times each entry pooled (and listed as AF-only) each key of the variant being pooled:
 * scratch space reused by every call (entry-major, so the contributor lists come out in the order
 * the rows were met), grown as needed. Lists are then made at their exact size (an array grown by
 * push reserves 17 places: that was most of what a broker allocated per variant).
 */
let pooledTimes = new Uint16Array(1024);
let afTimes = new Uint16Array(1024);

/** The running sums of the variant being pooled, reused by the next (nine objects fewer per variant; each is reset when taken). */
const scratch: Pooling[] = [];

/** An empty contributor list, shared (frozen: a list is read, never added to). */
const NO_CONTRIBUTORS = Object.freeze([]) as unknown as string[];

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
  if (keyIds.size >= KEYS_KEPT) {
    // Peers sending ever new codes must not grow the numbers without bound. Numbers are compared
    // only within one generation: every PoolKey holding an older one is dropped with them (here,
    // between two variants, never while one is pooled).
    keyIds.clear();
    keyCache = new WeakMap();
    lastRows = [];
  }
  let nPools = 0;
  let cells = 0;
  for (const e of entries) cells += e.populations.length;
  // At most one key per row: entries x rows bounds the cells touched.
  const size = entries.length * cells;
  if (pooledTimes.length < size) {
    pooledTimes = new Uint16Array(size * 2);
    afTimes = new Uint16Array(size * 2);
  }
  pooledTimes.fill(0, 0, size);
  afTimes.fill(0, 0, size);
  const nEntries = entries.length;
  let row = 0;
  for (let i = 0; i < nEntries; i++) {
    for (const p of entries[i]!.populations) {
      const last = lastRows[row];
      let k: PoolKey;
      if (last !== undefined && last.code === p.code && last.canonical === p.canonical && last.explicit === explicit) k = last.key;
      else {
        k = cachedKey(p.code, p.canonical, explicit);
        if (row < 1024) lastRows[row] = { code: p.code, canonical: p.canonical, explicit, key: k };
      }
      row++;
      let at = -1;
      for (let j = 0; j < nPools; j++) {
        if (scratch[j]!.key === k.id) {
          at = j;
          break;
        }
      }
      if (at < 0) {
        at = nPools++;
        const fresh = scratch[at];
        if (fresh === undefined) scratch.push({ key: k.id, first: p, canonical: k.canonical, n: 0, ac: 0, an: 0, nhomalt: 0, nhet: 0, nhemi: 0, lacking: 0 });
        else {
          fresh.key = k.id;
          fresh.first = p;
          fresh.canonical = k.canonical;
          fresh.n = fresh.ac = fresh.an = fresh.nhomalt = fresh.nhet = fresh.nhemi = fresh.lacking = 0;
          fresh.withheld = undefined;
        }
      }
      const pool = scratch[at]!;
      // A withheld count is part of the sum, unknown: the pooled kind is withheld, never a sum without it.
      const countsWithheld = p.withheld ? p.withheld.filter((kind) => kind !== 'af') : NONE;
      const c = p.counts;
      if (isPoolable(c) || countsWithheld.length > 0) {
        // sumCounts, row by row: a kind is summed only when every pooled row reports it.
        pool.n++;
        if (c.ac === undefined) pool.lacking |= 1;
        else pool.ac += c.ac;
        if (c.an === undefined) pool.lacking |= 2;
        else pool.an += c.an;
        if (c.nhomalt === undefined) pool.lacking |= 4;
        else pool.nhomalt += c.nhomalt;
        if (c.nhet === undefined) pool.lacking |= 8;
        else pool.nhet += c.nhet;
        if (c.nhemi === undefined) pool.lacking |= 16;
        else pool.nhemi += c.nhemi;
        pooledTimes[at * nEntries + i]!++;
        for (const kind of countsWithheld) (pool.withheld ??= new Set()).add(kind);
      } else if (c.af !== undefined) afTimes[at * nEntries + i]!++;
    }
  }
  const out: PooledPopulation[] = new Array(nPools);
  for (let j = 0; j < nPools; j++) {
    const e = scratch[j]!;
    const w = e.withheld;
    const counts: GroupCounts = {};
    if (e.n > 0) {
      if (!(e.lacking & 1) && !w?.has('ac')) counts.ac = e.ac;
      if (!(e.lacking & 2) && !w?.has('an')) counts.an = e.an;
      if (!(e.lacking & 4) && !w?.has('nhomalt')) counts.nhomalt = e.nhomalt;
      if (!(e.lacking & 8) && !w?.has('nhet')) counts.nhet = e.nhet;
      if (!(e.lacking & 16) && !w?.has('nhemi')) counts.nhemi = e.nhemi;
    }
    // Built field by field, in the order the wire writers and tests have always seen.
    const p = { code: e.canonical ?? e.first.code, label: e.first.label } as PooledPopulation;
    if (e.canonical) p.canonical = e.canonical;
    p.counts = counts;
    p.pooledFrom = contributorList(pooledTimes, j * nEntries, nEntries, contributors);
    p.frequencyOnly = contributorList(afTimes, j * nEntries, nEntries, contributors);
    if (w && w.size > 0) p.withheld = [...w];
    out[j] = p;
    // The row it came from is not kept past this call.
    e.first = undefined as unknown as PopulationCounts;
  }
  // The overall group first, then by code, so pooled answers read the same every time. By insertion
  // (stable, as Array.prototype.sort is): a few dozen keys, and no work array per variant.
  for (let i = 1; i < out.length; i++) {
    const x = out[i]!;
    let j = i - 1;
    for (; j >= 0 && byCode(out[j]!, x) > 0; j--) out[j + 1] = out[j]!;
    out[j + 1] = x;
  }
  return out;
}

/** The order of pooled populations: `Total` first, then by code. */
function byCode(a: PopulationCounts, b: PopulationCounts): number {
  return a.code === 'Total' ? -1 : b.code === 'Total' ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/** The contributors of one key's row of `times` (each as many times as it counted), in entry order, in an array of exactly that size. */
function contributorList(times: Uint16Array, from: number, n: number, contributors: readonly string[]): string[] {
  let size = 0;
  for (let i = 0; i < n; i++) size += times[from + i]!;
  if (size === 0) return NO_CONTRIBUTORS;
  const list: string[] = new Array(size);
  let at = 0;
  for (let i = 0; i < n; i++) for (let t = times[from + i]!; t > 0; t--) list[at++] = contributors[i]!;
  return list;
}

/** Two lists of dataset or peer ids the same, in order (contributor lists repeat from population to population, entry to entry). */
export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
