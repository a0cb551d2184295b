import { alleleFrequency, countProblems, type CountKind, type GroupCounts } from '../domain/counts';
import { refseqAccession, resolveContig, type ResolvedContig } from '../domain/contigs';
import { formatVariantId, parseRsid } from '../domain/variant-id';
import { start0ToPos1 } from '../domain/coordinates';
import { isAlleleBases, trimAlleles, variantType } from '../domain/alleles';
import { parseAssembly, type Assembly } from '../domain/assemblies';
import type { DatasetFrequencies, PopulationCounts, VariantRecord } from '../domain/lookup';
import { derivedFrequencies, type DerivedPopulation, type Sex } from '../domain/derived';
import { VRS_ALLELE_PREFIX, parseVrsAlleleId, vrsAllele } from '../domain/vrs';

/**
 * The wire mapping, both directions (DESIGN §7): `toWireRecord` writes a domain record as a Beacon
 * genomicVariations record, `fromWireRecord` reads one back (from an afb peer or a third-party
 * Beacon), checked strictly: whatever it returns obeys the domain's rules, or it throws a
 * WireFormatError naming the field. A round trip is the identity on every field the wire carries
 * (test/unit/beacon/record-roundtrip.test.ts).
 */

/** The datasetId of the pooled entry a broker puts first in `frequencyInPopulations`. */
export const POOLED_DATASET_ID = 'pooled';

/** True for a broker's pooled entry (its counts are sums of the entries that follow it). */
export function isPooledEntry(f: { datasetId?: unknown }): boolean {
  return f.datasetId === POOLED_DATASET_ID;
}

/**
 * AN above this is not a real cohort: 2 x 10^10 alleles is more than two per person alive. A peer
 * sending it (say 2^53 - 1) is broken or hostile; its answer is refused, never pooled.
 */
export const MAX_PLAUSIBLE_ALLELE_NUMBER = 2e10;

/** A wire record (or a part of one) that cannot be read as valid counts; `message` names the field. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

/**
 * A record whose counts break the domain's rules (AC > AN, 2·hom > AC, …): a reader that reads
 * third-party answers record by record rejects that record alone (see readVariantsResponse).
 */
export class ImpossibleCountsError extends WireFormatError {
  constructor(message: string) {
    super(message);
    this.name = 'ImpossibleCountsError';
  }
}

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
  identifiers?: { genomicHGVSId?: string; variantAlternativeIds?: { id: string; reference?: string; notes?: string }[] };
  frequencyInPopulations: WireFrequencies[];
  /**
   * afb extension: dataset entries whose every population is withheld (docs/api.md "Withheld
   * counts"). They cannot stay in frequencyInPopulations, whose `frequencies` needs at least one
   * population with an alleleFrequency.
   */
  frequencyInPopulationsWithheld?: Omit<WireFrequencies, 'frequencies'>[];
  /**
   * afb extension, only in `info.afb.coverage` records (docs/api.md "Covered, absent, not covered"):
   * datasets that declared callable regions and did not cover this position.
   */
  notCovered?: { datasetId: string; source: string; origin?: string }[];
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
  /** afb extension, derived from this entry's counts (docs/api.md "Derived values"): gnomAD's grpmax. */
  grpmax?: WireGrpmax;
  /** afb extension, derived: the highest FAF95 and FAF99 over the grpmax groups and where they are. */
  fafmax?: { faf95: number; faf95Population: string; faf99: number; faf99Population: string };
  /** afb extension: grpmax and fafmax are not given because counts of a group that could be the maximum are withheld. */
  grpmaxWithheld?: true;
  /** The dataset does not hold the variant but covered its position: every AC is 0 of the AN given. */
  absent?: true;
}

export interface WireGrpmax {
  population: string;
  alleleFrequency: number;
  alleleCount: number;
  alleleNumber: number;
  alleleCountHomozygous?: number;
}

