import { OVERALL_CODE } from './groups';
import type { DatasetFrequencies, PopulationCounts } from './lookup';

/** Sex groups as the GDI implementations write them alone (GoE `M`/`F`, gnomAD `XX`/`XY`). */
const SEX_CODES = new Set(['m', 'f', 'male', 'female', 'xx', 'xy']);

/**
 * The population that stands for a dataset's whole cohort when the dataset reports no `Total`: a
 * dataset that reports only one country or cohort group (gdi-mini-node's `JP`, its shipped `DEMO`,
 * GoE's `FI` beside `FI_M`/`FI_F`) has that group as its total. Undefined when the dataset has a
 * `Total`, or when it has no such single group (several countries, or only sex groups): then
 * nothing is guessed.
 */
export function impliedTotal(populations: readonly PopulationCounts[]): PopulationCounts | undefined {
  if (populations.some((p) => p.code.toLowerCase() === 'total' || p.canonical === OVERALL_CODE)) return undefined;
  const top = populations.filter((p) => !p.code.includes('_') && !SEX_CODES.has(p.code.toLowerCase()));
  return top.length === 1 ? top[0] : undefined;
}

/**
 * A dataset's entry with its implied total made explicit: a `Total` row with the group's counts,
 * first, labelled with the group it stands for; the group's own row stays (its code unchanged), so
 * country filters still find it. Entries with a Total, or none implied, come back unchanged.
 */
export function withImpliedTotal(entry: DatasetFrequencies): DatasetFrequencies {
  const group = impliedTotal(entry.populations);
  if (!group) return entry;
  const total: PopulationCounts = { code: OVERALL_CODE, label: `Total (the dataset reports only ${group.code})`, counts: { ...group.counts } };
  if (group.withheld) total.withheld = [...group.withheld];
  return { ...entry, populations: [total, ...entry.populations] };
}
