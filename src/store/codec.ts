/**
 * The counts of one variant row, all groups at once, as one BLOB:
 *
 *   [zero bitmap: ceil(slots/8) bytes, bit i set = slot i is exactly 0]
 *   [for each slot not marked zero: unsigned LEB128 varint of value+1, or 0 for missing]
 *
 * Most per-group AC and nhomalt values of a large cohort are 0, so they cost one bit; AN costs
 * 2-3 bytes. A gnomAD-like row with 9 groups x (AC, AN, nhomalt) takes ~27 bytes instead of
 * 108 as an Int32Array. Frequencies (groups that only report AF) are stored as round(AF * 1e9).
 */

const AF_SCALE = 1e9;

export class CountsEncoder {
  private buf = Buffer.alloc(1024);

  /** `values` aligned with the slots; NaN = missing. `isAf[i]` marks frequency slots. Returns a copy. */
  encode(values: ArrayLike<number>, isAf: readonly boolean[]): Buffer {
    const need = maxEncodedLength(values.length);
    if (this.buf.length < need) this.buf = Buffer.alloc(need * 2);
    const n = encodeInto(values, isAf, this.buf, 0);
    return Buffer.from(this.buf.subarray(0, n));
  }
}

/** Upper bound of an encoded row's bytes, for sizing buffers. */
export function maxEncodedLength(nSlots: number): number {
  return ((nSlots + 7) >> 3) + nSlots * 6;
}

/** Encode into `b` at `at` (which must have maxEncodedLength bytes free); returns the end offset. */
export function encodeInto(values: ArrayLike<number>, isAf: readonly boolean[], b: Uint8Array, at: number): number {
  const nSlots = values.length;
  const bitmapBytes = (nSlots + 7) >> 3;
  b.fill(0, at, at + bitmapBytes);
  let n = at + bitmapBytes;
  for (let i = 0; i < nSlots; i++) {
    const v = values[i]!;
    if (v === 0) {
      b[at + (i >> 3)]! |= 1 << (i & 7);
      continue;
    }
    if (v !== v) {
      b[n++] = 0;
      continue;
    }
    let x = (isAf[i] ? Math.round(v * AF_SCALE) : v) + 1;
    while (x >= 0x80) {
      b[n++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    b[n++] = x;
  }
  return n;
}

/** Inverse of CountsEncoder.encode; `undefined` for missing. */
export function decodeCounts(blob: Uint8Array, isAf: readonly boolean[]): (number | undefined)[] {
  const nSlots = isAf.length;
  const out: (number | undefined)[] = new Array(nSlots);
  let p = (nSlots + 7) >> 3;
  for (let i = 0; i < nSlots; i++) {
    if (blob[i >> 3]! & (1 << (i & 7))) {
      out[i] = 0;
      continue;
    }
    let x = 0;
    let mul = 1;
    for (;;) {
      const byte = blob[p++];
      if (byte === undefined) throw new Error(`counts blob ends after ${p - 1} bytes, ${nSlots} values expected`);
      x += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 0x80;
    }
    out[i] = x === 0 ? undefined : isAf[i] ? (x - 1) / AF_SCALE : x - 1;
  }
  return out;
}
