import type Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';

/**
 * Schema, keyed on PRAGMA user_version.
 *
 * A dataset's rows live under a *version* number `v`. An ingest writes a new version while
 * readers keep using the current one; one small transaction then makes it current. Readers
 * always join through `datasets.current`, so they see the old or the new rows, never a mix,
 * and a killed ingest leaves only an unreferenced 'loading' version that the next ingest drops.
 */
const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS datasets (
  id TEXT PRIMARY KEY,
  current INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS versions (
  v INTEGER PRIMARY KEY,
  dataset_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('loading', 'current', 'retired')),
  meta TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS contig_names (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE IF NOT EXISTS variants (
  v INTEGER NOT NULL,
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
  PRIMARY KEY (v, contig, start0, ref, alt)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS variants_by_rsid ON variants (rsid) WHERE rsid IS NOT NULL;
`;

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new AfbError('STORE_ERROR', `store schema version ${current} is newer than this afb understands (${SCHEMA_VERSION}); upgrade afb`);
  }
  if (current < SCHEMA_VERSION) {
    db.exec(DDL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
}
