import type { CountKind } from '../domain/counts';

/** One stored number: a count kind of one group (index into the dataset's group list). */
export interface Slot {
  group: number;
  kind: CountKind;
}

/** Per-ALT counts aligned with the slots; NaN means missing (never 0). */
export type SlotValues = Float64Array;
