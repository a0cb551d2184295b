import type Database from 'better-sqlite3';
import type { DatasetMetadata, MetadataSource } from '../domain/catalogue';
import { openForRead } from './open';

/**
 * Dataset metadata (the catalogue's, issue 15) in a table of its own, one row per dataset
 * *version*: readers join it through `datasets.current`, so a version's metadata becomes visible
 * in the same step as its rows, and an ingest that fails before publishing leaves the previous
 * version's metadata as it was (its own row belongs to a version that never became current, and
 * the next write drops it). Created on first write, so stores made before it need no migration.
 */
const DDL = `CREATE TABLE IF NOT EXISTS dataset_metadata (
  v INTEGER PRIMARY KEY,
  dataset_id TEXT NOT NULL,
  metadata TEXT NOT NULL
) STRICT`;

/**
 * Store the metadata of version `v` of a dataset, before that version is published: `compose` is
 * given the published version's metadata (none on a first ingest) and returns this version's. Runs
 * on the ingest's own connection, inside its transaction (DatasetWriter.writeExtra); rows of
 * versions that are gone (a failed ingest's) are dropped here.
 */
export function writeDatasetMetadata(
  db: Database.Database,
  datasetId: string,
  v: number,
  compose: (published: DatasetMetadata | undefined) => DatasetMetadata,
): DatasetMetadata {
  db.exec(DDL);
  const row = db.prepare('SELECT m.metadata FROM datasets d JOIN dataset_metadata m ON m.v = d.current WHERE d.id = ?').get(datasetId) as { metadata: string } | undefined;
  const metadata = compose(row ? (JSON.parse(row.metadata) as DatasetMetadata) : undefined);
  db.prepare('DELETE FROM dataset_metadata WHERE dataset_id = ? AND v NOT IN (SELECT v FROM versions)').run(datasetId);
  db.prepare('INSERT OR REPLACE INTO dataset_metadata (v, dataset_id, metadata) VALUES (?, ?, ?)').run(v, datasetId, JSON.stringify(metadata));
  return metadata;
}

/** A node's metadata, read-only: per dataset, its current version's (one read transaction). */
export function openMetadataSource(dbPath: string): MetadataSource & { close(): void } {
  const db = openForRead(dbPath);
  const parsed = new Map<number, DatasetMetadata>();
  return {
    async current() {
      return db.transaction(() => {
        const out = new Map<string, { version: string; metadata: DatasetMetadata }>();
        if (!hasTable(db)) return out;
        const rows = db.prepare('SELECT d.id, d.current, m.metadata FROM datasets d JOIN dataset_metadata m ON m.v = d.current').all() as { id: string; current: number; metadata: string }[];
        for (const r of rows) {
          let m = parsed.get(r.current);
          if (!m) parsed.set(r.current, (m = JSON.parse(r.metadata) as DatasetMetadata));
          out.set(r.id, { version: String(r.current), metadata: m });
        }
        return out;
      })();
    },
    close: () => db.close(),
  };
}

function hasTable(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dataset_metadata'`).get() !== undefined;
}
