/**
 * ALT rows parsed from a run of VCF lines, in a shape that crosses a worker boundary cheaply
 * (typed arrays and string arrays, the counts already encoded as one byte buffer).
 */
export interface RowBatch {
  count: number;
  /** VCF line of each row (for error messages). */
  lines: number[];
  /** The ALT as written in the VCF (for error messages). */
  altTexts: string[];
  contigs: string[];
  start0: number[];
  refs: string[];
  alts: string[];
  anchors: (string | null)[];
  rsids: (number | null)[];
  otherIds: (string | null)[];
  filters: string[];
  /** Encoded counts of row i: counts.subarray(offsets[i], offsets[i + 1]). */
  counts: Uint8Array;
  offsets: Uint32Array;
}

import { encodeInto, maxEncodedLength } from '../store/codec';

export class RowBatchBuilder {
  private b = emptyBatch();
  private bytes = Buffer.alloc(1 << 20);
  private byteLength = 0;
  private ends: number[] = [];

  constructor(private readonly isAf: readonly boolean[]) {}

  get size(): number {
    return this.b.count;
  }

  /** One row; its counts are encoded straight into the batch's byte buffer. */
  add(line: number, altText: string, contig: string, start0: number, ref: string, alt: string, anchor: string | undefined, rsid: number | undefined, otherIds: string | undefined, filter: string, values: Float64Array): void {
    const b = this.b;
    b.lines.push(line);
    b.altTexts.push(altText);
    b.contigs.push(contig);
    b.start0.push(start0);
    b.refs.push(ref);
    b.alts.push(alt);
    b.anchors.push(anchor ?? null);
    b.rsids.push(rsid ?? null);
    b.otherIds.push(otherIds ?? null);
    b.filters.push(filter);
    const need = this.byteLength + maxEncodedLength(values.length);
    if (need > this.bytes.length) {
      const bigger = Buffer.alloc(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(bigger, 0, 0, this.byteLength);
      this.bytes = bigger;
    }
    this.byteLength = encodeInto(values, this.isAf, this.bytes, this.byteLength);
    this.ends.push(this.byteLength);
    b.count++;
  }

  take(): RowBatch {
    const b = this.b;
    // A fresh copy with its own ArrayBuffer (never Node's shared Buffer pool): the batch's bytes
    // are transferred to the writing thread, which detaches them here.
    b.counts = new Uint8Array(this.byteLength);
    b.counts.set(this.bytes.subarray(0, this.byteLength));
    b.offsets = new Uint32Array(this.ends.length + 1);
    b.offsets.set(this.ends, 1);
    this.b = emptyBatch();
    this.byteLength = 0;
    this.ends = [];
    return b;
  }
}

function emptyBatch(): RowBatch {
  return {
    count: 0,
    lines: [],
    altTexts: [],
    contigs: [],
    start0: [],
    refs: [],
    alts: [],
    anchors: [],
    rsids: [],
    otherIds: [],
    filters: [],
    counts: new Uint8Array(0),
    offsets: new Uint32Array(1),
  };
}
