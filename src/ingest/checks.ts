import { OVERALL_KEY } from '../domain/groups';
import type { Slot } from '../vcf/slots';
import { RecordError } from '../vcf/record-error';

// Group keys that are not part of the ancestry partition (sex, quality subsets, joint releases).
const NOT_PARTITION = new Set(['male', 'female', 'xx', 'xy', 'm', 'f', 'raw', 'adj', 'joint']);

/** Groups whose counts should add up to no more than the overall group: single-word ancestry keys. */
export function partitionGroups(keys: readonly string[]): number[] {
  return keys.flatMap((k, i) => (k !== OVERALL_KEY && /^[A-Za-z]+$/.test(k) && !NOT_PARTITION.has(k.toLowerCase()) ? [i] : []));
}

/** Slot index of each count kind per group (-1 when the group lacks it). */
interface GroupSlots {
  name: string;
  ac: number;
  an: number;
  nhomalt: number;
}

/**
 * DESIGN §4 checks on one record, straight on the slot values (this runs millions of times):
 * AC <= AN and 2*nhomalt <= AC per group and ALT, the ALTs' AC together <= AN, and the
 * ancestry groups together <= the overall group. Negative values never get here (the parsers
 * reject them). Throws RecordError.
 */
export class RecordChecker {
  private readonly groups: GroupSlots[];
  private readonly partition: number[];
  private readonly acSum: Float64Array;

  constructor(slots: readonly Slot[], groupKeys: readonly string[]) {
    this.groups = groupKeys.map((key, g) => {
      const find = (kind: string): number => slots.findIndex((s) => s.group === g && s.kind === kind);
      return { name: key === OVERALL_KEY ? 'overall' : key, ac: find('ac'), an: find('an'), nhomalt: find('nhomalt') };
    });
    this.partition = groupKeys[0] === OVERALL_KEY ? partitionGroups(groupKeys) : [];
    this.acSum = new Float64Array(groupKeys.length);
  }

  check(perAlt: readonly Float64Array[]): void {
    const groups = this.groups;
    this.acSum.fill(0);
    for (const v of perAlt) {
      for (let g = 0; g < groups.length; g++) {
        const gs = groups[g]!;
        const ac = gs.ac >= 0 ? v[gs.ac]! : NaN;
        const an = gs.an >= 0 ? v[gs.an]! : NaN;
        if (ac > an) throw new RecordError('ac_gt_an', `INFO (${gs.name})`, `group ${gs.name}: AC ${ac} > AN ${an}`);
        if (gs.nhomalt >= 0 && 2 * v[gs.nhomalt]! > ac) {
          throw new RecordError('nhomalt_gt_ac', `INFO (${gs.name})`, `group ${gs.name}: 2 x nhomalt = ${2 * v[gs.nhomalt]!} > AC ${ac}`);
        }
        if (ac === ac) this.acSum[g]! += ac;
      }
      if (this.partition.length > 0) this.checkPartition(v);
    }
    if (perAlt.length > 1) {
      for (let g = 0; g < groups.length; g++) {
        const gs = groups[g]!;
        const an = gs.an >= 0 ? perAlt[0]![gs.an]! : NaN;
        if (this.acSum[g]! > an) {
          throw new RecordError('ac_gt_an', `INFO (${gs.name})`, `group ${gs.name}: AC over all ALT alleles sums to ${this.acSum[g]} > AN ${an}`);
        }
      }
    }
  }

  private checkPartition(v: Float64Array): void {
    const overall = this.groups[0]!;
    for (const kind of ['ac', 'an'] as const) {
      const slot = overall[kind];
      if (slot < 0) continue;
      const total = v[slot]!;
      if (total !== total) continue;
      let sum = 0;
      for (const g of this.partition) {
        const s = this.groups[g]![kind];
        const x = s >= 0 ? v[s]! : NaN;
        if (x === x) sum += x;
      }
      if (sum > total) {
        throw new RecordError(
          'group_sum_exceeds_total',
          `INFO (${kind.toUpperCase()})`,
          `${kind.toUpperCase()} of groups ${this.partition.map((g) => this.groups[g]!.name).join('+')} sums to ${sum}, more than the overall ${total}`,
        );
      }
    }
  }
}
