import { crc32, deflateRawSync } from 'node:zlib';

/** Uncompressed bytes per block, as bgzip uses (a block must stay under 64 KiB compressed too). */
const BLOCK = 0xff00;
/** The empty block that ends every BGZF file (SAM spec §4.1.2). */
const EOF_BLOCK = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

/**
 * BGZF output (SAM/BAM spec §4.1): gzip members of at most 64 KiB, each with the `BC` extra field
 * giving its size, ending with the EOF block, so `OUT.vcf.gz` can be indexed by tabix and read by
 * bcftools like bgzip's. Text is buffered up to one block.
 */
export class BgzfWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Blocks ready to write for this text (none until a block is full). */
  push(text: string): Buffer[] {
    const b = Buffer.from(text, 'utf8');
    this.pending.push(b);
    this.pendingBytes += b.length;
    const out: Buffer[] = [];
    if (this.pendingBytes < BLOCK) return out;
    const all = Buffer.concat(this.pending);
    let from = 0;
    for (; all.length - from >= BLOCK; from += BLOCK) out.push(block(all.subarray(from, from + BLOCK)));
    this.pending = from < all.length ? [all.subarray(from)] : [];
    this.pendingBytes = all.length - from;
    return out;
  }

  /** The last partial block and the EOF block. */
  end(): Buffer[] {
    const out = this.pendingBytes > 0 ? [block(Buffer.concat(this.pending))] : [];
    this.pending = [];
    this.pendingBytes = 0;
    return [...out, EOF_BLOCK];
  }
}

function block(data: Buffer): Buffer {
  const deflated = deflateRawSync(data, { level: 6 });
  const head = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, 0, 0]);
  head.writeUInt16LE(head.length + deflated.length + 8 - 1, 16);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc32(data) >>> 0, 0);
  tail.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, deflated, tail]);
}
