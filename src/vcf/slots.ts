import type { CountKind } from '../domain/counts';

/** One stored number: a count kind of one group (index into the dataset's group list). */
export interface Slot {
  group: number;
  kind: CountKind;
}
