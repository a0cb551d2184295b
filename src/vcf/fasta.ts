import { closeSync, openSync, readFileSync, readSync, existsSync } from 'node:fs';
import { AfbError } from '../domain/errors';
import { canonicalContig } from '../domain/contigs';

interface FaiEntry {
  length: number;
  offset: number;
  lineBases: number;
  lineWidth: number;
}

const BLOCK = 1 << 16;

/**
 * Random access to a plain FASTA with its .fai (built in memory when absent), by canonical
 * contig name. Reads are synchronous and cached in 64 KB blocks: left-alignment asks for one
 * base at a time, usually next to the previous one.
 */
export class FastaReference {
  private readonly fd: number;
  private readonly index = new Map<string, FaiEntry>();
  private readonly cache = new Map<string, string>();

  constructor(readonly path: string) {
    if (/\.(gz|bgz)$/i.test(path)) {
      throw new AfbError('INVALID_OPTION', `--reference ${path}: compressed FASTA is not supported yet; use a plain FASTA with its .fai (bgzip -d, then samtools faidx)`);
    }
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new AfbError('INVALID_OPTION', `--reference ${path}: cannot open (${(e as Error).message})`, { cause: e });
    }
    const fai = existsSync(path + '.fai') ? readFileSync(path + '.fai', 'utf8') : buildFai(path);
    for (const line of fai.split('\n')) {
      const [name, length, offset, lineBases, lineWidth] = line.split('\t');
      if (!name || !length) continue;
      this.index.set(canonicalContig(name), { length: Number(length), offset: Number(offset), lineBases: Number(lineBases), lineWidth: Number(lineWidth) });
    }
  }

  has(contig: string): boolean {
    return this.index.has(contig);
  }

  contigs(): string[] {
    return [...this.index.keys()];
  }

  /** Uppercase bases [start0, end0) of a canonical contig; undefined outside the sequence. */
  slice(contig: string, start0: number, end0: number): string | undefined {
    const e = this.index.get(contig);
    if (!e || start0 < 0 || end0 > e.length || start0 > end0) return undefined;
    let out = '';
    for (let b = Math.floor(start0 / BLOCK); b * BLOCK < end0; b++) {
      const block = this.block(contig, e, b);
      const from = Math.max(start0 - b * BLOCK, 0);
      const to = Math.min(end0 - b * BLOCK, block.length);
      out += block.slice(from, to);
    }
    return out;
  }

  private block(contig: string, e: FaiEntry, b: number): string {
    const key = `${contig}:${b}`;
    let s = this.cache.get(key);
    if (s !== undefined) return s;
    const start = b * BLOCK;
    const end = Math.min(start + BLOCK, e.length);
    const byteStart = e.offset + Math.floor(start / e.lineBases) * e.lineWidth + (start % e.lineBases);
    const byteEnd = e.offset + Math.floor((end - 1) / e.lineBases) * e.lineWidth + ((end - 1) % e.lineBases) + 1;
    const buf = Buffer.alloc(byteEnd - byteStart);
    readSync(this.fd, buf, 0, buf.length, byteStart);
    s = buf.toString('latin1').replace(/[\r\n]/g, '').toUpperCase();
    if (this.cache.size > 256) this.cache.clear();
    this.cache.set(key, s);
    return s;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A .fai for a FASTA without one (fine for the small references tests and demos use). */
function buildFai(path: string): string {
  const text = readFileSync(path, 'latin1');
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const hdrEnd = text.indexOf('\n', i);
    if (text[i] !== '>' || hdrEnd < 0) break;
    const name = text.slice(i + 1, hdrEnd).split(/\s/)[0]!;
    const seqStart = hdrEnd + 1;
    const next = text.indexOf('\n>', seqStart);
    const seqEnd = next < 0 ? text.length : next + 1;
    const lines = text.slice(seqStart, seqEnd).split('\n').filter((l) => l.length > 0);
    const lineBases = lines[0]?.replace(/\r$/, '').length ?? 0;
    const lineWidth = (lines[0]?.length ?? 0) + 1;
    const length = lines.reduce((n, l) => n + l.replace(/\r$/, '').length, 0);
    out.push([name, length, seqStart, lineBases, lineWidth].join('\t'));
    i = seqEnd;
  }
  return out.join('\n');
}
