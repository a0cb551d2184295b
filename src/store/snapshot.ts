import type Database from 'better-sqlite3';
import type { LookupSnapshot, VariantLookup } from '../domain/lookup';
import { AfbError } from '../domain/errors';
import { openForRead } from './open';

/**
 * A view on one version of the store for a batch read in parts: its own read-only connection
 * holding one read transaction open (WAL keeps the snapshot of its first read, whatever is
 * published meanwhile; a version file, once published, never changes), closed by release().
 * Each lookup on it nests in that transaction.
 */
export function openSnapshot(
  path: string,
  lookupOver: (db: Database.Database) => { lookup: Pick<VariantLookup, 'findAlleles'>; pinned(): boolean },
): LookupSnapshot {
  const db = openForRead(path);
  // A batch reads a few pages per variant once: a small cache keeps many open snapshots cheap.
  db.pragma('cache_size = -256');
  const { lookup, pinned } = lookupOver(db);
  // Version files are attached outside a transaction (pinned() does that first); the snapshot is
  // taken only once the versions current in it all have their files attached.
  try {
    for (let attempt = 1; ; attempt++) {
      pinned();
      db.exec('BEGIN');
      // A deferred transaction takes its snapshot at the first read: take it now.
      if (pinned()) break;
      db.exec('COMMIT');
      if (attempt === 5) throw new AfbError('STORE_ERROR', `reading the store: the current versions changed ${attempt} times while a snapshot was being opened`);
    }
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
