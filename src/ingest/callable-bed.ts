import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { AfbError } from '../domain/errors';
import { resolveContig } from '../domain/contigs';
import type { Assembly } from '../domain/assemblies';
import { anClass } from '../domain/coverage';
import { decodeCounts } from '../store/codec';
import { isAfSlots } from '../store/slots';
import type { Region, RowBatch } from '../store';
import type { Slot } from '../vcf/slots';

/**
 * `--callable FILE.bed[.gz]`: the regions where every sample of the dataset was called (a callable
 * or high-confidence BED, 0-based half-open). Read whole before any VCF is parsed, so a bad line
 * stops the ingest at once, naming file and line.
 */
export async function readCallableBed(file: string): Promise<Region[]> {
  const out: Region[] = [];
  let input: NodeJS.ReadableStream;
  try {
    const raw = createReadStream(file);
    await new Promise<void>((resolve, reject) => raw.once('open', () => resolve()).once('error', reject));
    input = file.endsWith('.gz') || file.endsWith('.bgz') ? raw.pipe(createGunzip()) : raw;
  } catch (e) {
    throw new AfbError('INVALID_OPTION', `--callable ${file}: cannot be read: ${(e as Error).message}`, { cause: e });
  }
  let n = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      n++;
      if (line === '' || line.startsWith('#') || line.startsWith('track') || line.startsWith('browser')) continue;
      const [chrom, s, e] = line.split('\t');
      const contig = chrom === undefined ? undefined : resolveContig(chrom)?.contig;
      const start0 = Number(s);
      const end0 = Number(e);
      if (!contig) throw new AfbError('INVALID_OPTION', `--callable ${file}:${n}: '${chrom ?? ''}' is not a contig name (BED: chrom<TAB>start<TAB>end, 0-based, end exclusive)`);
      if (!Number.isSafeInteger(start0) || !Number.isSafeInteger(end0) || start0 < 0 || end0 <= start0) {
        throw new AfbError('INVALID_OPTION', `--callable ${file}:${n}: start '${s ?? ''}' and end '${e ?? ''}' must be whole numbers with 0 <= start < end (BED is 0-based, end exclusive)`);
      }
      out.push({ contig, start0, end0 });
    }
  } catch (e) {
    if (e instanceof AfbError) throw e;
    throw new AfbError('INVALID_OPTION', `--callable ${file}:${n + 1}: cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (out.length === 0) throw new AfbError('INVALID_OPTION', `--callable ${file}: no regions; a callable BED lists chrom<TAB>start<TAB>end lines`);
  return out;
}

/**
 * The AN a fully called site has, per contig class (domain/coverage anClass) and group: the largest
 * AN the dataset's own rows show there. In genotype mode that is 2 per sample (1 per XY sample on
 * non-PAR X) wherever some site was called in every sample; in sites mode it is the input's own
 * largest AN. A class with no rows has none: a covered position there answers no AN (unknown).
 */
export class FullAnTracker {
  private readonly an = new Map<string, (number | null)[]>();
  private readonly anSlot: (number | undefined)[];
  private readonly isAf: boolean[];

  constructor(private readonly assembly: Assembly, private readonly groups: number, slots: Slot[]) {
    this.isAf = isAfSlots(slots);
    this.anSlot = Array.from({ length: groups }, (_, g) => {
      const i = slots.findIndex((s) => s.group === g && s.kind === 'an');
      return i < 0 ? undefined : i;
    });
  }

  observe(b: RowBatch): void {
    const counts = b.counts;
    for (let i = 0; i < b.count; i++) {
      const values = decodeCounts(counts.subarray(b.offsets[i]!, b.offsets[i + 1]!), this.isAf);
      const key = anClass(b.contigs[i]!, b.start0[i]!, this.assembly);
      let max = this.an.get(key);
      if (!max) this.an.set(key, (max = Array.from({ length: this.groups }, () => null)));
      for (let g = 0; g < this.groups; g++) {
        const slot = this.anSlot[g];
        const v = slot === undefined ? undefined : values[slot];
        if (v !== undefined && (max[g] === null || v > max[g]!)) max[g] = v;
      }
    }
  }

  result(): Record<string, (number | null)[]> {
    return Object.fromEntries(this.an);
  }
}
