import * as crypto from 'node:crypto';
import type { Assembly } from './assemblies';
import { REFGET_ACCESSIONS } from './refget-accessions';

/**
 * VRS 2.0 Alleles and their computed identifiers (`ga4gh:VA.…`), following the VRS 2.0 rules
 * (vrs.ga4gh.org "Computed Identifiers" and "Normalization"; vrs-python `normalize.py`, whose
 * outputs are the test vectors in test/fixtures/vrs):
 * - the allele is normalised "fully justified": common prefix and suffix trimmed; an insertion or
 *   deletion is expanded over the whole stretch of reference it could slide along, and written as
 *   a ReferenceLengthExpression when the result is a repeat of reference sequence, else as a
 *   LiteralSequenceExpression; a substitution stays a LiteralSequenceExpression;
 * - the digest of an object is sha512t24u (SHA-512, first 24 bytes, base64url) of its canonical
 *   JSON (RFC 8785: sorted keys, no spaces) with only the class's digest keys and nested
 *   identifiable objects (the location) replaced by their digests.
 * A substitution needs no reference bases; an insertion or deletion does (`reference`), so
 * without it none is given.
 */

export interface VrsSequenceLocation {
  type: 'SequenceLocation';
  sequenceReference: { type: 'SequenceReference'; refgetAccession: string };
  start: number;
  end: number;
}

export type VrsState =
  | { type: 'LiteralSequenceExpression'; sequence: string }
  | { type: 'ReferenceLengthExpression'; length: number; repeatSubunitLength: number; sequence?: string };

export interface VrsAllele {
  id: string;
  type: 'Allele';
  digest: string;
  location: VrsSequenceLocation & { id: string; digest: string };
  state: VrsState;
}

/** Reference bases [start0, end0) of the allele's contig; undefined outside it. */
export type ReferenceSlice = (start0: number, end0: number) => string | undefined;

export const VRS_ALLELE_PREFIX = 'ga4gh:VA.';

/** sha512t24u: the first 24 bytes of SHA-512, base64url (GA4GH digest). */
export function sha512t24u(text: string): string {
  // 24 bytes are 32 base64url characters with no padding, so they are the first 32 characters of
  // the whole hash's base64url. crypto.hash (Node >= 20.12) with a string output is ~3x quicker than
  // with a Buffer output (no Buffer allocated per digest): 0.8 against 2.4 µs, measured; an ingest
  // computes two digests per variant.
  const whole = typeof crypto.hash === 'function' ? crypto.hash('sha512', text, 'base64url') : crypto.createHash('sha512').update(text, 'utf8').digest('base64url');
  return whole.slice(0, 32);
}

/** The refget accession (`SQ.…`) of a canonical contig of an assembly, or undefined. */
export function refgetAccession(assembly: Assembly, contig: string): string | undefined {
  return REFGET_ACCESSIONS[assembly][contig];
}

/** The digest part of a `ga4gh:VA.<digest>` id (32 base64url characters), or undefined. */
export function parseVrsAlleleId(text: string): string | undefined {
  const m = /^ga4gh:VA\.([A-Za-z0-9_-]{32})$/.exec(text.trim());
  return m ? m[1] : undefined;
}

/**
 * The VRS 2.0 Allele of a variant given in trimmed form (domain/alleles trimAlleles: 0-based
 * start, no shared prefix or suffix), or undefined: an unknown contig, an N in an allele, or an
 * insertion/deletion without `reference` (or outside it).
 */
export function vrsAllele(assembly: Assembly, contig: string, start0: number, ref: string, alt: string, reference?: ReferenceSlice): VrsAllele | undefined {
  const n = normalised(assembly, contig, start0, ref, alt, reference);
  return n && identifyAllele(n.accession, n.start, n.end, n.state);
}

/**
 * The digest of the Allele (the `<digest>` of `ga4gh:VA.<digest>`), or undefined as for vrsAllele:
 * what an ingest stores, without building the Allele object.
 */
export function vrsAlleleDigest(assembly: Assembly, contig: string, start0: number, ref: string, alt: string, reference?: ReferenceSlice): string | undefined {
  if (ref !== '' && alt !== '') {
    // A substitution, most rows of an ingest: the digests of normalised() and identifyAllele
    // without their objects.
    const accession = refgetAccession(assembly, contig);
    if (!accession || !idBases(ref) || !idBases(alt)) return undefined;
    return sha512t24u(alleleJson(sha512t24u(locationJson(accession, start0, start0 + ref.length)), literalJson(alt)));
  }
  const n = normalised(assembly, contig, start0, ref, alt, reference);
  if (!n) return undefined;
  const locationDigest = sha512t24u(locationJson(n.accession, n.start, n.end));
  return sha512t24u(alleleJson(locationDigest, stateJson(n.state)));
}

/**
 * Bases an id is computed for: letters only (so they go into the digest's JSON unescaped, see
 * locationJson), and no N (an unknown base has no VRS id here).
 */
function idBases(bases: string): boolean {
  for (let i = 0; i < bases.length; i++) {
    const c = bases.charCodeAt(i) | 32;
    if (c < 97 || c > 122 || c === 110) return false;
  }
  return true;
}

