import type { SitesPlan, FieldSource } from './sites-fields';
import type { Slot } from './slots';
import { RecordError } from './record-error';

interface InfoField {
  slot: number;
  source: FieldSource;
}

/** Reads per-group counts for each ALT from the INFO column, as a sites plan says. */
export class SitesCounter {
  readonly slots: Slot[] = [];
  private readonly byInfo = new Map<string, InfoField[]>();

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
    const out: Float64Array[] = [];
    for (let a = 0; a < nAlts; a++) out.push(new Float64Array(this.slots.length).fill(NaN));
    if (info === '.' || info === '') return out;
    const found: [InfoField[], string][] = [];
    let oldMulti: string | undefined;
    let start = 0;
    const n = info.length;
    while (start < n) {
      let end = info.indexOf(';', start);
      if (end < 0) end = n;
      const eq = info.indexOf('=', start);
      if (eq > start && eq < end) {
        const key = info.slice(start, eq);
        const fields = this.byInfo.get(key);
        if (fields) found.push([fields, info.slice(eq + 1, end)]);
        else if (key === 'OLD_MULTIALLELIC') oldMulti = info.slice(eq + 1, end);
      }
      start = end + 1;
    }
    const remap = oldMulti !== undefined && nAlts === 1 && alts ? oldAltIndex(oldMulti, alts[0]!) : undefined;
    for (const [fields, text] of found) {
      if (remap) this.assignFromOriginal(fields, text, remap, out[0]!);
      else this.assign(fields, text, nAlts, out);
    }
    return out;
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
        `INFO ${src.info} has ${values.length} value(s) but Number=${src.number} needs ${expected} for ${nAlts} ALT allele(s): ${src.info}=${text.slice(0, 80)}`,
      );
    }
    for (let a = 0; a < nAlts; a++) {
      const raw = values[number === 'A' ? a : number === 'R' ? a + 1 : 0]!;
      if (raw === '.' || raw === '') continue;
      const v = Number(raw);
      for (const f of fields) {
        const kind = f.source.kind;
        if (kind === 'af') {
          if (!Number.isFinite(v) || v < 0 || v > 1) throw new RecordError('invalid_value', src.info, `INFO ${src.info}=${raw} is not a frequency in [0, 1]`);
          out[a]![f.slot] = v;
          continue;
        }
        if (!Number.isSafeInteger(v)) throw new RecordError('not_an_integer', src.info, `INFO ${src.info}=${raw} is not an integer`);
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
