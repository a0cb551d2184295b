import type { SitesPlan, FieldSource } from './sites-fields';
import type { Slot } from './slots';
import { RecordError } from './record-error';

interface InfoField {
  slot: number;
  source: FieldSource;
}

/** A VCF Integer: optional minus sign, decimal digits. */
const INTEGER_RE = /^-?[0-9]+$/;
/** A VCF Float: decimal, optionally with an exponent (no hex, no Infinity/NaN, no spaces). */
const FLOAT_RE = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

/** A value that is not a plain non-negative integer (the fast path hands these to the slow one). */
const NOT_SIMPLE = -1;

/** Digits only -> the integer; anything else (sign, '.', exponent, empty) -> NOT_SIMPLE. */
function simpleInteger(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return NOT_SIMPLE;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NOT_SIMPLE;
    v = v * 10 + c;
  }
  return v;
}

/** Reads per-group counts for each ALT from the INFO column, as a sites plan says. */
export class SitesCounter {
  readonly slots: Slot[] = [];
  private readonly byInfo = new Map<string, InfoField[]>();
  // Scratch space reused for every record (one ingest reads millions).
  private foundFields: InfoField[][] = [];
  private foundFrom: number[] = [];
  private foundTo: number[] = [];
  private lastKeys: string[] = [];
  private readonly pool: Float64Array[][] = [];
  private lastFields: (InfoField[] | undefined)[] = [];

  constructor(plan: SitesPlan) {
    plan.groups.forEach((g, gi) => {
      for (const s of g.sources) {
        const slot = this.slots.length;
        this.slots.push({ group: gi, kind: s.kind });
        const list = this.byInfo.get(s.info) ?? [];
        list.push({ slot, source: s });
        this.byInfo.set(s.info, list);
      }
    });
  }

  /**
   * Values per ALT (array of nAlts Float64Arrays, NaN = missing). `alts` lets a pre-split record
   * (ExAC's OLD_MULTIALLELIC=1:13404:G/A/T, whose Number=A arrays still cover every original
   * ALT) pick its own element.
   */
  count(info: string, nAlts: number, alts?: readonly string[]): Float64Array[] {
    // The arrays are reused by the next call: callers encode them before asking again.
    const out = this.scratch(nAlts);
    if (info === '.' || info === '' || this.slots.length === 0) return out;
    let found = 0;
    let oldMulti: string | undefined;
    let start = 0;
    const n = info.length;
    const keys = this.lastKeys;
    const keyFields = this.lastFields;
    for (let item = 0; start < n; item++) {
      let end = info.indexOf(';', start);
      if (end < 0) end = n;
      // Files repeat the same INFO keys in the same order: compare against the key seen at this
      // place in the previous record before slicing and hashing a new string.
      let eq: number;
      let fields: InfoField[] | undefined;
      const guess = keys[item];
      if (guess !== undefined && info.charCodeAt(start + guess.length) === 61 && info.startsWith(guess, start)) {
        eq = start + guess.length;
        fields = keyFields[item];
        if (fields === undefined && guess === 'OLD_MULTIALLELIC') oldMulti = info.slice(eq + 1, end);
      } else {
        eq = start;
        while (eq < end && info.charCodeAt(eq) !== 61) eq++;
        const key = info.slice(start, eq);
        fields = this.byInfo.get(key);
        keys[item] = eq < end ? key : '\u0000';
        keyFields[item] = fields;
        if (key === 'OLD_MULTIALLELIC' && eq < end) oldMulti = info.slice(eq + 1, end);
      }
      if (fields && eq < end) {
        this.foundFields[found] = fields;
        this.foundFrom[found] = eq + 1;
        this.foundTo[found] = end;
        found++;
      }
      start = end + 1;
    }
    const remap = oldMulti !== undefined && nAlts === 1 && alts ? oldAltIndex(oldMulti, alts[0]!) : undefined;
    for (let f = 0; f < found; f++) {
      const fields = this.foundFields[f]!;
      const from = this.foundFrom[f]!;
      const to = this.foundTo[f]!;
      // Fast path: one ALT, one plain integer, the usual gnomAD-like record.
      if (nAlts === 1 && !remap && fields[0]!.source.number !== 'R') {
        const v = simpleInteger(info, from, to);
        if (v !== NOT_SIMPLE && this.storeSimple(fields, v, out[0]!)) continue;
      }
      const text = info.slice(from, to);
      if (remap) this.assignFromOriginal(fields, text, remap, out[0]!);
      else this.assign(fields, text, nAlts, out);
    }
    return out;
  }

