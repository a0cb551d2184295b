import { filteringAlleleFrequency } from '../domain/faf';
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

const NO_STRINGS: readonly string[] = [];

/**
 * The pooled counts of a record: a broker's pooled entry as it is (its lookup pooled every
 * contributor once, by origin); else (a node's store) the record's datasets pooled the same way
 * (domain/pooling). Counts disclosure control withheld are missing and named, never numbers; AF is
 * computed from the pooled AC and AN only. A derived value (AF, FAF) is computed only for a field
 * that asks for it, and each FAF at its own confidence only (a FAF costs a Poisson root search).
 */
export function alleleValues(record: VariantRecord, fields: readonly AnnotationField[]): AlleleValues {
  let pooledEntry;
  for (const f of record.frequencies) {
    if (f.pooled) {
      pooledEntry = f;
      break;
    }
  }
  let populations: readonly PopulationCounts[];
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
  const withheld: string[] = [];
  const values: (string | undefined)[] = new Array(fields.length);
  // Fields come grouped by population: the population is found once per group (the last of its code, as a Map by code would keep).
  let code: string | undefined;
  let p: PopulationCounts | undefined;
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    if (f.population !== code) {
      code = f.population;
      p = undefined;
      for (let i = populations.length - 1; i >= 0; i--) {
        if (populations[i]!.code === code) {
          p = populations[i];
          break;
        }
      }
    }
    if (!p) {
      values[k] = undefined;
      continue;
    }
    const held = p.withheld ?? NO_STRINGS;
    const kind = f.kind;
    const derived = kind === 'af' || kind === 'faf95' || kind === 'faf99';
    // AF and FAF are computed from AC and AN: never from a withheld count.
    if (held.length > 0 && (derived ? held.includes('ac') || held.includes('an') : held.includes(kind))) {
      withheld.push(f.id);
      values[k] = undefined;
      continue;
    }
    const c = p.counts;
    if (kind === 'af') values[k] = c.ac === undefined || c.an === undefined || !(c.an > 0) ? undefined : formatAf(c.ac / c.an);
    else if (kind === 'faf95' || kind === 'faf99') {
      const faf = c.ac === undefined || c.an === undefined || !(c.an > 0) ? undefined : filteringAlleleFrequency(c.ac, c.an, kind === 'faf95' ? 0.95 : 0.99);
      values[k] = faf === undefined ? undefined : formatAf(faf);
    } else {
      const v = c[kind];
      values[k] = v === undefined ? undefined : String(v);
    }
  }
  return { values, withheld, missing, contributors };
}

/** Exact powers of ten (every one up to 1e22 is a double). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * AF with six significant digits, as bcftools +fill-tags writes it (%g): 0.0123457, 1e-06; the
 * same string as `String(Number(af.toPrecision(6)))`, made without toPrecision's decimal
 * conversion where that is safe (it was most of annotation's own CPU): n = af x 10^k rounded to
 * six digits, then n / 10^k, which is the double nearest the six-digit decimal exactly as parsing
 * it gives (both round the same rational number once). Near a tie, where the product's one
 * rounding could pick the other n, and outside [1e-15, 1), toPrecision decides.
 */
export function formatAf(af: number): string {
  if (af === 0 || af === 1) return String(af);
  if (af >= 1e-15 && af < 1) {
    let k = 5 - Math.floor(Math.log10(af));
    let scaled = af * POW10[k]!;
    // log10 of a number next to a power of ten may land on the other side: one step corrects it.
    if (scaled < 99_999.5) scaled = af * POW10[++k]!;
    else if (scaled >= 1_000_000) scaled = af * POW10[--k]!;
    const frac = scaled - Math.floor(scaled);
    if (k <= 22 && scaled >= 99_999.5 && scaled < 1_000_000 && Math.abs(frac - 0.5) > 1e-6) return String(Math.round(scaled) / POW10[k]!);
  }
  return String(Number(af.toPrecision(6)));
}
