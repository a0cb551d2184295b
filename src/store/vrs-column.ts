/**
 * VRS 2.0 allele ids as stored: the raw 24 bytes of the digest (sha512t24u before base64url) in
 * the `vrs` column of the version's own table (version-table.ts), NULL when the variant has none.
 * The column is indexed after the load, like rsIDs, and dropped with the table.
 */
export const VRS_DIGEST_BYTES = 24;

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

export function bytesToDigest(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