  private scratch(nAlts: number): Float64Array[] {
    let out = this.pool[nAlts];
    if (!out) {
      out = Array.from({ length: nAlts }, () => new Float64Array(this.slots.length));
      this.pool[nAlts] = out;
    }
    for (const a of out) a.fill(NaN);
    return out;
  }

  /** Store a plain integer; false when a field needs the careful path (AF, or odd allele counts). */
  private storeSimple(fields: InfoField[], v: number, out: Float64Array): boolean {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (f.source.kind === 'af' || (f.source.divisor === 2 && v % 2 !== 0)) return false;
    }
    for (let i = 0; i < fields.length; i++) out[fields[i]!.slot] = v / fields[i]!.source.divisor;
    return true;
  }

  /** A pre-split record: Number=A arrays are as long as the original ALT list; take element `index`. */
  private assignFromOriginal(fields: InfoField[], text: string, remap: { index: number; count: number }, out: Float64Array): void {
    const src = fields[0]!.source;
    const values = text.split(',');
    if (src.number === '1') return this.assign(fields, text, 1, [out]);
    const offset = src.number === 'R' ? 1 : 0;
    // gnomAD r2 keeps OLD_MULTIALLELIC but already split its arrays: read those as usual.
    if (values.length === 1 + offset) return this.assign(fields, text, 1, [out]);
    // ExAC's Het_ arrays hold one value per genotype pair, not per ALT: no per-ALT reading exists.
    if (values.length !== remap.count + offset) return;
    this.assign(fields, values[remap.index + offset]!, 1, [out], 'A');
  }

  private assign(fields: InfoField[], text: string, nAlts: number, out: Float64Array[], numberOverride?: 'A'): void {
    const src = fields[0]!.source;
    const number = numberOverride ?? src.number;
    const values = text.split(',');
    const expected = number === 'A' ? nAlts : number === 'R' ? nAlts + 1 : 1;
    if (values.length !== expected) {
      throw new RecordError(
        'number_mismatch',
        src.info,
        `INFO ${src.info} has ${values.length} value(s) but Number=${number} needs ${expected} for ${nAlts} ALT allele(s): ${src.info}=${text.slice(0, 80)}`,
      );
    }
    for (let a = 0; a < nAlts; a++) {
      const raw = values[number === 'A' ? a : number === 'R' ? a + 1 : 0]!;
      if (raw === '.' || raw === '') continue;
      // Number() would also take 0x10, 1e1, ' 3' or Infinity: only plain decimal text is a VCF number.
      const isInteger = INTEGER_RE.test(raw);
      const v = Number(raw);
      for (const f of fields) {
        const kind = f.source.kind;
        if (kind === 'af') {
          if (!FLOAT_RE.test(raw)) throw new RecordError('invalid_value', src.info, `INFO ${src.info}=${raw} is not a decimal number (like 0.25 or 1.5e-3)`);
          if (v < 0 || v > 1) throw new RecordError('invalid_value', src.info, `INFO ${src.info}=${raw} is not a frequency in [0, 1]`);
          out[a]![f.slot] = v;
          continue;
        }
        if (!isInteger || !Number.isSafeInteger(v)) throw new RecordError('not_an_integer', src.info, `INFO ${src.info}=${raw} is not an integer`);
        if (v < 0) throw new RecordError('negative_count', src.info, `INFO ${src.info}=${raw} is negative; counts are >= 0`);
        if (f.source.divisor === 2 && v % 2 !== 0) {
          throw new RecordError('invalid_value', src.info, `INFO ${src.info}=${raw} counts alleles in homozygous genotypes and must be even`);
        }
        out[a]![f.slot] = v / f.source.divisor;
      }
    }
  }
}

/** `1:13404:G/A/T` and ALT `T` -> index 1 of 2 original ALTs. */
function oldAltIndex(oldMulti: string, alt: string): { index: number; count: number } | undefined {
  const alleles = oldMulti.split(':').pop()!.split('/');
  const originalAlts = alleles.slice(1);
  const index = originalAlts.indexOf(alt);
  if (index < 0 || originalAlts.length < 2) return undefined;
  return { index, count: originalAlts.length };
}
