/**
 * Allele normalisation, the same at ingest and at query time.
 *
 * The stored identity of a variant is its *trimmed* form: uppercase, shared suffix removed,
 * then shared prefix removed, so an insertion has ref '' and a deletion alt ''. That form is
 * unique for a given (left-aligned or not) representation, so `G/GACA` at POS 16050129 and
 * `''/ACA` at start0 16050129 are the same key. For display, the VCF convention is kept by
 * putting back one anchor base (see `anchoredForm`).
 */

/**
 * The two allele alphabets, each written once. Stored and exchanged alleles are A C G T N (any
 * case on input); Beacon queries may also use IUPAC ambiguity codes, U, and `-`/`.` for an empty
 * allele (a query with those reads as "any base here", never as a stored allele).
 */
export const ALLELE_BASES = /^[ACGTN]*$/i;
export const QUERY_BASES = /^[ACGTUNRYSWKMBDHV.-]*$/i;

/** True for a stored-alphabet allele (A C G T N, any case; '' is an empty allele). */
export function isAlleleBases(s: unknown): s is string {
  return typeof s === 'string' && ALLELE_BASES.test(s);
}

export interface Trimmed {
  start0: number;
  ref: string;
  alt: string;
}

/** Uppercase, trim the shared suffix, then the shared prefix. */
export function trimAlleles(start0: number, ref: string, alt: string): Trimmed {
  let r = ref.toUpperCase();
  let a = alt.toUpperCase();
  let end = 0;
  while (end < r.length && end < a.length && r[r.length - 1 - end] === a[a.length - 1 - end]) end++;
  if (end > 0) {
    r = r.slice(0, r.length - end);
    a = a.slice(0, a.length - end);
  }
  let begin = 0;
  while (begin < r.length && begin < a.length && r[begin] === a[begin]) begin++;
  if (begin > 0) {
    r = r.slice(begin);
    a = a.slice(begin);
  }
  return { start0: start0 + begin, ref: r, alt: a };
}

/**
 * The base that a VCF would write before an empty-allele (indel) trimmed form, taken from the
 * record the variant came from: `recordRef` starts at `recordStart0`. Undefined when the record
 * does not cover the base before the event (then a reference FASTA would be needed).
 */
export function anchorBaseFromRecord(trimmed: Trimmed, recordStart0: number, recordRef: string): string | undefined {
  const i = trimmed.start0 - 1 - recordStart0;
  if (i < 0 || i >= recordRef.length) return undefined;
  return recordRef[i]!.toUpperCase();
}

export interface Anchored {
  start0: number;
  ref: string;
  alt: string;
}

/**
 * The display form of a trimmed variant: unchanged when both alleles have bases; otherwise one
 * anchor base put back in front (the VCF convention). `anchor` is that base; when it is not
 * known the alleles stay trimmed (Beacon allows empty referenceBases/alternateBases).
 */
export function anchoredForm(t: Trimmed, anchor: string | undefined): Anchored {
  if (t.ref.length > 0 && t.alt.length > 0) return t;
  if (!anchor) return t;
  return { start0: t.start0 - 1, ref: anchor + t.ref, alt: anchor + t.alt };
}

/** Half-open span of the reference that a trimmed variant touches (insertions: the gap between two bases). */
export function trimmedEnd0(t: Trimmed): number {
  return t.start0 + t.ref.length;
}

export type VariantType = 'SNP' | 'MNP' | 'INS' | 'DEL' | 'INDEL';

export function variantType(t: Trimmed): VariantType {
  if (t.ref.length === 1 && t.alt.length === 1) return 'SNP';
  if (t.ref.length === t.alt.length) return 'MNP';
  if (t.ref.length === 0) return 'INS';
  if (t.alt.length === 0) return 'DEL';
  return 'INDEL';
}

/** A getter of reference bases [start0, end0) on the current contig; used for left-alignment. */
export type ReferenceSlice = (start0: number, end0: number) => string | undefined;

/**
 * Left-align a trimmed indel against the reference (the bcftools norm / vt algorithm on the
 * trimmed form): while the last base of the non-empty allele equals the reference base just
 * before the event, rotate the allele one base to the left. Returns the input when it is not
 * a pure insertion or deletion or when the reference is not available there.
 */
export function leftAlign(t: Trimmed, refSlice: ReferenceSlice): Trimmed {
  if (t.ref.length > 0 && t.alt.length > 0) return t;
  let { start0, ref, alt } = t;
  const isDel = alt.length === 0;
  let seq = isDel ? ref : alt;
  if (seq.length === 0) return t;
  while (start0 > 0) {
    const before = refSlice(start0 - 1, start0)?.toUpperCase();
    if (!before || before !== seq[seq.length - 1]) break;
    seq = before + seq.slice(0, -1);
    start0 -= 1;
  }
  if (isDel) ref = seq;
  else alt = seq;
  return { start0, ref, alt };
}
