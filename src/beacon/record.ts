import { alleleFrequency, type GroupCounts } from '../domain/counts';
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
}

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
    frequencyInPopulations: r.frequencies.filter((f) => f.populations.length > 0).map((f) => toWireFrequencies(f, sourceReference)),
    assemblyId: r.assembly,
    referenceName: r.contig,
    variantId: displayId(r),
  };
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
    frequencies: f.populations.map(toWirePopulation),
  };
  if (f.pooled) {
    out.contributors = f.pooled.contributors;
    out.missing = f.pooled.missing;
  }
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
  return out;
}

/** Nine significant digits are plenty for a frequency and keep the JSON short. */
function roundAf(af: number): number {
  return af === 0 ? 0 : Number(af.toPrecision(9));
}
