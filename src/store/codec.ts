/**
 * The counts of one variant row, all groups at once, as one BLOB: one unsigned LEB128 varint
 * per slot holding value+1, with 0 for missing. Typical gnomAD-like rows (AC small, AN up to
 * ~150k) take 1 byte per AC/nhomalt and 3 per AN, about a third of a packed Int32Array.
 * Frequencies (groups that only report AF) are stored as round(AF * 1e9).
 */

const AF_SCALE = 1e9;

export class CountsEncoder {
  private buf = Buffer.alloc(1024);

  /** `values` aligned with the slots; NaN = missing. `isAf[i]` marks frequency slots. */
  encode(values: ArrayLike<number>, isAf: readonly boolean[]): Buffer {
    let n = values.length * 5;
    if (this.buf.length < n) this.buf = Buffer.alloc(n * 2);
    const b = this.buf;
    n = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) {
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
    return Buffer.from(b.subarray(0, n));
  }
}

/** Inverse of CountsEncoder.encode; `undefined` for missing. */
export function decodeCounts(blob: Uint8Array, isAf: readonly boolean[]): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(isAf.length);
  let p = 0;
  for (let i = 0; i < isAf.length; i++) {
    let x = 0;
    let mul = 1;
    for (;;) {
      const byte = blob[p++];
      if (byte === undefined) throw new Error(`counts blob ends after ${p - 1} bytes, ${isAf.length} values expected`);
      x += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 0x80;
    }
    out[i] = x === 0 ? undefined : isAf[i] ? (x - 1) / AF_SCALE : x - 1;
  }
  return out;
}