/** One sex's counts of a population (the XX or XY population that splits it), beside the population's own counts. */
export interface WireSexCounts {
  population: string;
  alleleCount?: number;
  alleleNumber?: number;
  alleleFrequency?: number;
  alleleCountHomozygous?: number;
  alleleCountHemizygous?: number;
  countsWithheld?: WireCountName[];
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
  /** afb extension, derived (docs/api.md "Derived values"): gnomAD's filtering allele frequency at 95 % and 99 %. */
  faf95?: number;
  faf99?: number;
  /** afb extension, derived: the XX and XY populations that split this one, their counts repeated here. */
  sexSplit?: Partial<Record<Sex, WireSexCounts>>;
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
const KIND_OF_WIRE_NAME = new Map(Object.entries(WIRE_COUNT_NAMES).map(([k, n]) => [n as string, k as CountKind]));

/** Count kinds from a wire `countsWithheld` list (unknown names ignored: a newer peer may add some). */
export function kindsFromWire(names: unknown, field = 'countsWithheld'): CountKind[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) bad(`${field} is not a list`);
  return names.flatMap((n) => (typeof n === 'string' && KIND_OF_WIRE_NAME.has(n) ? [KIND_OF_WIRE_NAME.get(n)!] : []));
}

function wireNames(kinds: readonly CountKind[]): WireCountName[] {
  const order = Object.keys(WIRE_COUNT_NAMES) as CountKind[];
  return order.filter((k) => kinds.includes(k)).map((k) => WIRE_COUNT_NAMES[k]);
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
  const sequenceId = hgvsSequenceId(r);
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
  if (r.notCovered && r.notCovered.length > 0) rec.notCovered = r.notCovered.map((d) => ({ datasetId: d.datasetId, source: d.source, ...(d.origin ? { origin: d.origin } : {}) }));
  const ids: NonNullable<WireRecord['identifiers']> = {};
  if (accession && r.display.ref.length === 1 && r.display.alt.length === 1) ids.genomicHGVSId = `${accession}:g.${start0ToPos1(start0)}${r.display.ref}>${r.display.alt}`;
  if (r.rsids.length > 0) ids.variantAlternativeIds = r.rsids.map((id) => ({ id: `dbSNP:${id}`, reference: `https://www.ncbi.nlm.nih.gov/snp/${id}` }));
  const vrs = vrsIdOf(r);
  if (vrs) (ids.variantAlternativeIds ??= []).push({ id: vrs, reference: VRS_REFERENCE, notes: 'GA4GH VRS 2.0 computed allele identifier' });
  if (Object.keys(ids).length > 0) rec.identifiers = ids;
  return rec;
}

/** What `variantAlternativeIds` names as the reference of a VRS id. */
export const VRS_REFERENCE = 'https://vrs.ga4gh.org/en/2.0/conventions/computed_identifiers.html';

/**
 * A record's VRS 2.0 allele id: the one its lookup knows (a node's stored id of an indel, a peer's
 * id read back), else computed for a substitution (it needs no reference bases); none otherwise.
 */
export function vrsIdOf(r: VariantRecord): string | undefined {
  const t = r.trimmed;
  // A substitution's id is always computed here, never taken from a peer.
  if (t.ref !== '' && t.alt !== '') return vrsAllele(r.assembly, r.contig, t.start0, t.ref, t.alt)?.id;
  return r.vrsId;
}

/**
 * `variation.location.sequence_id` as the GDI network writes it (beacon2-pi-api, ri-tools-v2,
 * gdi-mini-node): `HGVSid:<contig>:g.<1-based POS><REF>><ALT>`, a CURIE whose second part the
 * portal's dataset-discovery service reads as the chromosome, so it labels afb's and EGA's
 * answers for one variant alike (`2-10297-G-T`). The RefSeq accession (and so the assembly) is in
 * `identifiers.genomicHGVSId` and `assemblyId`.
 */
export function hgvsSequenceId(r: VariantRecord): string {
  return `HGVSid:${r.contig}:g.${start0ToPos1(r.display.start0)}${r.display.ref || '-'}>${r.display.alt || '-'}`;
}

function toWireFrequencies(f: DatasetFrequencies, sourceReference: string): WireFrequencies {
  const out: WireFrequencies = {
    source: f.source,
    sourceReference,
    ...(f.version !== undefined ? { version: f.version } : {}),
    datasetId: f.datasetId,
    ...(f.origin !== undefined ? { origin: f.origin } : {}),
    frequencies: [],
  };
  const derived = derivedFrequencies(f.populations);
  out.frequencies = f.populations.filter((p) => !frequencyWithheld(p)).map((p) => toWirePopulation(p, derived.populations.get(p.code)));
  if (f.pooled) {
    out.contributors = f.pooled.contributors;
    out.missing = f.pooled.missing;
  }
  const hidden = f.populations.filter(frequencyWithheld);
  if (hidden.length > 0) out.populationsWithheld = hidden.map(toWireWithheld);
  if (f.minCount !== undefined) out.minCount = f.minCount;
  if (derived.grpmax) {
    const c = derived.grpmax.counts;
    out.grpmax = { population: derived.grpmax.population, alleleFrequency: roundAf(derived.grpmax.alleleFrequency), alleleCount: c.ac!, alleleNumber: c.an! };
    if (c.nhomalt !== undefined) out.grpmax.alleleCountHomozygous = c.nhomalt;
  }
  if (derived.fafmax) out.fafmax = { ...derived.fafmax, faf95: roundAf(derived.fafmax.faf95), faf99: roundAf(derived.fafmax.faf99) };
  if (derived.maxWithheld) out.grpmaxWithheld = true;
  if (f.absent) out.absent = true;
  return out;
}

