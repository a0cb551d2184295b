import { qpois, uniroot } from './poisson';

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
  const key = `${ac}/${an}/${ci}/${walkCi}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = compute(ac, an, ci, walkCi);
  if (memo.size >= MEMO_MAX) memo.clear();
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

// Pooled counts repeat (the same variant asked again, small ACs everywhere): a bounded memo.
const MEMO_MAX = 50_000;
const memo = new Map<string, number>();

const LOWER = 1e-10;
const UPPER = 2;
const TOLERANCE = 1e-7;
const PRECISION = 1e-6;

function compute(ac: number, an: number, ci: number, walkCi: number): number {
  const root = uniroot((af) => ac - 1 - qpois(ci, an * af), LOWER, UPPER, TOLERANCE) ?? 0;
  const rounder = 1 / (PRECISION / 100);
  const start = Math.round(root * rounder) / rounder;
  // hail adds PRECISION one step at a time while qpois(ci, AN * af) < AC. The steps are added
  // here the same way (the float sums must be the same numbers), but qpois is asked only at a
  // doubling then bisecting set of step counts: it is monotone in af.
  const below = (af: number) => (af === 0 ? 0 : qpois(walkCi, an * af)) < ac;
  const sums: number[] = [start];
  const at = (k: number): number => {
    while (sums.length <= k) sums.push(sums[sums.length - 1]! + PRECISION);
    return sums[k]!;
  };
  if (!below(at(0))) return at(0) - PRECISION;
  let lo = 0; // below(at(lo)) holds
  let hi = 1;
  while (below(at(hi))) {
    lo = hi;
    hi *= 2;
    if (hi > 4_000_000) return at(lo) - PRECISION; // af past 2: cannot happen for AC <= AN
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (below(at(mid))) lo = mid;
    else hi = mid;
  }
  return at(hi) - PRECISION;
}

/** gnomAD's printed precision for FAF (VCF `%.5e`-style, 3 significant digits in its HTs): used by tests and docs. */
export function roundSignificant(x: number, digits: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}
