import type { RowBatch } from '../store/writer';
import { encodeInto, maxEncodedLength } from '../store/codec';
import { VRS_DIGEST_BYTES, VrsState, vrsKey } from '../store/vrs-column';
import type { VrsIdMaker } from './vrs-ids';

export type { RowBatch };

/** One ALT row as the parser hands it over: where it came from, its key, IDs and per-slot values. */
export interface ParsedRow {
  line: number;
  altText: string;
  contig: string;
  start0: number;
  ref: string;
  alt: string;
  anchor?: string;
  rsid?: number;
  otherIds?: string;
  filter: string;
  /** Aligned with the slots; NaN = missing. */
  values: Float64Array;
}

export class RowBatchBuilder {
  private b = emptyBatch();
  private bytes = Buffer.alloc(1 << 20);
  private byteLength = 0;
  private ends: number[] = [];
  private vrs = new Uint8Array(0);
  private vrsStates: VrsState[] = [];
  private vrsKeys: number[] = [];

  /** With `vrsIds`, each row's VRS id is computed here, in the parser's thread. */
  constructor(
    private readonly isAf: readonly boolean[],
    private readonly vrsIds?: VrsIdMaker,
  ) {}

  get size(): number {
    return this.b.count;
  }

  /** One row; its counts are encoded straight into the batch's byte buffer. */
  add(r: ParsedRow): void {
    const b = this.b;
    const values = r.values;
    b.lines.push(r.line);
    b.altTexts.push(r.altText);
    b.contigs.push(r.contig);
    b.start0.push(r.start0);
    b.refs.push(r.ref);
    b.alts.push(r.alt);
    b.anchors.push(r.anchor ?? null);
    b.rsids.push(r.rsid ?? null);
    b.otherIds.push(r.otherIds ?? null);
    b.filters.push(r.filter);
    const need = this.byteLength + maxEncodedLength(values.length);
    if (need > this.bytes.length) {
      const bigger = Buffer.alloc(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(bigger, 0, 0, this.byteLength);
      this.bytes = bigger;
    }
    this.byteLength = encodeInto(values, this.isAf, this.bytes, this.byteLength);
    this.ends.push(this.byteLength);
    if (this.vrsIds) {
      const at = b.count * VRS_DIGEST_BYTES;
      if (at + VRS_DIGEST_BYTES > this.vrs.length) {
        const bigger = new Uint8Array(Math.max(1024, this.vrs.length * 2));
        bigger.set(this.vrs);
        this.vrs = bigger;
      }
      const state = this.vrsIds.into(r.contig, r.start0, r.ref, r.alt, this.vrs, at);
      this.vrsStates.push(state);
      this.vrsKeys.push(state === VrsState.Computed ? vrsKey(this.vrs, at) : 0);
    }
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
    if (this.vrsIds) {
      // Copies with their own ArrayBuffers, transferred like the counts.
      b.vrs = this.vrs.slice(0, b.count * VRS_DIGEST_BYTES);
      b.vrsStates = Uint8Array.from(this.vrsStates);
      b.vrsKeys = Float64Array.from(this.vrsKeys);
      this.vrsStates = [];
      this.vrsKeys = [];
    }
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
