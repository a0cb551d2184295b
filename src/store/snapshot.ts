import type Database from 'better-sqlite3';
import type { LookupSnapshot, VariantLookup } from '../domain/lookup';
import { openForRead } from './open';

/**
 * A view on one version of the store for a batch read in parts: its own read-only connection
 * holding one read transaction open (WAL keeps the snapshot of its first read, whatever is
 * published meanwhile), closed by release(). Each lookup on it nests in that transaction.
 */
export function openSnapshot(path: string, lookupOver: (db: Database.Database) => Pick<VariantLookup, 'findAlleles'>): LookupSnapshot {
  const db = openForRead(path);
  // A batch reads a few pages per variant once: a small cache keeps many open snapshots cheap.
  db.pragma('cache_size = -256');
  db.exec('BEGIN');
  // A deferred transaction takes its snapshot at the first read: take it now.
  db.prepare('SELECT count(*) FROM datasets').get();
  const lookup = lookupOver(db);
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
