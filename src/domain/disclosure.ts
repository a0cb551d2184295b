import type { CountKind, GroupCounts } from './counts';
import type { DatasetFrequencies, PopulationCounts, VariantRecord } from './lookup';

/**
 * Small-cell disclosure control for one variant's record (DESIGN §9), pure. Each dataset entry is
 * judged with its own threshold k, and the rule acts on whole entries, never on single cells:
 *
 * Primary triggers (a count a client must not learn): any group's ac, nhomalt, nhet or nhemi in
 * 1..k-1; any group's reference allele count an − ac in 1..k-1 (ac = an − refAC would give it away,
 * and with it a heterozygote: het ≤ an − ac); a group with fewer than k individuals (⌈an/2⌉, exact
 * on autosomes, a lower bound on X/Y) that has any carrier; a count a peer already withheld.
 *
 * Secondary suppression: any trigger withholds every carrier count (ac, nhomalt, nhet, nhemi, and
 * AF) of every group of the entry; AN stays. So no linear identity among published counts has a
 * visible member left to subtract: not the sums across groups (Total = Σ ancestries, Total =
 * XX + XY, g = g_XX + g_XY, super-population = Σ populations, whatever the groups are: the rule
 * needs no knowledge of which groups partition which), not ac = het + 2·hom + hemi inside a group.
 * Withholding one layer only is not enough: with ac visible, knowing that some genotype cell is in
 * 1..k-1 pins the split of a small ac (k = 3, ac = 3: het 3 / hom 0 fires no trigger, so het 1 /
 * hom 1), which the oracle (test/helpers/disclosure-oracle.ts) found. Across the entries of a
 * broker's record (pooled = Σ contributors, per population and kind): an entry withheld in any
 * contributor is withheld in the pooled entry, so pooled − Σ visible others is a sum of withheld
 * values, never one.
 *
 * A group too small to publish is dropped with all its counts, AN included (its name stays,
 * marked). k = 2 is treated as k = 3: with k = 2 every withheld count would be exactly 1. An AF
 * reported without counts cannot be checked against k and is withheld unless it is 0.
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
    if (isSmallGroup(p, k)) {
      // A peer's unpublished small group carries no counts: had it a carrier, the peer (same rule)
      // would have withheld the allele layer of the entry, which its other groups' markers show.
      if (hasCarrier(c)) out.alleles = true;
      continue;
    }
    // Markers from upstream (a peer node already withheld them; pooled sums with a withheld part) are triggers here.
    if (w.includes('ac')) out.alleles = true;
    if (GENOTYPE_KINDS.some((kind) => w.includes(kind))) out.genotypes = true;
    if (inRange(c.ac, k)) out.alleles = true;
    if (c.ac !== undefined && c.an !== undefined && inRange(c.an - c.ac, k)) out.alleles = true;
    if (GENOTYPE_KINDS.some((kind) => inRange(c[kind], k))) out.genotypes = true;
  }
  // One layer withheld means both (see above).
  if (out.alleles || out.genotypes) out.alleles = out.genotypes = true;
  return out;
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
    if (layers.genotypes) for (const kind of GENOTYPE_KINDS) if (had(kind)) drop(kind);
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
