/**
 * Counts per population group. Integers only; a missing value is `undefined`, never 0.
 * AF is derived at the edge (ac/an where an > 0), except for groups that only ever
 * reported a frequency (`af`), which are shown but never pooled.
 */

/** Count kinds a group can carry. nhomalt/nhet/nhemi count individuals, ac/an count alleles. */
export const COUNT_KINDS = ['ac', 'an', 'nhomalt', 'nhet', 'nhemi', 'af'] as const;
export type CountKind = (typeof COUNT_KINDS)[number];

export type GroupCounts = Partial<Record<CountKind, number>>;

/** ac/an when both are known and an > 0; a reported AF otherwise; else undefined. */
export function alleleFrequency(c: GroupCounts): number | undefined {
  if (c.ac !== undefined && c.an !== undefined) return c.an > 0 ? c.ac / c.an : undefined;
  return c.af;
}

/** True when the counts can be pooled exactly (integer AC and AN). */
export function isPoolable(c: GroupCounts): boolean {
  return c.ac !== undefined && c.an !== undefined;
}

export interface CountProblem {
  /** Stable reason code (the ingest report counts skipped records by it). */
  reason: 'negative_count' | 'ac_gt_an' | 'nhomalt_gt_ac' | 'af_out_of_range';
  message: string;
}

/** Consistency problems of one group's counts (empty when fine). */
export function countProblems(c: GroupCounts): CountProblem[] {
  const out: CountProblem[] = [];
  for (const k of ['ac', 'an', 'nhomalt', 'nhet', 'nhemi'] as const) {
    const v = c[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) out.push({ reason: 'negative_count', message: `${k}=${v} is not a non-negative integer` });
  }
  if (c.ac !== undefined && c.an !== undefined && c.ac > c.an) out.push({ reason: 'ac_gt_an', message: `AC ${c.ac} > AN ${c.an}` });
  if (c.ac !== undefined && c.nhomalt !== undefined && 2 * c.nhomalt > c.ac) {
    out.push({ reason: 'nhomalt_gt_ac', message: `2 x nhomalt = ${2 * c.nhomalt} > AC ${c.ac}` });
  }
  if (c.af !== undefined && !(c.af >= 0 && c.af <= 1)) out.push({ reason: 'af_out_of_range', message: `AF ${c.af} is outside [0, 1]` });
  return out;
}

/** Sum of several contributors' counts: a kind is summed only when every contributor reports it. */
export function sumCounts(parts: readonly GroupCounts[]): GroupCounts {
  const out: GroupCounts = {};
  if (parts.length === 0) return out;
  for (const k of ['ac', 'an', 'nhomalt', 'nhet', 'nhemi'] as const) {
    let total = 0;
    let all = true;
    for (const p of parts) {
      const v = p[k];
      if (v === undefined) {
        all = false;
        break;
      }
      total += v;
    }
    if (all) out[k] = total;
  }
  return out;
}
