import type { CountKind, GroupCounts } from './counts';
import type { DatasetFrequencies, PopulationCounts, VariantRecord } from './lookup';

/**
 * Small-cell disclosure control for one variant's record (DESIGN §9), pure. Each dataset entry is
 * judged with its own threshold k; the rule works on whole *layers* of an entry, never on single
 * cells, because every identity that links published counts is linear within one layer (or links
 * the two layers inside one group):
 *
 * - the allele layer: `ac` of every group (and AF, ac/an, with it);
 * - the genotype layer: `nhomalt`, `nhet`, `nhemi` of every group.
 *
 * Primary trigger (a count a client must not learn): any group's ac, nhomalt, nhet or nhemi in
 * 1..k-1; any group's reference allele count an - ac in 1..k-1 (else ac = an - refAC gives it away,
 * and with it a heterozygote: het <= an - ac); a group with fewer than k individuals (⌈an/2⌉, exact
 * on autosomes, a lower bound on X/Y) that has any carrier. Secondary suppression:
 *
 * - a trigger in the allele layer withholds both layers of the entry (ac = het + 2·hom + hemi would
 *   otherwise give ac back); a trigger in the genotype layer alone withholds the genotype layer, and
 *   AC stays (the counts a common variant is looked up for). Every cell of a withheld layer is
 *   withheld in every group, so no sum across groups (Total = Σ ancestries, Total = XX + XY,
 *   g = g_XX + g_XY, super-population = Σ populations, whatever the dataset's groups are) has a
 *   visible member of that layer left to subtract: the rule needs no knowledge of which groups
 *   partition which.
 * - genotype cells that visible counts determine anyway stay visible (ac = 0: all 0; ac = an with no
 *   hemizygous kind: het 0, hom an/2), so "withheld" never stands for a value anyone can compute;
 * - across the entries of a broker's record (pooled = Σ contributors per population and kind): a
 *   layer withheld in any contributor is withheld in the pooled entry, so pooled − Σ others is a
 *   sum of withheld values, never one withheld value.
 *
 * AN stays exact (it counts called alleles, not carriers) except in a group too small to publish,
 * which is dropped with all its counts (its name stays, marked). k = 2 is treated as k = 3: with
 * k = 2 every withheld count would be exactly 1. An AF reported without counts (sites data without
 * AN) cannot be checked against k and is withheld unless it is 0.
 */

/** The threshold actually applied: 1 publishes everything; 2 becomes 3 (a withheld count in 1..1 would be known). */
export function effectiveK(k: number): number {
  if (!(k > 1)) return 1;
  return Math.max(3, Math.ceil(k));
}

export const ALLELE_KINDS: readonly CountKind[] = ['ac'];
export const GENOTYPE_KINDS: readonly CountKind[] = ['nhomalt', 'nhet', 'nhemi'];

/** Which layers of an entry are withheld. `alleles` implies `genotypes`. */
export interface Layers {
  alleles: boolean;
  genotypes: boolean;
}

const inRange = (v: number | undefined, k: number): boolean => v !== undefined && v >= 1 && v <= k - 1;

/** Individuals a group has at this site, at least: ⌈an/2⌉ (a haploid call counts half). */
export function individuals(c: GroupCounts): number | undefined {
  return c.an === undefined ? undefined : Math.ceil(c.an / 2);
}

/** A group with counts but fewer than k individuals called at this site: not published. */
export function isSmallGroup(p: PopulationCounts, k: number): boolean {
  const n = individuals(p.counts);
  return k > 1 && (p.withheld?.includes('an') || (n !== undefined && n < k));
}

function hasCarrier(c: GroupCounts): boolean {
  return (c.ac ?? 0) > 0 || (c.nhomalt ?? 0) > 0 || (c.nhet ?? 0) > 0 || (c.nhemi ?? 0) > 0;
}

/** The layers an entry's own counts force to be withheld under threshold k (its primary triggers). */
export function primaryLayers(entry: DatasetFrequencies, k: number): Layers {
  const out: Layers = { alleles: false, genotypes: false };
  if (k <= 1) return out;
  for (const p of entry.populations) {
    const c = p.counts;
    const w = p.withheld ?? [];
    // Markers from upstream (a peer node already withheld them) count as triggers here.
    if (w.includes('ac') || (w.includes('an') && w.length > 1)) out.alleles = true;
    if (GENOTYPE_KINDS.some((kind) => w.includes(kind))) out.genotypes = true;
    if (isSmallGroup(p, k)) {
      if (hasCarrier(c)) out.alleles = true;
      continue;
    }
    if (inRange(c.ac, k)) out.alleles = true;
    if (c.ac !== undefined && c.an !== undefined && inRange(c.an - c.ac, k)) out.alleles = true;
    if (GENOTYPE_KINDS.some((kind) => inRange(c[kind], k))) out.genotypes = true;
  }
  if (out.alleles) out.genotypes = true;
  return out;
}

