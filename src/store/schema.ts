import type Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';
import { createVersionTable, indexVersionTable, variantsTable } from './version-table';
import { digestToBytes, vrsKey } from './vrs-column';

/**
 * Schema, keyed on PRAGMA user_version.
 *
 * A dataset's rows live under a *version* number `v`. An ingest writes a new version while
 * readers keep using the current one; one small transaction then makes it current. Readers
 * always join through `datasets.current`, so they see the old or the new rows, never a mix,
 * and a killed ingest leaves only an unreferenced 'loading' version that the next ingest drops.
 */
export const SCHEMA_VERSION = 5;

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
`;

/**
 * Version 2 adds writer bookkeeping only (readers never look at it):
 * - `version_seq`: the highest version number ever handed out, so a number is never reused
 *   (versions.v alone would hand out max(v)+1 again after the newest version is dropped, and a
 *   reader caching metadata by version number would then mix two ingests).
 * - `ingest_locks`: one row per dataset being ingested, naming the holder (pid, host, start);
 *   a row whose process is gone is stale and taken over (see ingest-lock.ts).
 */
const DDL_V2 = `
CREATE TABLE IF NOT EXISTS version_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO version_seq (id, last) SELECT 1, coalesce(max(v), 0) FROM versions;
CREATE TABLE IF NOT EXISTS ingest_locks (
  dataset_id TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at TEXT NOT NULL,
  -- the holder's start time per the OS (Linux /proc), so a reused pid is not taken for the holder
  proc_start TEXT,
  -- the version it is loading (NULL until it has one)
  v INTEGER
) STRICT;
`;

/**
 * Version 3 keeps each version's variants in a table of its own (version-table.ts) instead of one
 * shared \`variants\` table keyed by (v, ...). A store of version 1 or 2 is moved over in one
 * transaction: the published versions' rows are copied into their own tables (in key order), the
 * rest (loading or retired versions, which no reader sees) is forgotten, and the shared table is
 * dropped. A crash during the move leaves the old schema as it was; the next open moves it again.
 */
function moveToVersionTables(db: Database.Database): void {
  const shared = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'variants'`).get();
  if (!shared) return;
  const current = db.prepare(`SELECT v FROM versions WHERE state = 'current'`).all() as { v: number }[];
  for (const { v } of current) {
    createVersionTable(db, v);
    db.prepare(
      `INSERT INTO ${variantsTable(v)} (contig, start0, ref, alt, anchor, rsid, other_ids, filter, counts)
       SELECT contig, start0, ref, alt, anchor, rsid, other_ids, filter, counts FROM variants WHERE v = ? ORDER BY contig, start0, ref, alt`,
    ).run(v);
    // indexed by moveVrsIntoVersionTables, once its VRS ids are in
  }
  db.prepare(`DELETE FROM versions WHERE state <> 'current'`).run();
  db.exec('DROP TABLE variants');
}

/**
 * Version 4 keeps a version's VRS ids in columns of its own table (\`vrs_key\`, \`vrs\`: vrs-column.ts), indexed
 * after the load and dropped with the table, instead of one \`vrs_alleles\` table all versions
 * share (filled in random digest order, and emptied row by row when a version was dropped). A store
 * of version 3 gets the columns on its published versions' tables, filled from \`vrs_alleles\`,
 * which is then dropped; in the same transaction as the earlier moves, so a crash leaves the old
 * schema as it was.
 */
function moveVrsIntoVersionTables(db: Database.Database): void {
  const shared = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vrs_alleles'`).get() !== undefined;
  if (shared) {
    db.function('afb_vrs_bytes', { deterministic: true }, (digest: unknown) => digestToBytes(String(digest)));
    db.function('afb_vrs_key', { deterministic: true }, (digest: unknown) => vrsKey(digestToBytes(String(digest))));
  }
  const current = db.prepare(`SELECT v FROM versions WHERE state = 'current'`).all() as { v: number }[];
  for (const { v } of current) {
    const table = variantsTable(v);
    const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[];
    if (columns.length === 0) continue;
    if (!columns.some((c) => c.name === 'vrs_key')) db.exec(`ALTER TABLE ${table} ADD COLUMN vrs_key INTEGER; ALTER TABLE ${table} ADD COLUMN vrs BLOB`);
    if (shared) {
      db.prepare(
        `UPDATE ${table} AS t SET vrs_key = afb_vrs_key(a.digest), vrs = CASE WHEN a.ref = '' OR a.alt = '' THEN afb_vrs_bytes(a.digest) END FROM vrs_alleles AS a JOIN contig_names AS c ON c.name = a.contig
         WHERE a.v = ? AND t.contig = c.id AND t.start0 = a.start0 AND t.ref = a.ref AND t.alt = a.alt`,
      ).run(v);
    }
    indexVersionTable(db, v);
  }
  if (shared) db.exec('DROP TABLE vrs_alleles');
}

/**
 * Version 5 lets a version's variants live in a file of their own beside the store
 * (version-file.ts): `versions.in_file` is 1 for such a version, 0 for one whose table is in the
 * store file (every version written before, and those of datasets past FILE_DATASETS_MAX). The
 * file's name is not stored: it follows the store's, so a copy of a store under another name
 * never shares (and never removes) the files of the original. Nothing moves.
 */
function addVersionFiles(db: Database.Database): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('versions')`).all() as { name: string }[];
  if (!columns.some((c) => c.name === 'in_file')) db.exec('ALTER TABLE versions ADD COLUMN in_file INTEGER NOT NULL DEFAULT 0');
}

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new AfbError('STORE_ERROR', `store schema version ${current} is newer than this afb understands (${SCHEMA_VERSION}); upgrade afb`);
  }
  if (current < SCHEMA_VERSION) {
    db.transaction(() => {
      db.exec(DDL);
      db.exec(DDL_V2);
      moveToVersionTables(db);
      moveVrsIntoVersionTables(db);
      addVersionFiles(db);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }
}
