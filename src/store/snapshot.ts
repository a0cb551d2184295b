import type Database from 'better-sqlite3';
import type { LookupSnapshot, VariantLookup } from '../domain/lookup';
import { openForRead } from './open';

/**
 * A view on one version of the store for a batch read in parts: its own read-only connection
 * holding one read transaction open (WAL keeps the snapshot of its first read, whatever is
 * published meanwhile; a version file, once published, never changes), closed by release().
 * `beginOver` makes the lookup on the connection and begins that transaction (sqlite-lookup.ts
 * beginSnapshot); each lookup on it nests in it.
 */
export function openSnapshot(path: string, beginOver: (db: Database.Database) => Pick<VariantLookup, 'findAlleles'>): LookupSnapshot {
  const db = openForRead(path);
  // A batch reads a few pages per variant once: a small cache keeps many open snapshots cheap.
  db.pragma('cache_size = -256');
  let lookup: Pick<VariantLookup, 'findAlleles'>;
  try {
    lookup = beginOver(db);
  } catch (e) {
    db.close();
    throw e;
  }
  let released = false;
  return {
    findAlleles: (scope, queries, signal) => lookup.findAlleles(scope, queries, signal),
    release() {
      if (released) return;
      released = true;
      try {
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
  };
}
