import { alleleFrequency, type CountKind, type GroupCounts } from '../domain/counts';
import { refseqAccession } from '../domain/contigs';
import { formatVariantId } from '../domain/variant-id';
import { start0ToPos1 } from '../domain/coordinates';
import { variantType } from '../domain/alleles';
import type { DatasetFrequencies, PopulationCounts, VariantRecord } from '../domain/lookup';

/**
 * The genomicVariations record afb puts on the wire (gv/defaultSchema.json, LegacyVariation with
 * a VRS SequenceLocation). Beside the spec fields it carries the count extensions GDI/EGA nodes
 * send (alleleCount, alleleNumber, alleleCountHomozygous/Heterozygous/Hemizygous, the last three
 * counting individuals) and a few afb extensions a peer broker reads back (see peer parsing):
 * `populationLabel`, `populationCanonical`, `datasetId`, pooled provenance.
 */
export interface WireRecord {
  variantInternalId: string;
  variation: {
    variantType: string;
    referenceBases: string;
    alternateBases: string;
    location: {
      type: 'SequenceLocation';
      sequence_id: string;
      interval: { type: 'SequenceInterval'; start: { type: 'Number'; value: number }; end: { type: 'Number'; value: number } };
    };
  };
  identifiers?: { genomicHGVSId?: string; variantAlternativeIds?: { id: string; reference?: string }[] };
  frequencyInPopulations: WireFrequencies[];
  /**
   * afb extension: dataset entries whose every population is withheld (docs/api.md "Withheld
   * counts"). They cannot stay in frequencyInPopulations, whose `frequencies` needs at least one
   * population with an alleleFrequency.
   */
  frequencyInPopulationsWithheld?: Omit<WireFrequencies, 'frequencies'>[];
  /** afb extensions: the assembly, canonical contig and the 1-based gnomAD-style id people type. */
  assemblyId: string;
  referenceName: string;
  variantId: string;
}

export interface WireFrequencies {
  source: string;
  sourceReference: string;
  version?: string;
  datasetId: string;
  /** Unique origin of the counts (see DatasetFrequencies.origin); brokers dedupe on it. */
  origin?: string;
  frequencies: WirePopulation[];
  /** Pooled entries: who contributed, who is missing. */
  contributors?: string[];
  missing?: string[];
  /** Populations whose allele count (so also the frequency) is withheld, or that are too small to publish. */
  populationsWithheld?: WireWithheldPopulation[];
  /** Set when counts of this entry are withheld: counts in 1..minCount-1 are not published. */
  minCount?: number;
}

/** A population whose frequency is withheld: what is still published of it (AN, unless the group is too small) and what is not. */
export interface WireWithheldPopulation {
  population: string;
  populationLabel: string;
  populationCanonical?: string;
  alleleNumber?: number;
  countsWithheld: WireCountName[];
  pooledFrom?: string[];
}

export interface WirePopulation {
  population: string;
  populationLabel: string;
  populationCanonical?: string;
  alleleFrequency: number;
  alleleCount?: number;
  alleleNumber?: number;
  alleleCountHomozygous?: number;
  alleleCountHeterozygous?: number;
  alleleCountHemizygous?: number;
  pooledFrom?: string[];
  frequencyOnly?: string[];
  /** Counts of this population withheld by disclosure control (absent above, never 0). */
  countsWithheld?: WireCountName[];
}

/** The wire name of each count kind (docs/api.md). */
export const WIRE_COUNT_NAMES = {
  ac: 'alleleCount',
  an: 'alleleNumber',
  nhomalt: 'alleleCountHomozygous',
  nhet: 'alleleCountHeterozygous',
  nhemi: 'alleleCountHemizygous',
  af: 'alleleFrequency',
} as const satisfies Record<CountKind, string>;
export type WireCountName = (typeof WIRE_COUNT_NAMES)[CountKind];

/** Count kinds from a wire `countsWithheld` list (unknown names ignored: a newer peer may add some). */
export function kindsFromWire(names: unknown): CountKind[] {
  if (!Array.isArray(names)) return [];
  const byName = new Map(Object.entries(WIRE_COUNT_NAMES).map(([k, n]) => [n as string, k as CountKind]));
  return names.flatMap((n) => (typeof n === 'string' && byName.has(n) ? [byName.get(n)!] : []));
}

function wireNames(kinds: readonly CountKind[]): WireCountName[] {
  const order = Object.keys(WIRE_COUNT_NAMES) as CountKind[];
  return order.filter((k) => kinds.includes(k)).map((k) => WIRE_COUNT_NAMES[k]);
}

/** The id of a broker's pooled frequencyInPopulations entry (the page and peers read it). */
export { POOLED_DATASET_ID } from '../domain/disclosure';

/** `GRCh37:22-16050075-A-G`: the 1-based gnomAD-style id of the display form, prefixed with the assembly. */
export function variantInternalId(r: VariantRecord): string {
  return `${r.assembly}:${displayId(r)}`;
}

/** The gnomAD-style id (1-based) of a record's display form; trimmed indels without an anchor use `-` for the empty allele. */
export function displayId(r: VariantRecord): string {
  return formatVariantId(r.contig, r.display.start0, r.display.ref || '-', r.display.alt || '-');
}

