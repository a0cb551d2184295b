/**
 * VRS 2.0 allele ids as stored, in two columns of the version's own table (version-table.ts),
 * both NULL when the variant has none:
 * - `vrs_key`: the digest's first 6 bytes as an integer (SQLite stores it in 6 bytes), indexed
 *   after the load like rsIDs and dropped with the table: what a lookup by `ga4gh:VA.` id probes.
 *   It only narrows the search; each row it finds is checked against the whole digest.
 * - `vrs`: the whole digest (24 raw bytes, sha512t24u before base64url) of an insertion or
 *   deletion, whose id needed the reference at ingest. A substitution's is computed from the
 *   variant alone when needed (domain/vrs.ts), so it is not stored twice.
 * Measured at 2 M rows this is ~30 bytes a variant, where the whole digest in the row and its
 * index took 57.
 */
export const VRS_DIGEST_BYTES = 24;

/**
 * The `vrs_key` of a raw digest at `offset`: its first 6 bytes, big-endian, signed (an exact
 * double; Buffer.readIntBE(offset, 6) without a Buffer per call, since the parser does this per row).
 * 48 bits: a 100 M-variant table has ~1 in 3 million odds of one false candidate per probe.
 */
export function vrsKey(d: Uint8Array, offset = 0): number {
  const high = (d[offset]! << 8) | d[offset + 1]!;
  const low = ((d[offset + 2]! << 24) | (d[offset + 3]! << 16) | (d[offset + 4]! << 8) | d[offset + 5]!) >>> 0;
  return (high >= 0x8000 ? high - 0x10000 : high) * 2 ** 32 + low;
}

/**
 * What the parser did for a row's id (RowBatch.vrsStates): None when not asked (--no-vrs-ids) or
 * there is no id (an unknown contig, an N in an allele); IndelWithoutReference for an insertion or
 * deletion without the reference (or outside it): no id, counted in the report.
 */
export const VrsState = { None: 0, Computed: 1, IndelWithoutReference: 2 } as const;
export type VrsState = (typeof VrsState)[keyof typeof VrsState];

/** The digest part of `ga4gh:VA.<digest>` as stored. */
export function digestToBytes(digest: string): Buffer {
  return Buffer.from(digest, 'base64url');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SEXTET[BASE64URL.charCodeAt(i)] = i;

/** A base64url character's value, -1 for anything else (a code past ASCII too, not folded onto one). */
function sextet(code: number): number {
  return code < 128 ? SEXTET[code]! : -1;
}

/**
 * Decode a digest (32 base64url characters) into `out[offset..offset + 24)` without a Buffer per
 * digest (the parser threads do this for every variant). False if it is not such a digest.
 */
export function digestInto(digest: string, out: Uint8Array, offset: number): boolean {
  if (digest.length !== 32) return false;
  for (let i = 0, o = offset; i < 32; i += 4, o += 3) {
    const a = sextet(digest.charCodeAt(i)), b = sextet(digest.charCodeAt(i + 1));
    const c = sextet(digest.charCodeAt(i + 2)), d = sextet(digest.charCodeAt(i + 3));
    if ((a | b | c | d) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = n >>> 16;
    out[o + 1] = (n >>> 8) & 255;
    out[o + 2] = n & 255;
  }
  return true;
}

export function bytesToDigest(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
