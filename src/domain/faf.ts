import { qpoisFast as qpois, thresholdOf, uniroot } from './poisson';
import { GenerationalMemo } from './generational-memo';

/**
 * The filtering allele frequency (FAF) as gnomAD publishes it (`faf95`, `faf99`): the highest true
 * allele frequency at which the observed allele count is still within the one-sided `ci` Poisson
 * bound (Whiffin et al. 2017; gnomAD help "Filtering allele frequency"). gnomAD computes it with
 * hail's `filtering_allele_frequency(AC, AN, ci)`, and so does this, step for step, so that afb's
 * numbers equal gnomAD's to the printed digit (test/unit/domain/faf.test.ts checks published
 * records): a root of AC - 1 - qpois(ci, AN * af) on [1e-10, 2] (tolerance 1e-7), rounded to 1e-8,
 * then walked up in steps of 1e-6 until qpois reaches AC, minus one step. AC <= 1 gives 0 (gnomAD
 * does not compute FAF on singletons); AN = 0 gives no value (nothing was measured).
 */
export function filteringAlleleFrequency(ac: number, an: number, ci: number, opts: FafOptions = {}): number | undefined {
  if (!(an > 0) || !Number.isFinite(ac) || !Number.isFinite(an)) return undefined;
  if (ac <= 1) return 0;
  const walkCi = opts.walkCi ?? ci;
  // One number per (AC, AN) while they fit (AC < 2^20, AN < 2^33); larger ones are not memoised.
  if (!(ac < 2 ** 20 && an < 2 ** 33)) return compute(ac, an, ci, walkCi);
  const key = an * 2 ** 20 + ac;
  const memo = memoFor(ci, walkCi);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = compute(ac, an, ci, walkCi);
  memo.set(key, value);
  return value;
}

export interface FafOptions {
  /**
   * The confidence of the final walk. hail before its fix (0.2.24, which made gnomAD v3.0's
   * `faf99`) walked at 0.95 whatever `ci` was; hail since then, and so gnomAD v4, walks at `ci`.
   * afb serves the fixed form; tests set 0.95 to reproduce v3.0's published faf99.
   */
  walkCi?: number;
}

// Counts repeat (the same variant asked again, pooled counts, small ACs everywhere) and one value
// costs ~10-50 µs: a bounded memo per (ci, walkCi), in two generations (domain/generational-memo.ts).
const MEMO_GENERATION = 100_000;

const memos = new Map<number, Map<number, GenerationalMemo>>();
let lastCi = NaN;
let lastWalkCi = NaN;
let lastMemo: GenerationalMemo | undefined;

/** The memo of one (ci, walkCi), found without building a key string (it is asked twice per population rendered). */
function memoFor(ci: number, walkCi: number): GenerationalMemo {
  if (ci === lastCi && walkCi === lastWalkCi && lastMemo) return lastMemo;
  let byWalk = memos.get(ci);
  if (!byWalk) memos.set(ci, (byWalk = new Map()));
  let m = byWalk.get(walkCi);
  if (!m) byWalk.set(walkCi, (m = new GenerationalMemo(MEMO_GENERATION)));
  lastCi = ci;
  lastWalkCi = walkCi;
  lastMemo = m;
  return m;
}

const LOWER = 1e-10;
const UPPER = 2;
const TOLERANCE = 1e-7;
const PRECISION = 1e-6;
const EXACT_STEPS = 512;
const EMULATE_MAX_AC = 1000;

function compute(ac: number, an: number, ci: number, walkCi: number): number {
  // Past AC = 1,000 hail's search is replaced by its limit: the largest af at which AC is still
  // within the bound, Λ_{AC-1} / AN (what hail's 1e-6 walk approaches from below, less than 1e-6
  // away). Emulating the search there costs milliseconds a value (large-λ Poisson sums), and the
  // difference is below gnomAD's printed precision for such common variants.
  if (ac > EMULATE_MAX_AC) return thresholdOf(walkCi, ac - 1) / an;
  const root = uniroot((af) => ac - 1 - qpois(ci, an * af), LOWER, UPPER, TOLERANCE) ?? 0;
  const rounder = 1 / (PRECISION / 100);
  const start = Math.round(root * rounder) / rounder;
  // hail adds PRECISION one step at a time while qpois(walkCi, AN * af) < AC, and returns the
  // last af minus PRECISION. The number of steps is found on start + k * PRECISION (qpois is
  // monotone in af), then the float sums hail makes are made the same way, one addition at a time,
  // and checked at the end, so the result is hail's to the last bit.
  const below = (af: number) => (af === 0 ? 0 : qpois(walkCi, an * af)) < ac;
  let lo = -1; // below(start + lo * PRECISION) holds, taking k = -1 as "before the start"
  let hi = 1;
  if (!below(start)) hi = 0;
  else {
    lo = 0;
    while (below(start + hi * PRECISION)) {
      lo = hi;
      hi *= 2;
      if (hi > 4_000_000) break; // af past 2: cannot happen for AC <= AN
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (below(start + mid * PRECISION)) lo = mid;
      else hi = mid;
    }
  }
  // Up to 512 steps the sums are hail's own float sums; past that (AN below ~3,000, where the walk
  // is long) start + k * PRECISION, which differs from them by at most k ulps: far below the nine
  // significant digits afb writes.
  const sumOf = (k: number): number => {
    if (k > EXACT_STEPS) return start + k * PRECISION;
    let x = start;
    for (let i = 0; i < k; i++) x += PRECISION;
    return x;
  };
  let sum = sumOf(hi);
  // The summed value may sit on the other side of the boundary than the product did (a few ulps).
  while (hi > 0 && !below(sumOf(hi - 1))) sum = sumOf(--hi);
  while (below(sum)) sum += PRECISION;
  return sum - PRECISION;
}

/** gnomAD's printed precision for FAF (VCF `%.5e`-style, 3 significant digits in its HTs): used by tests and docs. */
export function roundSignificant(x: number, digits: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}