export function toWireRecord(r: VariantRecord, sourceReference: string): WireRecord {
  const accession = refseqAccession(r.contig, r.assembly);
  // VRS needs a CURIE; contigs without a RefSeq accession (decoys) get an afb-local prefix.
  const sequenceId = accession ? `refseq:${accession}` : `afb:${r.assembly}:${r.contig}`;
  const start0 = r.display.start0;
  const end0 = start0 + r.display.ref.length;
  const rec: WireRecord = {
    variantInternalId: variantInternalId(r),
    variation: {
      variantType: variantType(r.trimmed),
      referenceBases: r.display.ref,
      alternateBases: r.display.alt,
      location: {
        type: 'SequenceLocation',
        sequence_id: sequenceId,
        interval: { type: 'SequenceInterval', start: { type: 'Number', value: start0 }, end: { type: 'Number', value: end0 } },
      },
    },
    frequencyInPopulations: [],
    assemblyId: r.assembly,
    referenceName: r.contig,
    variantId: displayId(r),
  };
  for (const f of r.frequencies) {
    const w = toWireFrequencies(f, sourceReference);
    if (w.frequencies.length > 0) rec.frequencyInPopulations.push(w);
    else if (w.populationsWithheld) {
      const { frequencies: _none, ...rest } = w;
      (rec.frequencyInPopulationsWithheld ??= []).push(rest);
    }
  }
  const ids: NonNullable<WireRecord['identifiers']> = {};
  if (accession && r.display.ref.length === 1 && r.display.alt.length === 1) ids.genomicHGVSId = `${accession}:g.${start0ToPos1(start0)}${r.display.ref}>${r.display.alt}`;
  if (r.rsids.length > 0) ids.variantAlternativeIds = r.rsids.map((id) => ({ id: `dbSNP:${id}`, reference: `https://www.ncbi.nlm.nih.gov/snp/${id}` }));
  if (Object.keys(ids).length > 0) rec.identifiers = ids;
  return rec;
}

function toWireFrequencies(f: DatasetFrequencies, sourceReference: string): WireFrequencies {
  const out: WireFrequencies = {
    source: f.source,
    sourceReference,
    ...(f.version !== undefined ? { version: f.version } : {}),
    datasetId: f.datasetId,
    ...(f.origin !== undefined ? { origin: f.origin } : {}),
    frequencies: f.populations.filter((p) => !frequencyWithheld(p)).map(toWirePopulation),
  };
  if (f.pooled) {
    out.contributors = f.pooled.contributors;
    out.missing = f.pooled.missing;
  }
  const hidden = f.populations.filter(frequencyWithheld);
  if (hidden.length > 0) out.populationsWithheld = hidden.map(toWireWithheld);
  if (f.minCount !== undefined) out.minCount = f.minCount;
  return out;
}

/**
 * One population on the wire. The spec requires a number in `alleleFrequency`; where AN is 0
 * (nobody called) it is 0 and `alleleNumber: 0` says why, so nothing reads it as a measured zero.
 */
export function toWirePopulation(p: PopulationCounts): WirePopulation {
  const c: GroupCounts = p.counts;
  const out: WirePopulation = {
    population: p.code,
    populationLabel: p.label,
    alleleFrequency: roundAf(alleleFrequency(c) ?? 0),
  };
  if (p.canonical !== undefined) out.populationCanonical = p.canonical;
  if (c.ac !== undefined) out.alleleCount = c.ac;
  if (c.an !== undefined) out.alleleNumber = c.an;
  if (c.nhomalt !== undefined) out.alleleCountHomozygous = c.nhomalt;
  if (c.nhet !== undefined) out.alleleCountHeterozygous = c.nhet;
  if (c.nhemi !== undefined) out.alleleCountHemizygous = c.nhemi;
  if (p.pooledFrom) out.pooledFrom = p.pooledFrom;
  if (p.frequencyOnly && p.frequencyOnly.length > 0) out.frequencyOnly = p.frequencyOnly;
  if (p.withheld && p.withheld.length > 0) out.countsWithheld = wireNames(p.withheld);
  return out;
}

/** AF is withheld with the allele count (or the group is not published): the population cannot be a PopulationFrequency. */
function frequencyWithheld(p: PopulationCounts): boolean {
  const w = p.withheld ?? [];
  return w.includes('ac') || w.includes('af') || w.includes('an');
}

function toWireWithheld(p: PopulationCounts): WireWithheldPopulation {
  const kinds = new Set(p.withheld);
  kinds.add('af');
  const out: WireWithheldPopulation = { population: p.code, populationLabel: p.label, countsWithheld: wireNames([...kinds]) };
  if (p.canonical !== undefined) out.populationCanonical = p.canonical;
  if (p.counts.an !== undefined) out.alleleNumber = p.counts.an;
  if (p.pooledFrom) out.pooledFrom = p.pooledFrom;
  return out;
}

/** Nine significant digits are plenty for a frequency and keep the JSON short. */
function roundAf(af: number): number {
  return af === 0 ? 0 : Number(af.toPrecision(9));
}
