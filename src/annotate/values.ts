import { alleleFrequency } from '../domain/counts';
import { fafOf } from '../domain/derived';
import type { PopulationCounts, VariantRecord } from '../domain/lookup';
import { poolPopulations } from '../domain/pooling';
import type { AnnotationField } from './fields';

/** What one ALT gets: a value per field (undefined: missing), the fields withheld, the peers missing. */
export interface AlleleValues {
  values: (string | undefined)[];
  withheld: string[];
  missing: string[];
  contributors: string[];
}

/**
 * The pooled counts of a record: a broker's pooled entry as it is (its lookup pooled every
 * contributor once, by origin); else (a node's store) the record's datasets pooled the same way
 * (domain/pooling). Counts disclosure control withheld are missing and named, never numbers; AF is
 * computed from the pooled AC and AN only.
 */
export function alleleValues(record: VariantRecord, fields: readonly AnnotationField[]): AlleleValues {
  const pooledEntry = record.frequencies.find((f) => f.pooled);
  let populations: PopulationCounts[];
  let missing: string[] = [];
  let contributors: string[];
  if (pooledEntry) {
    populations = pooledEntry.populations;
    missing = pooledEntry.pooled!.missing;
    contributors = pooledEntry.pooled!.contributors;
  } else {
    populations = poolPopulations(record.frequencies.map((f) => ({ contributor: f.datasetId, frequencies: f })));
    contributors = record.frequencies.map((f) => f.datasetId);
  }
  const byCode = new Map(populations.map((p) => [p.code, p]));
  const withheld: string[] = [];
  const values = fields.map((f) => {
    const p = byCode.get(f.population);
    if (!p) return undefined;
    const held = p.withheld ?? [];
    // AF and FAF are computed from AC and AN: never from a withheld count.
    const isWithheld = f.kind === 'af' || f.kind === 'faf95' || f.kind === 'faf99' ? held.includes('ac') || held.includes('an') : held.includes(f.kind);
    if (isWithheld) {
      withheld.push(f.id);
      return undefined;
    }
    if (f.kind === 'af') {
      if (p.counts.ac === undefined || p.counts.an === undefined) return undefined;
      const af = alleleFrequency(p.counts);
      return af === undefined ? undefined : formatAf(af);
    }
    if (f.kind === 'faf95' || f.kind === 'faf99') {
      const faf = fafOf(p.counts)[f.kind];
      return faf === undefined ? undefined : formatAf(faf);
    }
    const v = p.counts[f.kind];
    return v === undefined ? undefined : String(v);
  });
  return { values, withheld, missing, contributors };
}

/** AF with six significant digits, as bcftools +fill-tags writes it (%g): 0.0123457, 1e-06. */
export function formatAf(af: number): string {
  if (af === 0 || af === 1) return String(af);
  const s = af.toPrecision(6);
  return String(Number(s));
}
