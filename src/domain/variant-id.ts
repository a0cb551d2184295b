import { AfbError } from './errors';
import { start0ToPos1 } from './coordinates';

/** A variant written the way researchers type it: gnomAD-style, 1-based (`22-16050075-A-G`). */
export interface ParsedVariantId {
  contigName: string;
  /** 1-based position of the first REF base, as written. */
  pos1: number;
  ref: string;
  alt: string;
}

// `-` stands for an empty allele: afb writes it for an indel whose anchor base it does not know.
const ID_PATTERN = /^(?:chr)?([0-9A-Za-z_.]+?)[-:_](\d+)[-:_]([ACGTNacgtn]+|-)[-:_>/]([ACGTNacgtn]+|-)$/;

/** Parse `22-16050075-A-G`, `chr22:16050075:A:G`, `22_16050075_A/G`; undefined when it is not such an id. */
export function parseVariantId(text: string): ParsedVariantId | undefined {
  const m = ID_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const pos1 = Number(m[2]);
  if (!Number.isSafeInteger(pos1) || pos1 < 1) return undefined;
  const allele = (a: string) => (a === '-' ? '' : a.toUpperCase());
  return { contigName: m[1]!, pos1, ref: allele(m[3]!), alt: allele(m[4]!) };
}

export function requireVariantId(text: string, parameter: string): ParsedVariantId {
  const p = parseVariantId(text);
  if (!p) {
    throw new AfbError(
      'INVALID_PARAMETER',
      `${parameter} '${text}' is not a variant id; expected CONTIG-POS-REF-ALT with a 1-based POS, e.g. 22-16050075-A-G`,
    );
  }
  return p;
}

/** The gnomAD-style id of a variant held 0-based: `formatVariantId('22', 16050074, 'A', 'G')` = `22-16050075-A-G`. */
export function formatVariantId(contig: string, start0: number, ref: string, alt: string): string {
  return `${contig}-${start0ToPos1(start0)}-${ref}-${alt}`;
}

/** An rsID as an integer (`rs123` -> 123), or undefined. */
export function parseRsid(text: string): number | undefined {
  const m = /^rs(\d{1,12})$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}
