import Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';
import { migrate, SCHEMA_VERSION } from './schema';

/** The writer: creates the file if needed, WAL so that readers are never blocked. */
export function openForWrite(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw new AfbError('STORE_ERROR', `cannot open store ${path} for writing: ${(e as Error).message}`, { cause: e });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 30000');
  // 64 MB of page cache: a version's table is appended in key order and its rsID index is built
  // after the load (CREATE INDEX sorts in this much memory, then in temporary files), so this is
  // enough at any size; it also caps the writer's memory whatever the input size.
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

/** Readers open read-only and never create or migrate the file. */
export function openForRead(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new AfbError('STORE_ERROR', `cannot open store ${path}: ${(e as Error).message}; run 'afb ingest --db ${path} ...' first`, { cause: e });
  }
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0) throw new AfbError('STORE_ERROR', `${path} is not an afb store (no schema); run 'afb ingest --db ${path} ...' first`);
  if (version < SCHEMA_VERSION) {
    // A store written by an older afb: move it to this schema once (schema.ts), then read it.
    db.close();
    upgrade(path, version);
    return openForRead(path);
  }
  return db;
}

function upgrade(path: string, from: number): void {
  let db: Database.Database;
  try {
    db = openForWrite(path);
  } catch (e) {
    throw new AfbError(
      'STORE_ERROR',
      `${path} has store schema ${from}, older than this afb's (${SCHEMA_VERSION}), and could not be upgraded: ${(e as Error).message}; ` +
        `open it once with write access (e.g. 'afb ingest --db ${path} ...', or serve it from a writable directory) or use the afb that wrote it`,
      { cause: e },
    );
  }
  db.close();
}