function normalised(
  assembly: Assembly,
  contig: string,
  start0: number,
  ref: string,
  alt: string,
  reference?: ReferenceSlice,
): { accession: string; start: number; end: number; state: VrsState } | undefined {
  const accession = refgetAccession(assembly, contig);
  if (!accession || !idBases(ref) || !idBases(alt) || (ref === '' && alt === '')) return undefined;
  if (ref !== '' && alt !== '') return { accession, start: start0, end: start0 + ref.length, state: { type: 'LiteralSequenceExpression', sequence: alt } };
  if (!reference) return undefined;
  const expanded = expand(start0, ref, alt, reference);
  if (!expanded) return undefined;
  return { accession, start: expanded.start, end: expanded.end, state: indelState(expanded.refSeq, expanded.altSeq, ref.length || alt.length) };
}

/** The Allele with its computed ids, from an already normalised location and state. */
export function identifyAllele(accession: string, start: number, end: number, state: VrsState): VrsAllele {
  const location = { type: 'SequenceLocation' as const, sequenceReference: { type: 'SequenceReference' as const, refgetAccession: accession }, start, end };
  const locationDigest = sha512t24u(locationJson(accession, start, end));
  const digest = sha512t24u(alleleJson(locationDigest, stateJson(state)));
  return { id: `${VRS_ALLELE_PREFIX}${digest}`, type: 'Allele', digest, location: { id: `ga4gh:SL.${locationDigest}`, digest: locationDigest, ...location }, state };
}

/*
 * Canonical JSON (RFC 8785: sorted keys, no spaces) of the digest keys. The strings in it are
 * refget accessions (`SQ.` + base64url), digests (base64url) and bases (letters: idBases checks
 * the alleles, and the reference's letters extend an indel): none has a character JSON escapes,
 * so each is written between quotes as it is.
 */

function locationJson(accession: string, start: number, end: number): string {
  return `{"end":${end},"sequenceReference":{"refgetAccession":"${accession}","type":"SequenceReference"},"start":${start},"type":"SequenceLocation"}`;
}

/** An Allele's digest keys, its location replaced by the location's digest. */
function alleleJson(locationDigest: string, stateJson: string): string {
  return `{"location":"${locationDigest}","state":${stateJson},"type":"Allele"}`;
}

function literalJson(sequence: string): string {
  return `{"sequence":"${sequence}","type":"LiteralSequenceExpression"}`;
}

function stateJson(state: VrsState): string {
  return state.type === 'LiteralSequenceExpression'
    ? literalJson(state.sequence)
    : `{"length":${state.length},"repeatSubunitLength":${state.repeatSubunitLength},"type":"ReferenceLengthExpression"}`;
}

/**
 * Fully justified expansion of an insertion (ref '') or deletion (alt ''): roll the inserted or
 * deleted sequence left and right along the reference as far as it goes (bioutils' EXPAND mode),
 * and return the interval it covers with the reference and alternate sequence over it.
 */
function expand(start0: number, ref: string, alt: string, reference: ReferenceSlice): { start: number; end: number; refSeq: string; altSeq: string } | undefined {
  const moving = ref || alt;
  const n = moving.length;
  const end0 = start0 + ref.length;
  if (ref !== '' && reference(start0, end0) !== ref) return undefined;
  const base = (i: number): string | undefined => {
    const b = reference(i, i + 1);
    return b === undefined || b === '' ? undefined : b.toUpperCase();
  };
  let left = 0;
  while (start0 - left - 1 >= 0 && base(start0 - left - 1) === moving[(((n - 1 - left) % n) + n) % n]) left++;
  let right = 0;
  while (base(end0 + right) === moving[right % n]) right++;
  const start = start0 - left;
  const end = end0 + right;
  const before = reference(start, start0);
  const after = reference(end0, end);
  const refSeq = reference(start, end);
  if (before === undefined || after === undefined || refSeq === undefined) return undefined;
  return { start, end, refSeq: refSeq.toUpperCase(), altSeq: (before + alt + after).toUpperCase() };
}

/** The state of an expanded insertion or deletion (vrs-python `_normalize_allele`, the non-substitution branch). */
function indelState(refSeq: string, altSeq: string, seedLength: number): VrsState {
  if (refSeq === '') return { type: 'LiteralSequenceExpression', sequence: altSeq };
  if (altSeq.length < refSeq.length) return rle(altSeq.length, seedLength, altSeq);
  if (altSeq.length > refSeq.length) {
    for (const cycle of factorsDescending(seedLength)) {
      if (cycle > refSeq.length) continue;
      if (isCycle(refSeq.length - cycle, refSeq, altSeq)) return rle(altSeq.length, cycle, altSeq);
    }
  }
  return { type: 'LiteralSequenceExpression', sequence: altSeq };
}

function rle(length: number, repeatSubunitLength: number, sequence: string): VrsState {
  // vrs-python keeps `sequence` up to 50 bases; it is not part of the digest.
  return { type: 'ReferenceLengthExpression', length, repeatSubunitLength, ...(length <= 50 ? { sequence } : {}) };
}

function factorsDescending(n: number): number[] {
  const high: number[] = [];
  const low: number[] = [];
  for (let i = 1; i * i <= n; i++) {
    if (n % i === 0) {
      high.push(n / i);
      if (n / i !== i) low.push(i);
    }
  }
  return [...high, ...low.reverse()];
}

/** True when `target` past `template` continues `template` from `templateStart` cyclically. */
function isCycle(templateStart: number, template: string, target: string): boolean {
  const unit = template.slice(templateStart);
  for (let i = template.length; i < target.length; i++) if (target[i] !== unit[(i - template.length) % unit.length]) return false;
  return true;
}
