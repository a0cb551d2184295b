import type { Assembly } from './assemblies';
import { expectedPloidy, type Contig } from './contigs';
import type { GroupCounts } from './counts';
import type { DatasetFrequencies, DatasetInfo, VariantRecord } from './lookup';
import type { Trimmed } from './alleles';

/**
 * Covered vs absent (docs/api.md "Covered, absent, not covered"). For one variant and one dataset:
 * - present: the dataset holds the variant (a hit);
 * - absent: it does not, but it covered the position: another allele was called at the same site
 *   (that site's AN: every allele of a joint-called site shares it), or the position lies in the
 *   callable regions given at ingest (the AN a fully called site has there). The answer is "AC 0 of
 *   AN alleles", an entry with `absent: true`, pooled like any counts; not a hit.
 * - not covered: the dataset declared callable regions and the position is outside them (and no
 *   allele was called there): named in `notCovered`, in no sum.
 * - unknown: no declaration either way (as before: simply not found).
 */

/**
 * Which AN a fully called site has depends on ploidy: autosomes and the PARs (2 per sample) apart
 * from non-PAR X (2 per XX, 1 per XY) and non-PAR Y. The key the full ANs are kept under.
 */
export function anClass(contig: Contig, start0: number, assembly: Assembly): string {
  if (contig !== 'X' && contig !== 'Y') return contig;
  return expectedPloidy(contig, start0, assembly, 'XY') === 2 ? `${contig}:PAR` : contig;
}

/** The reference span a coverage check needs: an insertion needs the base it follows and the one after. */
export function coverageSpan(t: Trimmed): { start0: number; end0: number } {
  if (t.ref.length === 0) return { start0: Math.max(0, t.start0 - 1), end0: t.start0 + 1 };
  return { start0: t.start0, end0: t.start0 + t.ref.length };
}

/** A hit: some dataset (not a broker's pooled sum, not an absent entry) holds the variant. */
export function isHit(r: VariantRecord | undefined): boolean {
  return r !== undefined && r.frequencies.some((f) => !f.pooled && !f.absent);
}

/**
 * A record as answered: the hit part (present entries and the pooled sum), written as a Beacon
 * result, and the coverage part (absent entries, datasets not covering it; the pooled sum too when
 * nothing is present), written beside the results (info.afb.coverage), so a covered absence never
 * reads as a hit.
 */
export function splitCoverage(r: VariantRecord): { hit?: VariantRecord; coverage?: VariantRecord } {
  const absent = r.frequencies.filter((f) => f.absent);
  const notCovered = r.notCovered ?? [];
  const hit = isHit(r);
  const base = { ...r };
  delete base.notCovered;
  const out: { hit?: VariantRecord; coverage?: VariantRecord } = {};
  if (hit) out.hit = absent.length > 0 ? { ...base, frequencies: r.frequencies.filter((f) => !f.absent) } : base;
  if (absent.length > 0 || notCovered.length > 0) {
    const frequencies = hit ? absent : r.frequencies;
    out.coverage = { ...base, frequencies, ...(notCovered.length > 0 ? { notCovered } : {}) };
  }
  return out;
}

/**
 * The entry of a dataset that covered the position without holding the variant: per group AC 0
 * (and 0 carriers of each genotype kind the group reports) of the group's AN there; groups whose AN
 * is unknown are left out. Undefined when no group has an AN.
 */
export function absentEntry(d: DatasetInfo, an: readonly (number | null | undefined)[]): DatasetFrequencies | undefined {
  const populations = d.groups.flatMap((g, i) => {
    const n = an[i];
    if (n === undefined || n === null) return [];
    const counts: GroupCounts = { ac: 0, an: n };
    for (const k of ['nhomalt', 'nhet', 'nhemi'] as const) if (g.kinds.includes(k)) counts[k] = 0;
    return [{ code: g.code, label: g.label, ...(g.canonical ? { canonical: g.canonical } : {}), counts }];
  });
  if (populations.length === 0) return undefined;
  return { datasetId: d.id, source: d.name, version: d.version, filters: [], populations, absent: true };
}
