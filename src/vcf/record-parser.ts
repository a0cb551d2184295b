import { pos1ToStart0 } from '../domain/coordinates';
import { canonicalContig, type Contig } from '../domain/contigs';
import { anchorBaseFromRecord, trimAlleles, type Trimmed } from '../domain/alleles';
import { parseRsid } from '../domain/variant-id';
import { RecordError } from './record-error';

/** The fixed columns of one VCF data line, converted to afb's conventions. */
export interface RecordColumns {
  chrom: string;
  contig: Contig;
  /** 0-based start of REF (VCF POS - 1). */
  start0: number;
  id: string;
  ref: string;
  alts: string[];
  filter: string;
}

/** One ALT of a record after splitting and trimming. */
export interface AlleleRow {
  altIndex: number;
  trimmed: Trimmed;
  /** The base a VCF writes before an indel, when the record shows it. */
  anchor?: string;
  rsid?: number;
  /** The ID column when it is not exactly one rsID (e.g. `rs1;rs2`, `esv123`). */
  otherIds?: string;
}

const REF_RE = /^[ACGTNacgtn]+$/;

/** Digits only -> the number; anything else -> -1. */
function positiveInteger(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
const ALT_RE = /^[ACGTNacgtn]+$/;

/**
 * Splits data lines and checks the fixed columns. `expectedColumns` is 8 for a sites-only file
 * or 9 + samples; the message names the column at fault. One parser per file: it remembers the
 * last CHROM (records come sorted, so each name is resolved once per run of records).
 */
export class RecordParser {
  private lastChrom = '';
  private lastContig: Contig = '';

  constructor(private readonly expectedColumns: number) {}

  parse(line: string): { cols: string[]; rec: RecordColumns } {
    const cols = line.split('\t');
    if (cols.length !== this.expectedColumns) {
      throw new RecordError('wrong_column_count', 'columns', `${cols.length} tab-separated column(s), the header declares ${this.expectedColumns}`);
    }
    const chrom = cols[0]!;
    if (chrom === '') throw new RecordError('invalid_chrom', 'CHROM', 'CHROM is empty');
    if (chrom !== this.lastChrom) {
      this.lastChrom = chrom;
      this.lastContig = canonicalContig(chrom);
    }
    const posText = cols[1]!;
    const pos1 = positiveInteger(posText);
    if (pos1 < 1) throw new RecordError('invalid_pos', 'POS', `POS '${posText}' is not a positive integer`);
    const ref = cols[3]!;
    if (!REF_RE.test(ref)) throw new RecordError('invalid_ref', 'REF', `REF '${ref.slice(0, 50)}' must be bases A, C, G, T, N`);
    const altText = cols[4]!;
    return {
      cols,
      rec: {
        chrom,
        contig: this.lastContig,
        start0: pos1ToStart0(pos1),
        id: cols[2]!,
        ref: ref.toUpperCase(),
        alts: altText === '.' ? [] : altText.split(','),
        filter: cols[6]!,
      },
    };
  }
}

export type AltVerdict = { ok: true } | { ok: false; reason: 'symbolic_alt' | 'no_alt' | 'ref_equals_alt' };

/** Symbolic ALTs (`<DEL>`, `*`, breakends) are skipped and counted, not errors. */
export function classifyAlt(ref: string, alt: string): AltVerdict {
  if (alt === '.' || alt === '') return { ok: false, reason: 'no_alt' };
  if (!ALT_RE.test(alt)) {
    if (alt === '*' || alt.startsWith('<') || alt.includes('[') || alt.includes(']') || alt.startsWith('.') || alt.endsWith('.')) {
      return { ok: false, reason: 'symbolic_alt' };
    }
    throw new RecordError('invalid_alt', 'ALT', `ALT '${alt.slice(0, 50)}' must be bases A, C, G, T, N or a symbolic allele`);
  }
  if (alt.toUpperCase() === ref) return { ok: false, reason: 'ref_equals_alt' };
  return { ok: true };
}

/** Trim one ALT and attach the IDs. */
export function alleleRow(rec: RecordColumns, altIndex: number): AlleleRow {
  const alt = rec.alts[altIndex]!;
  const trimmed = trimAlleles(rec.start0, rec.ref, alt);
  const row: AlleleRow = { altIndex, trimmed };
  if (trimmed.ref.length === 0 || trimmed.alt.length === 0) row.anchor = anchorBaseFromRecord(trimmed, rec.start0, rec.ref);
  if (rec.id !== '.' && rec.id !== '') {
    const rs = parseRsid(rec.id);
    if (rs !== undefined) row.rsid = rs;
    else {
      row.otherIds = rec.id;
      const first = parseRsid(rec.id.split(/[;,]/)[0] ?? '');
      if (first !== undefined) row.rsid = first;
    }
  }
  return row;
}
