import { sexOf } from '../domain/derived';
import { trimAlleles } from '../domain/alleles';
import { parseAssembly } from '../domain/assemblies';
import { vrsAllele, type VrsAllele } from '../domain/vrs';
import { isPooledEntry, type WireFrequencies, type WirePopulation, type WireRecord, type WireWithheldPopulation } from './record';

/**
 * GA4GH VA-Spec `CohortAlleleFrequencyStudyResult` (CAF; va-spec 1.x profile, VRS 2.x Allele) of a
 * record, for requests whose `requestedSchemas` ask for it (docs/api.md "VA-Spec CAF"). It is
 * another rendering of the wire record, made after disclosure control, so it shows exactly the
 * counts the Beacon record shows:
 * - the top cohort is the record's first entry (a broker's pooled entry; a node's dataset) at its
 *   `Total` population; its other populations are `subCohortFrequency`, each sex split nested under
 *   the population it splits; on a broker each node's entry follows as a sub-cohort of its own;
 * - a cohort whose counts are withheld (or that has no AN > 0, or only a frequency) cannot be a CAF
 *   (focusAlleleCount and locusAlleleCount are required integers): it is named, with what is
 *   withheld, in its parent's `extensions` (`countsWithheld`); a record whose top cohort is so is
 *   not rendered (the caller lists it, see `cafOf`'s undefined);
 * - FAF95/FAF99, homozygotes, heterozygotes, hemizygotes and grpmax go in `ancillaryResults`.
 */
export const CAF_SCHEMA_ID = 'https://w3id.org/ga4gh/schema/va-spec/1.x/profiles/json/CohortAlleleFrequencyStudyResult';
export const CAF_RETURNED_SCHEMA = { entityType: 'genomicVariant', schema: CAF_SCHEMA_ID };

export interface Caf {
  type: 'CohortAlleleFrequencyStudyResult';
  id: string;
  label: string;
  focusAllele: VrsAlleleJson | string;
  focusAlleleCount: number;
  locusAlleleCount: number;
  focusAlleleFrequency: number;
  cohort: { type: 'StudyGroup'; id: string; label: string; characteristics?: { name: string; value: string }[] };
  sourceDataSet?: { type: 'DataSet'; id: string; label: string; version?: string }[];
  subCohortFrequency?: Caf[];
  ancillaryResults?: Record<string, unknown>;
  extensions?: { type?: 'Extension'; name: string; value: unknown }[];
}

type VrsAlleleJson = Omit<VrsAllele, 'location'> & { location: Omit<VrsAllele['location'], never> };

/** Why a cohort cannot be a CAF, as its parent's `countsWithheld` extension lists it. */
interface Unpublished {
  population: string;
  label: string;
  reason: 'withheld' | 'no alleles called' | 'frequency only';
  countsWithheld?: string[];
  alleleNumber?: number;
}

/** The CAF of one wire record, or undefined when its top cohort's counts cannot be shown (withheld, AN 0). */
export function cafOf(rec: WireRecord): Caf | undefined {
  const focus = focusAlleleOf(rec);
  const [first, ...rest] = rec.frequencyInPopulations;
  if (!first) return undefined;
  const top = entryCaf(rec, first, focus);
  if (!top) return undefined;
  if (isPooledEntry(first)) {
    const nodes = rest.map((f) => entryCaf(rec, f, focus));
    top.subCohortFrequency = [...(top.subCohortFrequency ?? []), ...nodes.filter((c): c is Caf => c !== undefined)];
    const hidden = rest.filter((_, i) => !nodes[i]).map((f) => ({ population: f.datasetId, label: f.source, reason: 'withheld' as const }));
    for (const f of rec.frequencyInPopulationsWithheld ?? []) hidden.push({ population: f.datasetId, label: f.source, reason: 'withheld' });
    if (hidden.length > 0) addUnpublished(top, hidden);
  }
  return top;
}

/**
 * The VRS 2.0 Allele (for a substitution, built here: it needs no reference) or its `ga4gh:VA.`
 * id (an indel whose id a node stored at ingest); else the Beacon variant id as an IRI reference.
 */
function focusAlleleOf(rec: WireRecord): VrsAlleleJson | string {
  const assembly = parseAssembly(rec.assemblyId);
  const t = trimAlleles(rec.variation.location.interval.start.value, rec.variation.referenceBases, rec.variation.alternateBases);
  if (assembly && t.ref !== '' && t.alt !== '') {
    const a = vrsAllele(assembly, rec.referenceName, t.start0, t.ref, t.alt);
    if (a) return a;
  }
  const id = (rec.identifiers?.variantAlternativeIds ?? []).find((x) => x.id.startsWith('ga4gh:VA.'))?.id;
  return id ?? rec.variantInternalId;
}

