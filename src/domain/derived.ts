import type { GroupCounts } from './counts';
import { alleleFrequency } from './counts';
import { filteringAlleleFrequency } from './faf';
import { canonicalPopulation } from './populations';
import type { PopulationCounts } from './lookup';

/**
 * Values derived from one dataset entry's counts (or a broker's pooled counts) at the edge, never
 * stored and never read from a peer: the filtering allele frequency per population, gnomAD's
 * grpmax and fafmax over the non-bottlenecked ancestry groups, and each population's XX/XY split.
 * They are computed from the counts as they stand after disclosure control: a withheld AC or AN
 * is absent from the counts, so no FAF is computed from it, and grpmax/fafmax are not given when
 * any group that could be the maximum is withheld (the maximum could be the hidden one).
 */
export interface DerivedFrequencies {
  /** Per population code: FAF95/FAF99 and the XX/XY rows that split it. */
  populations: Map<string, DerivedPopulation>;
  /** The non-bottlenecked ancestry group with the highest AF (gnomAD `grpmax`). */
  grpmax?: { population: string; counts: GroupCounts; alleleFrequency: number };
  /** The non-bottlenecked ancestry groups' highest FAF95 and FAF99 and where they are (gnomAD `fafmax_faf95_max`, `_gen_anc`). */
  fafmax?: { faf95: number; faf95Population: string; faf99: number; faf99Population: string };
  /** Set when grpmax/fafmax are not given because counts of a group that could be the maximum are withheld. */
  maxWithheld?: boolean;
}

export interface DerivedPopulation {
  faf95?: number;
  faf99?: number;
  /** The populations that split this one by sex (`afr` -> `afr_XX`, `afr_XY`; `Total` -> `XX`, `XY`; GoE `FI` -> `FI_F`, `FI_M`). */
  sexSplit?: Partial<Record<Sex, PopulationCounts>>;
}

export type Sex = 'XX' | 'XY';

/**
 * gnomAD's grpmax and FAF groups: every ancestry group except the bottlenecked ones (Amish `ami`,
 * Ashkenazi Jewish `asj`, Finnish `fin`, Middle Eastern `mid`) and "remaining" (`rmi`/`oth`)
 * (gnomAD help "grpmax" and "faf", v4). Groups outside gnomAD's vocabulary (1000 Genomes `EUR`,
 * GoE country codes, panel labels) are not ancestry groups gnomAD defines and are left out.
 */
export const GRPMAX_GROUPS: ReadonlySet<string> = new Set(['AFR', 'AMR', 'EAS', 'NFE', 'SAS']);

/** The filtering allele frequency at 95 % and 99 % of one population's counts; none without integer AC and AN > 0. */
export function fafOf(c: GroupCounts): { faf95?: number; faf99?: number } {
  if (c.ac === undefined || c.an === undefined || !(c.an > 0)) return {};
  return { faf95: filteringAlleleFrequency(c.ac, c.an, 0.95), faf99: filteringAlleleFrequency(c.ac, c.an, 0.99) };
}

export function derivedFrequencies(populations: readonly PopulationCounts[]): DerivedFrequencies {
  const out: DerivedFrequencies = { populations: new Map() };
  let splits = false;
  for (const p of populations) {
    out.populations.set(p.code, fafOf(p.counts));
    if (sexOfCode(p.code)) splits = true;
  }
  // Most datasets have no sex groups: the parent index is built only for those that do.
  const byKey = new Map<string, PopulationCounts>();
  if (splits) {
    for (const p of populations) {
      byKey.set(key(p.code, p.canonical), p);
      byKey.set(p.code.toLowerCase(), p);
    }
  }
  for (const p of splits ? populations : []) {
    const s = sexOfCode(p.code);
    if (!s) continue;
    const parent = s.parent === '' ? populations.find((q) => q.code === 'Total') : (byKey.get(key(s.parent)) ?? byKey.get(s.parent.toLowerCase()));
    if (!parent || parent === p) continue;
    const d = out.populations.get(parent.code)!;
    d.sexSplit ??= {};
    d.sexSplit[s.sex] ??= p;
  }
  let withheld = false;
  for (const p of populations) {
    if (!GRPMAX_GROUPS.has(canonicalOf(p))) continue;
    if ((p.withheld ?? []).some((k) => k === 'ac' || k === 'an')) {
      withheld = true;
      continue;
    }
    const af = alleleFrequency(p.counts);
    if (af !== undefined && p.counts.ac !== undefined && p.counts.ac > 0 && (!out.grpmax || af > out.grpmax.alleleFrequency)) {
      out.grpmax = { population: p.code, counts: p.counts, alleleFrequency: af };
    }
    const f = out.populations.get(p.code)!;
    if (f.faf95 !== undefined && f.faf99 !== undefined) {
      const m = out.fafmax;
      if (!m) out.fafmax = { faf95: f.faf95, faf95Population: p.code, faf99: f.faf99, faf99Population: p.code };
      else {
        if (f.faf95 > m.faf95) Object.assign(m, { faf95: f.faf95, faf95Population: p.code });
        if (f.faf99 > m.faf99) Object.assign(m, { faf99: f.faf99, faf99Population: p.code });
      }
    }
  }
  if (withheld) {
    delete out.grpmax;
    delete out.fafmax;
    out.maxWithheld = true;
  }
  return out;
}

function canonicalOf(p: PopulationCounts): string {
  return p.canonical ?? canonicalCode(p.code);
}

// Codes are few (a dataset's groups) and asked for every record rendered: what each means is kept.
const CODES_KEPT = 10_000;
const canonicalCodes = new Map<string, string>();
const sexOfCodes = new Map<string, { parent: string; sex: Sex } | null>();

function canonicalCode(code: string): string {
  let c = canonicalCodes.get(code);
  if (c === undefined) {
    if (canonicalCodes.size >= CODES_KEPT) canonicalCodes.clear();
    canonicalCodes.set(code, (c = canonicalPopulation(code) ?? code));
  }
  return c;
}

function sexOfCode(code: string): { parent: string; sex: Sex } | undefined {
  let s = sexOfCodes.get(code);
  if (s === undefined) {
    if (sexOfCodes.size >= CODES_KEPT) sexOfCodes.clear();
    sexOfCodes.set(code, (s = sexOf(code) ?? null));
  }
  return s ?? undefined;
}

function key(code: string, canonical?: string): string {
  return `c:${canonical ?? canonicalPopulation(code) ?? code}`;
}

const SEX_WORDS: ReadonlyMap<string, Sex> = new Map(Object.entries({ xx: 'XX', f: 'XX', female: 'XX', xy: 'XY', m: 'XY', male: 'XY' }));

/**
 * The sex and the parent population a group's code names: `afr_XX` -> afr, XX (gnomAD v3/v4),
 * `AFR_Female` (gnomAD r2), `FI_M` (GoE), `EUR_XY` (afb's genotype mode); the overall sex groups
 * `XX`, `XY`, `F`, `M`, `female`, `male` split the total (parent ''). Undefined for any other code.
 */
export function sexOf(code: string): { parent: string; sex: Sex } | undefined {
  const whole = SEX_WORDS.get(code.toLowerCase());
  if (whole) return { parent: '', sex: whole };
  const m = /^(.+)_([A-Za-z]+)$/.exec(code);
  const sex = m ? SEX_WORDS.get(m[2]!.toLowerCase()) : undefined;
  return m && sex ? { parent: m[1]!, sex } : undefined;
}
