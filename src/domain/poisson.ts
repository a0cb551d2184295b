/**
 * The Poisson and root-finding pieces the filtering allele frequency needs (domain/faf.ts), written
 * to give the same answers as the libraries gnomAD's numbers come from: hail's `qpois` (jdistlib,
 * a port of R's `qpois`: the smallest k with P(X <= k) >= p, p fuzzed down by 64 ulps) and hail's
 * `uniroot` (a port of R's zeroin.c, Brent's method). Only comparisons of P(X <= k) with p matter,
 * so ppois needs to be right to ~1e-12, not to the last bit.
 */
import { GenerationalMemo } from './generational-memo';

const EPS = 2.220446049250313e-16;

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9): relative error ~1e-15. */
function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X <= k) for X ~ Poisson(lambda): the regularised upper incomplete gamma Q(k + 1, lambda). */
export function ppois(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (lambda <= 0) return 1;
  const a = k + 1;
  const x = lambda;
  const logPrefix = -x + a * Math.log(x) - lgamma(a);
  if (x < a + 1) {
    // Series for the lower P(a, x); Q = 1 - P.
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 100000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** Standard normal quantile (Acklam), good to ~1e-9: only a starting point for qpois's search. */
function qnorm(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -qnorm(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The smallest k >= 0 with P(X <= k) >= p for X ~ Poisson(lambda), as R's and jdistlib's qpois (0 < p < 1). */
export function qpois(p: number, lambda: number): number {
  if (!(lambda > 0)) return 0;
  const target = p * (1 - 64 * EPS);
  // Cornish-Fisher start, then walk to the exact quantile.
  const sigma = Math.sqrt(lambda);
  const gamma = 1 / sigma;
  const z = qnorm(p);
  let y = Math.max(0, Math.floor(lambda + sigma * (z + (gamma * (z * z - 1)) / 6) + 0.5));
  if (ppois(y, lambda) >= target) {
    while (y > 0 && ppois(y - 1, lambda) >= target) y--;
  } else {
    while (ppois(y, lambda) < target) y++;
  }
  return y;
}

/**
 * qpois again, fast for the many calls the FAF search makes. With the thresholds
 * Λ_k = max{λ : P(X <= k; λ) >= p} (increasing in k), qpois(p, λ) is the k with
 * Λ_{k-1} < λ <= Λ_k: start from the Cornish-Fisher estimate and step, comparing λ with thresholds
 * that are each found once (Newton on the same ppois) and kept. It decides every λ the way `qpois`
 * does (both compare the same ppois with the same fuzzed p; only a λ within an ulp or so of a
 * threshold could differ).
 */
export function qpoisFast(p: number, lambda: number): number {
  if (!(lambda > 0)) return 0;
  // Large λ: thresholds there are seldom asked twice; qpois's own search is as quick, but costs
  // ~15-30 µs (long ppois sums). The FAF search asks exactly one such λ per value, at its upper
  // bound (AN * 2), so it repeats wherever AN does (most sites of a cohort share a population's AN): kept.
  if (lambda > 5_000) return largeQpois(p, lambda);
  let k = cornishFisher(p, lambda);
  for (let guard = 0; guard < 10_000; guard++) {
    if (lambda > thresholdOf(p, k)) k++;
    else if (k > 0 && lambda <= thresholdOf(p, k - 1)) k--;
    else return k;
  }
  return qpois(p, lambda);
}

const LARGE_KEPT = 50_000;
const large = new Map<number, GenerationalMemo>();

/** qpois(p, λ) for λ past the thresholds' range, remembered per (p, λ) in two bounded generations. */
function largeQpois(p: number, lambda: number): number {
  let m = large.get(p);
  if (!m) large.set(p, (m = new GenerationalMemo(LARGE_KEPT)));
  let k = m.get(lambda);
  if (k === undefined) m.set(lambda, (k = qpois(p, lambda)));
  return k;
}

const THRESHOLDS_KEPT = 200_000;
const thresholds = new Map<number, Map<number, number>>();

let lastP = NaN;
let lastMap: Map<number, number> | undefined;

/** Λ_k for p (cached): the largest λ at which P(X <= k; λ) >= p. */
export function thresholdOf(p: number, k: number): number {
  let m = p === lastP ? lastMap : thresholds.get(p);
  if (!m) thresholds.set(p, (m = new Map()));
  lastP = p;
  lastMap = m;
  let t = m.get(k);
  if (t === undefined) {
    if (m.size >= THRESHOLDS_KEPT) m.clear();
    m.set(k, (t = threshold(p, k)));
  }
  return t;
}

const zOf = new Map<number, number>();

function cornishFisher(p: number, lambda: number): number {
  const sigma = Math.sqrt(lambda);
  let z = zOf.get(p);
  if (z === undefined) zOf.set(p, (z = qnorm(p)));
  return Math.max(0, Math.floor(lambda + sigma * (z + ((1 / sigma) * (z * z - 1)) / 6) + 0.5));
}

/**
 * Λ_k: the λ where P(X <= k; λ) falls below p (fuzzed as qpois does): safeguarded Newton
 * (d/dλ P(X <= k; λ) = -P(X = k; λ)) inside a bisection bracket, from the normal approximation.
 */
function threshold(p: number, k: number): number {
  const target = p * (1 - 64 * EPS);
  const f = (x: number) => ppois(k, x) - target;
  const spread = 10 * Math.sqrt(k + 1) + 10;
  const guess = Math.max(1e-12, k + 0.5 - qnorm(p) * Math.sqrt(k + 0.5));
  let lo = Math.max(0, guess - spread);
  let hi = guess + spread;
  while (lo > 0 && f(lo) < 0) lo = Math.max(0, lo - spread);
  while (f(hi) >= 0) hi += spread;
  let x = Math.min(Math.max(guess, lo), hi);
  for (let i = 0; i < 200; i++) {
    const fx = f(x);
    if (fx >= 0) lo = x;
    else hi = x;
    const density = Math.exp(-x + k * Math.log(x) - lgamma(k + 1));
    let next = x + fx / density;
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    if (Math.abs(next - x) <= 1e-13 * x || hi - lo <= 1e-13 * hi) break;
    x = next;
  }
  // The decision at the threshold is made by ppois itself: step down from the converged λ to the
  // >= side (a few ulps), never returning a point on the wrong side.
  let y = x;
  for (let j = 0; j < 60 && f(y) < 0; j++) y -= Math.abs(y) * EPS * 2 ** j;
  return f(y) >= 0 && y >= lo ? y : lo;
}

/**
 * A root of `fn` in [min, max]: R's zeroin.c as hail ports it (same steps, so the same answer for
 * a step function, where "a root" is wherever the iteration first lands on a zero); undefined
 * after 1000 iterations without one.
 */
export function uniroot(fn: (x: number) => number, min: number, max: number, tolerance = 1.220703e-4): number | undefined {
  let a = min;
  let b = max;
  let c = min;
  let fa = fn(a);
  let fb = fn(b);
  let fc = fa;
  if (fa === 0) return a;
  if (fb === 0) return b;
  for (let iteration = 0; iteration < 1001; iteration++) {
    const previousStep = b - a;
    const tol = 2 * EPS * Math.abs(b) + tolerance / 2;
    let newStep = (c - b) / 2;
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    // hail computes the bisection step before the swap above; zeroin.c after it. Follow hail.
    if (Math.abs(newStep) <= tol || fb === 0) return b;
    if (Math.abs(previousStep) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        q = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1));
        q = (q - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(tol * q) / 2 && p < Math.abs((previousStep * q) / 2)) newStep = p / q;
    }
    if (Math.abs(newStep) < tol) newStep = newStep > 0 ? tol : -tol;
    a = b;
    fa = fb;
    b += newStep;
    fb = fn(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return undefined;
}