/** Genotype counts the visible ac and an already determine (so withholding them would hide nothing). */
function genotypesDetermined(c: GroupCounts): boolean {
  if (c.ac === 0) return (c.nhomalt ?? 0) === 0 && (c.nhet ?? 0) === 0 && (c.nhemi ?? 0) === 0;
  if (c.ac !== undefined && c.ac === c.an && c.nhemi === undefined) return (c.nhet ?? 0) === 0 && (c.nhomalt === undefined || 2 * c.nhomalt === c.ac);
  return false;
}

/** One population under the entry's withheld layers: counts removed and marked; the number of cells withheld. */
export function withholdPopulation(p: PopulationCounts, layers: Layers, k: number): { population: PopulationCounts; cells: number } {
  const c: GroupCounts = { ...p.counts };
  const withheld = new Set<CountKind>(p.withheld ?? []);
  let cells = 0;
  const drop = (kind: CountKind): void => {
    if (c[kind] !== undefined) cells++;
    delete c[kind];
    withheld.add(kind);
  };
  const had = (kind: CountKind): boolean => p.counts[kind] !== undefined || withheld.has(kind);
  if (k > 1 && c.ac === undefined && c.af !== undefined && !withheld.has('ac')) {
    // A frequency without counts: nothing to check it against.
    if (c.af !== 0) drop('af');
  } else if (isSmallGroup(p, k)) {
    for (const kind of ['ac', 'an', ...GENOTYPE_KINDS] as CountKind[]) if (had(kind)) drop(kind);
  } else {
    if (layers.alleles && had('ac')) drop('ac');
    if (layers.genotypes && !(c.ac !== undefined && genotypesDetermined(c))) for (const kind of GENOTYPE_KINDS) if (had(kind)) drop(kind);
  }
  if (withheld.size === 0) return { population: p, cells: 0 };
  return { population: { ...p, counts: c, withheld: [...withheld] }, cells };
}

/** One entry with the given layers withheld. */
export function withholdEntry(entry: DatasetFrequencies, layers: Layers, k: number): { entry: DatasetFrequencies; cells: number } {
  let cells = 0;
  let marked = false;
  const populations = entry.populations.map((p) => {
    const r = withholdPopulation(p, layers, k);
    cells += r.cells;
    if (r.population.withheld) marked = true;
    return r.population;
  });
  if (!marked) return { entry, cells: 0 };
  return { entry: { ...entry, populations, minCount: Math.max(k, entry.minCount ?? 1) }, cells };
}

/** The id of a broker's pooled entry (src/broker/merge.ts writes it). */
export const POOLED_DATASET_ID = 'pooled';

/**
 * A whole record: each entry under its own k (`kOf` gives the policy's threshold; effectiveK is
 * applied here), a pooled entry under the strictest k of its contributors and its own, with the
 * layers withheld in any contributor withheld in the pooled entry too.
 */
export function discloseRecord(record: VariantRecord, kOf: (entry: DatasetFrequencies) => number): { record: VariantRecord; withheldCells: number } {
  const ks = new Map<DatasetFrequencies, number>();
  for (const e of record.frequencies) ks.set(e, effectiveK(kOf(e)));
  for (const e of record.frequencies) {
    if (!e.pooled) continue;
    const from = record.frequencies.filter((x) => e.pooled!.contributors.includes(x.datasetId));
    ks.set(e, Math.max(ks.get(e)!, ...from.map((x) => ks.get(x)!)));
  }
  const layers = new Map(record.frequencies.map((e) => [e, primaryLayers(e, ks.get(e)!)]));
  for (const e of record.frequencies) {
    if (!e.pooled) continue;
    const mine = layers.get(e)!;
    for (const x of record.frequencies) {
      if (x === e || !e.pooled.contributors.includes(x.datasetId)) continue;
      const theirs = layers.get(x)!;
      mine.alleles ||= theirs.alleles;
      mine.genotypes ||= theirs.genotypes;
    }
  }
  let withheldCells = 0;
  const frequencies = record.frequencies.map((e) => {
    const r = withholdEntry(e, layers.get(e)!, ks.get(e)!);
    withheldCells += r.cells;
    return r.entry;
  });
  if (withheldCells === 0 && frequencies.every((f, i) => f === record.frequencies[i])) return { record, withheldCells: 0 };
  return { record: { ...record, frequencies }, withheldCells };
}
