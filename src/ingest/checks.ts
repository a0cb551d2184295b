import { countProblems, type GroupCounts } from '../domain/counts';
import { OVERALL_KEY } from '../domain/groups';
import type { Slot } from '../vcf/slots';
import { RecordError } from '../vcf/record-error';

// Group keys that are not part of the ancestry partition (sex, quality subsets, joint releases).
const NOT_PARTITION = new Set(['male', 'female', 'xx', 'xy', 'm', 'f', 'raw', 'adj', 'joint']);

/** Groups whose counts should add up to no more than the overall group: single-word ancestry keys. */
export function partitionGroups(keys: readonly string[]): number[] {
  return keys.flatMap((k, i) => (k !== OVERALL_KEY && /^[A-Za-z]+$/.test(k) && !NOT_PARTITION.has(k.toLowerCase()) ? [i] : []));
}

/** Group counts of one ALT row from its slot values. */
export function groupCounts(values: Float64Array, slots: readonly Slot[], nGroups: number): GroupCounts[] {
  const out: GroupCounts[] = Array.from({ length: nGroups }, () => ({}));
  for (let i = 0; i < slots.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) out[slots[i]!.group]![slots[i]!.kind] = v;
  }
  return out;
}

/**
 * DESIGN §4 checks on one record: AC <= AN and 2*nhomalt <= AC per group and ALT, the ALTs'
 * AC together <= AN, and ancestry groups together <= the overall group. Throws RecordError.
 */
export function checkRecord(
  perAlt: readonly Float64Array[],
  slots: readonly Slot[],
  groupKeys: readonly string[],
  partition: readonly number[],
): void {
  const nGroups = groupKeys.length;
  const acSum = new Float64Array(nGroups);
  let an: (number | undefined)[] = [];
  for (const values of perAlt) {
    const counts = groupCounts(values, slots, nGroups);
    an = counts.map((c) => c.an);
    counts.forEach((c, g) => {
      const p = countProblems(c)[0];
      if (p) throw new RecordError(p.reason, `INFO (${label(groupKeys[g]!)})`, `group ${label(groupKeys[g]!)}: ${p.message}`);
      if (c.ac !== undefined) acSum[g]! += c.ac;
    });
    const overall = counts[0];
    if (overall && partition.length > 0 && groupKeys[0] === OVERALL_KEY) {
      for (const kind of ['ac', 'an'] as const) {
        const total = overall[kind];
        if (total === undefined) continue;
        let sum = 0;
        for (const g of partition) sum += counts[g]![kind] ?? 0;
        if (sum > total) {
          throw new RecordError(
            'group_sum_exceeds_total',
            `INFO (${kind.toUpperCase()})`,
            `${kind.toUpperCase()} of groups ${partition.map((g) => groupKeys[g]).join('+')} sums to ${sum}, more than the overall ${total}`,
          );
        }
      }
    }
  }
  if (perAlt.length > 1) {
    acSum.forEach((sum, g) => {
      const n = an[g];
      if (n !== undefined && sum > n) {
        throw new RecordError('ac_gt_an', `INFO (${label(groupKeys[g]!)})`, `group ${label(groupKeys[g]!)}: AC over all ALT alleles sums to ${sum} > AN ${n}`);
      }
    });
  }
}

function label(key: string): string {
  return key === OVERALL_KEY ? 'overall' : key;
}