/** One dataset entry as a cohort: its Total at the top, its other populations below (sex splits under their parent). */
function entryCaf(rec: WireRecord, f: WireFrequencies, focus: VrsAlleleJson | string): Caf | undefined {
  const pops = f.frequencies;
  const withheld = f.populationsWithheld ?? [];
  const total = pops.find((p) => p.population === 'Total');
  const source = { type: 'DataSet' as const, id: f.datasetId, label: f.source, ...(f.version !== undefined ? { version: f.version } : {}) };
  const cohortOf = (p: WirePopulation, parent?: WirePopulation): Caf | undefined => {
    if (p.alleleCount === undefined || p.alleleNumber === undefined || !(p.alleleNumber > 0)) return undefined;
    const c: Caf = {
      type: 'CohortAlleleFrequencyStudyResult',
      id: `${rec.variantInternalId}:${f.datasetId}:${p.population}`,
      label: `${p.populationLabel} allele frequency of ${rec.variantId} in ${f.source}`,
      focusAllele: focus,
      focusAlleleCount: p.alleleCount,
      locusAlleleCount: p.alleleNumber,
      focusAlleleFrequency: p.alleleFrequency,
      cohort: { type: 'StudyGroup', id: p.population === 'Total' ? f.datasetId : p.population, label: p.population === 'Total' ? f.source : p.populationLabel },
      sourceDataSet: [source],
    };
    const characteristics = characteristicsOf(p, parent);
    if (characteristics.length > 0) c.cohort.characteristics = characteristics;
    const ancillary: Record<string, unknown> = {};
    if (p.alleleCountHomozygous !== undefined) ancillary.homozygotes = p.alleleCountHomozygous;
    if (p.alleleCountHeterozygous !== undefined) ancillary.heterozygotes = p.alleleCountHeterozygous;
    if (p.alleleCountHemizygous !== undefined) ancillary.hemizygotes = p.alleleCountHemizygous;
    if (p.faf95 !== undefined) ancillary.faf95 = p.faf95;
    if (p.faf99 !== undefined) ancillary.faf99 = p.faf99;
    if (p.pooledFrom) ancillary.pooledFrom = p.pooledFrom;
    if (Object.keys(ancillary).length > 0) c.ancillaryResults = ancillary;
    return c;
  };
  if (!total) return undefined;
  const top = cohortOf(total);
  if (!top) return undefined;
  if (isPooledEntry(f)) top.ancillaryResults = { ...top.ancillaryResults, contributors: f.contributors ?? [], missing: f.missing ?? [] };
  if (f.grpmax) top.ancillaryResults = { ...top.ancillaryResults, grpmax: { groupId: f.grpmax.population, frequency: f.grpmax.alleleFrequency } };
  if (f.fafmax) top.ancillaryResults = { ...top.ancillaryResults, grpMaxFAF95: { frequency: f.fafmax.faf95, confidenceInterval: 0.95, groupId: f.fafmax.faf95Population }, grpMaxFAF99: { frequency: f.fafmax.faf99, confidenceInterval: 0.99, groupId: f.fafmax.faf99Population } };
  // Each population under its parent: a sex split under the population it splits, everything else under the top.
  const byCode = new Map(pops.map((p) => [p.population.toLowerCase(), p]));
  const parentOf = (code: string): WirePopulation | undefined => {
    const s = sexOf(code);
    if (!s) return undefined;
    return s.parent === '' ? total : byCode.get(s.parent.toLowerCase());
  };
  const made = new Map<WirePopulation, Caf>([[total, top]]);
  const unpublished = new Map<Caf, Unpublished[]>();
  const note = (at: Caf, u: Unpublished) => {
    const list = unpublished.get(at) ?? [];
    list.push(u);
    unpublished.set(at, list);
  };
  // Parents first, so a split finds its parent's cohort.
  const ordered = pops.filter((p) => p !== total).sort((a, b) => Number(parentOf(a.population) !== undefined && parentOf(a.population) !== total) - Number(parentOf(b.population) !== undefined && parentOf(b.population) !== total));
  for (const p of ordered) {
    const parent = parentOf(p.population);
    const at = (parent && made.get(parent)) ?? top;
    const c = cohortOf(p, parent && parent !== total ? parent : undefined);
    if (c) {
      (at.subCohortFrequency ??= []).push(c);
      made.set(p, c);
    } else {
      note(at, {
        population: p.population,
        label: p.populationLabel,
        reason: p.alleleCount === undefined && p.countsWithheld ? 'withheld' : p.alleleCount === undefined ? 'frequency only' : 'no alleles called',
        ...(p.countsWithheld ? { countsWithheld: p.countsWithheld } : {}),
        ...(p.alleleNumber !== undefined ? { alleleNumber: p.alleleNumber } : {}),
      });
    }
  }
  for (const w of withheld) {
    const parent = parentOf(w.population);
    note((parent && made.get(parent)) ?? top, withheldNote(w));
  }
  for (const [at, list] of unpublished) addUnpublished(at, list);
  return top;
}

function withheldNote(w: WireWithheldPopulation): Unpublished {
  return { population: w.population, label: w.populationLabel, reason: 'withheld', countsWithheld: w.countsWithheld, ...(w.alleleNumber !== undefined ? { alleleNumber: w.alleleNumber } : {}) };
}

function addUnpublished(at: Caf, list: Unpublished[]): void {
  (at.extensions ??= []).push({ type: 'Extension', name: 'countsWithheld', value: list });
}

const ANCESTRY = /^(afr|amr|asj|eas|fin|nfe|sas|mid|ami|oth|remaining|eur|asn)$/i;

/** gnomAD's cohort characteristics: genetic ancestry for an ancestry group, biological sex for a sex split. */
function characteristicsOf(p: WirePopulation, parent?: WirePopulation): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const s = sexOf(p.population);
  const ancestry = (q: WirePopulation) => {
    if (ANCESTRY.test(q.populationCanonical ?? '') || ANCESTRY.test(q.population)) out.push({ name: 'genetic ancestry', value: q.populationLabel });
  };
  if (s) {
    if (parent) ancestry(parent);
    out.push({ name: 'biological sex', value: s.sex });
  } else ancestry(p);
  return out;
}
