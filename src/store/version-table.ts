import type Database from 'better-sqlite3';

/**
 * Each dataset version keeps its variants in a table of its own (DESIGN §6): loaded in key order
 * with only its primary key, indexed (rsIDs) after the load, published by one small update of
 * `datasets`, and dropped whole when retired. Dropping a table moves its pages to the freelist
 * in one short transaction (the next ingest reuses them), where deleting its rows from a shared
 * table would write every row into the WAL. Version numbers come from `version_seq` and are
 * integers, so a table name built from one is safe to splice into SQL.
 */
export function variantsTable(v: number): string {
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`not a version number: ${v}`);
  return `variants_${v}`;
}

function rsidIndex(v: number): string {
  return `${variantsTable(v)}_rsid`;
}

function vrsIndex(v: number): string {
  return `${variantsTable(v)}_vrs`;
}

/** The empty table of a new version: the key only, so a sorted load appends to one B-tree. */
export function createVersionTable(db: Database.Database, v: number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${variantsTable(v)} (
  -- contig code, see contig-codes.ts
  contig INTEGER NOT NULL,
  start0 INTEGER NOT NULL,
  ref TEXT NOT NULL,
  alt TEXT NOT NULL,
  anchor TEXT,
  rsid INTEGER,
  other_ids TEXT,
  filter INTEGER NOT NULL,
  counts BLOB NOT NULL,
  -- VRS 2.0 allele id (vrs-column.ts): the digest's key, and the whole digest of an indel; NULL: none
  vrs_key INTEGER,
  vrs BLOB,
  PRIMARY KEY (contig, start0, ref, alt)
) STRICT, WITHOUT ROWID`);
}

/**
 * The rsID and VRS id indexes, built in one pass each after the load (sorted once, not filled row
 * by row into random pages: digests arrive in random order).
 */
export function indexVersionTable(db: Database.Database, v: number): void {
  db.exec(`CREATE INDEX IF NOT EXISTS ${rsidIndex(v)} ON ${variantsTable(v)} (rsid) WHERE rsid IS NOT NULL`);
  db.exec(`CREATE INDEX IF NOT EXISTS ${vrsIndex(v)} ON ${variantsTable(v)} (vrs_key) WHERE vrs_key IS NOT NULL`);
}

export function dropVersionTable(db: Database.Database, v: number): void {
  db.exec(`DROP TABLE IF EXISTS ${variantsTable(v)}`);
}

/** The columns of a StoredRow read from version v's table (the version as a constant column). */
export function rowColumns(v: number): string {
  return `${variantsTable(v).slice('variants_'.length)} AS v, contig, start0, ref, alt, anchor, rsid, other_ids, filter, counts, vrs`;
}