/**
 * One population on the wire. The spec requires a number in `alleleFrequency`; where AN is 0
 * (nobody called) it is 0 and `alleleNumber: 0` says why, so nothing reads it as a measured zero.
 */
export function toWirePopulation(p: PopulationCounts, derived?: DerivedPopulation): WirePopulation {
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
  if (derived?.faf95 !== undefined) out.faf95 = roundAf(derived.faf95);
  if (derived?.faf99 !== undefined) out.faf99 = roundAf(derived.faf99);
  if (derived?.sexSplit) {
    out.sexSplit = {};
    for (const [sex, q] of Object.entries(derived.sexSplit) as [Sex, PopulationCounts][]) out.sexSplit[sex] = toWireSexCounts(q);
  }
  return out;
}

function toWireSexCounts(p: PopulationCounts): WireSexCounts {
  const c = p.counts;
  const out: WireSexCounts = { population: p.code };
  if (c.ac !== undefined) out.alleleCount = c.ac;
  if (c.an !== undefined) out.alleleNumber = c.an;
  const af = alleleFrequency(c);
  if (af !== undefined && !frequencyWithheld(p)) out.alleleFrequency = roundAf(af);
  if (c.nhomalt !== undefined) out.alleleCountHomozygous = c.nhomalt;
  if (c.nhemi !== undefined) out.alleleCountHemizygous = c.nhemi;
  if (p.withheld && p.withheld.length > 0) out.countsWithheld = wireNames([...p.withheld, ...(frequencyWithheld(p) ? (['af'] as const) : [])]);
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

/**
 * A genomicVariations record read back into the domain shape, checked before anything of it is
 * used: bases (domain isAlleleBases), a 0-based start, a contig, an assembly (the record's
 * `assemblyId`, else `opts.assembly`; a record of another assembly than `opts.assembly` is
 * refused), counts by the domain's rules (countProblems) and plausible magnitudes. `trimmed` is
 * the identity (domain trimAlleles of the wire alleles), `display` the alleles as sent. A
 * third-party Beacon's entries without `datasetId` are named by their `source`.
 */
export interface WireReadOptions {
  assembly?: Assembly;
  /** The dataset an entry without its own `datasetId` belongs to (the result set's id); else its `source` names it. */
  datasetId?: string;
  /** Collects the documented non-spec forms met while reading (e.g. mini-node's `populations`). */
  dialects?: Set<string>;
}

export function fromWireRecord(raw: unknown, opts: WireReadOptions = {}): VariantRecord {
  const r = raw as Record<string, any>;
  if (!r || typeof r !== 'object' || Array.isArray(r)) bad('a result is not an object');
  const v = r.variation as Record<string, any> | undefined;
  if (!v || typeof v !== 'object') bad('a record has no variation');
  const ref = wireBases(v.referenceBases, 'referenceBases');
  const alt = wireBases(v.alternateBases, 'alternateBases');
  const start = v.location?.interval?.start;
  const start0: unknown = typeof start === 'number' ? start : start?.value;
  if (typeof start0 !== 'number' || !Number.isSafeInteger(start0) || start0 < 0) bad('variation.location.interval.start is not a 0-based position');
  const { name, resolved } = recordContig(r, v);
  if (!resolved || resolved.contig === '') bad(`contig '${name}' is not understood`);
  const assembly = recordAssembly(r.assemblyId, resolved.assembly, opts.assembly);
  const fip = r.frequencyInPopulations;
  if (!Array.isArray(fip)) bad('a record has no frequencyInPopulations list');
  const rsids: string[] = [];
  const alternatives = r.identifiers?.variantAlternativeIds ?? [];
  if (!Array.isArray(alternatives)) bad('identifiers.variantAlternativeIds is not a list');
  let vrsId: string | undefined;
  for (const id of alternatives) {
    if (typeof id?.id === 'string' && id.id.startsWith(VRS_ALLELE_PREFIX) && parseVrsAlleleId(id.id)) vrsId ??= id.id;
    // `dbSNP:rs123` (afb), `rs123`; other kinds of ids are not rsIDs.
    const n = parseRsid(String(id?.id ?? '').replace(/^[^:]*:/, ''));
    if (n !== undefined) rsids.push(`rs${n}`);
  }
  const trimmed = trimAlleles(start0, ref, alt);
  // Only an indel's id is kept (it needed the peer's reference); a substitution's is computed when written.
  const indel = trimmed.ref === '' || trimmed.alt === '';
  return {
    assembly,
    contig: resolved.contig,
    trimmed,
    display: { start0, ref, alt },
    rsids,
    ...(vrsId && indel ? { vrsId } : {}),
    frequencies: [
      ...fip.map((f) => fromWireFrequencies(f, { datasetId: ownString(r.datasetId) ?? opts.datasetId, dialects: opts.dialects })),
      ...withheldEntries(r.frequencyInPopulationsWithheld, { datasetId: ownString(r.datasetId) ?? opts.datasetId }),
    ],
    ...notCoveredOf(r.notCovered),
  };
}

/** `notCovered` read back: the datasets named, nothing else. */
function notCoveredOf(raw: unknown): { notCovered?: { datasetId: string; source: string; origin?: string }[] } {
  if (raw === undefined) return {};
  if (!Array.isArray(raw)) bad('notCovered is not a list');
  const list = raw.map((d: Record<string, unknown>) => {
    const datasetId = ownString(d?.datasetId);
    if (!datasetId) bad('a notCovered entry has no datasetId');
    const origin = ownString(d.origin);
    return { datasetId, source: ownString(d.source) ?? datasetId, ...(origin ? { origin } : {}) };
  });
  return list.length > 0 ? { notCovered: list } : {};
}

/**
 * Where a record's contig is written, in the order afb trusts them: afb's own `referenceName`,
 * then `variation.location.sequence_id` in any form the GDI implementations write (`refseq:NC_000021.8`,
 * `NC_000021.8`, `chr21`, `21`, and pi-api / ri-tools-v2 / mini-node's `HGVSid:21:g.9411383C>T`),
 * then the accession of `identifiers.genomicHGVSId` (`NC_000021.8:g.9411384C>T`). A VRS digest
 * (`ga4gh:SQ.…`) names no contig by itself. HGVS-derived names never pin the assembly: pi-api's
 * shipped records pair GRCh37 positions with GRCh38 accessions in genomicHGVSId.
 */
function recordContig(r: Record<string, any>, v: Record<string, any>): { name: string; resolved: ResolvedContig | undefined } {
  if (typeof r.referenceName === 'string') return { name: r.referenceName, resolved: resolveContig(r.referenceName) };
  const sid = String(v.location?.sequence_id ?? '');
  const fromSid = contigOfSequenceId(sid);
  if (fromSid) return { name: sid, resolved: fromSid };
  const hgvs = r.identifiers?.genomicHGVSId;
  if (typeof hgvs === 'string') {
    const acc = /^([A-Za-z]{2}_\d+(?:\.\d+)?):[gmc]\./.exec(hgvs);
    const resolved = acc ? resolveContig(acc[1]!) : undefined;
    if (resolved) return { name: hgvs, resolved: { contig: resolved.contig } };
  }
  return { name: sid, resolved: undefined };
}

/**
 * The contig a `sequence_id` names, or undefined: `HGVSid:<chr>:g.<pos><ref>><alt>` (pi-api,
 * ri-tools-v2, mini-node; the position there is not used, ri-tools writes it 0-based and mini-node
 * 1-based), an HGVS expression `NC_000021.8:g.…`, `refseq:NC_…`, a bare accession or contig name.
 */
export function contigOfSequenceId(sequenceId: string): ResolvedContig | undefined {
  const s = sequenceId.trim();
  if (s === '' || /^ga4gh:/i.test(s)) return undefined;
  const hgvsId = /^HGVSid:([^:]+):/i.exec(s);
  if (hgvsId) {
    const c = resolveContig(hgvsId[1]!);
    return c && c.contig !== '' ? { contig: c.contig } : undefined;
  }
  const expr = /^(?:refseq:)?([^:]+):[gmc]\./i.exec(s);
  if (expr) {
    const c = resolveContig(expr[1]!);
    return c && c.contig !== '' ? { contig: c.contig } : undefined;
  }
  if (s.includes(':') && !/^refseq:/i.test(s)) return undefined;
  const c = resolveContig(s);
  return c && c.contig !== '' ? c : undefined;
}

function ownString(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/** Entries a peer withheld whole (docs/api.md "Withheld counts"): read back as withheld, never dropped or taken as 0. */
function withheldEntries(raw: unknown, opts: Pick<WireReadOptions, 'datasetId'>): DatasetFrequencies[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad('frequencyInPopulationsWithheld is not a list');
  return raw.map((f: Record<string, any>) => {
    if (!f || typeof f !== 'object' || !Array.isArray(f.populationsWithheld) || f.populationsWithheld.length === 0) bad('a withheld entry has no populationsWithheld');
    return fromWireFrequencies({ ...f, frequencies: [] }, opts);
  });
}

/** One `frequencyInPopulations` entry read back (see fromWireRecord). */
export function fromWireFrequencies(raw: unknown, opts: Pick<WireReadOptions, 'datasetId' | 'dialects'> = {}): DatasetFrequencies {
  const f = raw as Record<string, any>;
  const withheld = f?.populationsWithheld;
  // gdi-mini-node 0.9.1 writes the spec's `frequencies` as `populations` (with `numberOfPopulations`): a documented dialect.
  let list: unknown = f?.frequencies;
  if (list === undefined && f && typeof f === 'object' && Array.isArray(f.populations)) {
    list = f.populations;
    opts.dialects?.add('populations-for-frequencies');
  }
  if (!f || typeof f !== 'object' || typeof f.source !== 'string' || !Array.isArray(list) || (list.length === 0 && !(Array.isArray(withheld) && withheld.length > 0))) {
    bad('a frequencyInPopulations entry lacks source or frequencies');
  }
  if (withheld !== undefined && !Array.isArray(withheld)) bad('populationsWithheld is not a list');
  const datasetId = ownString(f.datasetId) ?? opts.datasetId ?? f.source;
  const populations = [...(list as unknown[]).map(fromWirePopulation), ...((withheld ?? []) as unknown[]).map(fromWireWithheld)];
  const out: DatasetFrequencies = { datasetId, source: f.source, filters: [], populations };
  if (Number.isSafeInteger(f.minCount) && f.minCount > 1) out.minCount = f.minCount;
  if (typeof f.version === 'string') out.version = f.version;
  if (typeof f.origin === 'string' && f.origin !== '') out.origin = f.origin;
  if (f.contributors !== undefined || f.missing !== undefined) {
    out.pooled = { contributors: stringList(f.contributors, 'contributors'), missing: stringList(f.missing, 'missing') };
  }
  if (f.absent === true) {
    if (populations.some((p) => (p.counts.ac ?? 0) > 0 || (p.counts.nhomalt ?? 0) > 0 || (p.counts.nhet ?? 0) > 0 || (p.counts.nhemi ?? 0) > 0)) {
      throw new ImpossibleCountsError(`dataset ${datasetId}: marked absent but carries a non-zero count`);
    }
    out.absent = true;
  }
  return out;
}

/**
 * One population read back. Integer counts are kept as sent (checked by the domain's rules);
 * where AC and AN are not both given the frequency is kept as `af` (shown, never pooled), since
 * a frequency computed at the edge says nothing the counts do not.
 */
export function fromWirePopulation(raw: unknown): PopulationCounts {
  const p = raw as Record<string, any>;
  if (!p || typeof p !== 'object' || typeof p.population !== 'string' || p.population === '') bad('a frequency has no population');
  const code: string = p.population;
  const af = p.alleleFrequency;
  if (typeof af !== 'number' || !Number.isFinite(af)) bad(`population ${code}: alleleFrequency ${JSON.stringify(af)} is not a number`);
  const ac = wireCount(p, 'alleleCount', code);
  const an = wireCount(p, 'alleleNumber', code);
  const nhomalt = wireCount(p, 'alleleCountHomozygous', code);
  const nhet = wireCount(p, 'alleleCountHeterozygous', code);
  const nhemi = wireCount(p, 'alleleCountHemizygous', code);
  // The same consistency rules as at ingest (domain countProblems), on everything sent. One object
  // shape for every population keeps this fast (a batch reads hundreds of thousands of them).
  const problems = countProblems({ ac, an, nhomalt, nhet, nhemi, af });
  if (problems.length > 0) throw new ImpossibleCountsError(`population ${code}: ${problems.map((x) => x.message).join('; ')}`);
  // Integer AC and AN pool; without both, the frequency is what is shown (never pooled).
  const counts: GroupCounts = ac !== undefined && an !== undefined ? { ac, an } : { af };
  if (ac !== undefined && an === undefined) counts.ac = ac;
  if (an !== undefined && ac === undefined) counts.an = an;
  if (nhomalt !== undefined) counts.nhomalt = nhomalt;
  if (nhet !== undefined) counts.nhet = nhet;
  if (nhemi !== undefined) counts.nhemi = nhemi;
  const out: PopulationCounts = { code, label: typeof p.populationLabel === 'string' ? p.populationLabel : code, counts };
  if (typeof p.populationCanonical === 'string') out.canonical = p.populationCanonical;
  if (p.pooledFrom !== undefined) out.pooledFrom = stringList(p.pooledFrom, `population ${code}: pooledFrom`);
  if (p.frequencyOnly !== undefined) out.frequencyOnly = stringList(p.frequencyOnly, `population ${code}: frequencyOnly`);
  const withheld = kindsFromWire(p.countsWithheld, `population ${code}: countsWithheld`).filter((k) => counts[k] === undefined && k !== 'af');
  if (withheld.length > 0) out.withheld = withheld;
  return out;
}

/** A population whose frequency a peer withheld: its AN (unless too small to publish) and the kinds withheld. */
export function fromWireWithheld(raw: unknown): PopulationCounts {
  const p = raw as Record<string, any>;
  if (!p || typeof p !== 'object' || typeof p.population !== 'string' || p.population === '') bad('a withheld population has no name');
  const code: string = p.population;
  const withheld = kindsFromWire(p.countsWithheld, `population ${code}: countsWithheld`);
  if (withheld.length === 0) bad(`population ${code}: withheld, but countsWithheld names no count`);
  const an = wireCount(p, 'alleleNumber', code);
  const problems = countProblems({ an });
  if (problems.length > 0) bad(`population ${code}: ${problems.map((x) => x.message).join('; ')}`);
  const counts: GroupCounts = an !== undefined ? { an } : {};
  if (an === undefined && !withheld.includes('an')) withheld.push('an');
  const out: PopulationCounts = { code, label: typeof p.populationLabel === 'string' ? p.populationLabel : code, counts, withheld };
  if (typeof p.populationCanonical === 'string') out.canonical = p.populationCanonical;
  if (p.pooledFrom !== undefined) out.pooledFrom = stringList(p.pooledFrom, `population ${code}: pooledFrom`);
  return out;
}

/** One count field: undefined when absent; a number at most MAX_PLAUSIBLE_ALLELE_NUMBER (countProblems checks the rest). */
function wireCount(p: Record<string, any>, field: keyof WirePopulation, code: string): number | undefined {
  const x = p[field];
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'number') bad(`population ${code}: ${field} ${JSON.stringify(x)} is not a number`);
  if (x > MAX_PLAUSIBLE_ALLELE_NUMBER) bad(`population ${code}: ${field} ${x} is implausible (more than ${MAX_PLAUSIBLE_ALLELE_NUMBER})`);
  return x;
}

function recordAssembly(assemblyId: unknown, fromAccession: Assembly | undefined, expected: Assembly | undefined): Assembly {
  let named: Assembly | undefined;
  if (assemblyId !== undefined && assemblyId !== null) {
    named = parseAssembly(String(assemblyId));
    if (!named) bad(`assemblyId '${String(assemblyId)}' is not GRCh37 or GRCh38`);
  }
  const found = named ?? fromAccession;
  if (named && fromAccession && named !== fromAccession) bad(`assemblyId ${named} but the sequence is a ${fromAccession} accession`);
  if (found && expected && found !== expected) bad(`a ${found} record in a ${expected} answer`);
  const assembly = found ?? expected;
  if (!assembly) bad('the record names no assembly (assemblyId) and none was expected');
  return assembly;
}

function wireBases(v: unknown, field: string): string {
  if (v === undefined || v === null) bad(`variation.${field} is missing`);
  const s = String(v).toUpperCase();
  if (!isAlleleBases(s)) bad(`variation.${field} '${s}' is not A C G T N`);
  return s;
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) bad(`${field} is not a list of strings`);
  return [...v] as string[];
}

function bad(message: string): never {
  throw new WireFormatError(message);
}
