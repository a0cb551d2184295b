import { closeSync, existsSync, fsyncSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';

/**
 * A dataset version's variants live in a file of their own beside the store (`<store>.v<v>.afb`):
 * the ingest appends the new version to a fresh file, readers ATTACH the current versions' files
 * (an unqualified `variants_<v>` resolves through them), and a retired version's file is
 * unlinked. Against a table per version in the store file, a re-ingest then never waits for
 * SQLite to read every page of the old table to drop it (17 s at 100 M rows), and never writes
 * the new one into the old one's freed pages, scattered over the file (+20 % at 100 M rows).
 *
 * The `versions` row (`in_file` = 1) is written before the file is made, and the file removed
 * after the row: a file without a row is an orphan any writer may remove.
 */

/**
 * Datasets whose versions may live in files: readers attach the current version of each, and
 * better-sqlite3 is built with SQLite's default SQLITE_MAX_ATTACHED of 10. The versions of the
 * datasets past it stay in tables of the store file, as before files (schema.ts, version 5).
 */
export const FILE_DATASETS_MAX = 10;

/** Ends every version file's name, so nothing else beside the store is ever taken for one. */
const SUFFIX = '.afb';

/** Version v's file: named after the store, so copying or renaming a store means its version files too. */
export function versionFilePath(dbPath: string, v: number): string {
  return `${dbPath}.v${v}${SUFFIX}`;
}

/** The schema name a reader attaches version v's file under. */
function attachedName(v: number): string {
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`not a version number: ${v}`);
  return `v${v}`;
}

/**
 * A new version's file, for loading: its journal in memory and no syncs, since a version nobody
 * reads yet is dropped whole if anything fails (the store's `versions` row says 'loading' until it
 * is sealed and published), so nothing in it needs to survive a crash. (Not `journal_mode = OFF`:
 * better-sqlite3 runs SQLite in defensive mode, which refuses it and keeps a journal file.)
 */
export function createVersionFile(path: string, maxPages?: number): Database.Database {
  removeVersionFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  // As the store's writer (open.ts): the sorted load appends, so this bounds memory at any size.
  db.pragma('cache_size = -65536');
  if (maxPages) db.pragma(`max_page_count = ${Math.floor(maxPages)}`);
  return db;
}

/**
 * Make a loaded version's file ready to publish: WAL (so readers take no file lock per read), then
 * written through to the disk with its folder entry, so a crash after publishing finds it whole.
 */
export function sealVersionFile(db: Database.Database, path: string): void {
  db.pragma('journal_mode = WAL');
  db.close();
  fsyncPath(path);
  fsyncPath(dirname(path));
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Remove a version's file and its WAL companions; readers that have it open keep reading it. */
export function removeVersionFile(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    try {
      unlinkSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/**
 * Remove the version files beside the store that no `versions` row names (left by a crash between
 * the row's delete and the unlink). The folder is listed before `named()` reads the rows: a file
 * another ingest makes meanwhile has its row committed before it exists, so it is never taken
 * for an orphan.
 */
export function removeOrphanFiles(dbPath: string, named: () => ReadonlySet<number>): void {
  const prefix = `${basename(dbPath)}.v`;
  let names: string[];
  try {
    names = readdirSync(dirname(dbPath)).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  if (names.length === 0) return;
  const known = named();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.afb(-wal|-shm|-journal)?$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const v = Number(m[1]);
    if (!known.has(v)) removeVersionFile(versionFilePath(dbPath, v));
  }
}

/**
 * The version files a reader's connection has attached, kept equal to the current versions'
 * (outside any transaction: SQLite attaches and detaches only there). A file can vanish between
 * reading which version is current and attaching it (a re-ingest published and removed it): the
 * caller reads again and calls `sync` with the new set.
 */
export class AttachedFiles {
  private readonly attached = new Set<number>();

  constructor(
    private readonly db: Database.Database,
    private readonly dbPath: string,
  ) {}

  has(v: number): boolean {
    return this.attached.has(v);
  }

  get size(): number {
    return this.attached.size;
  }

  /** Attach exactly the files of the versions `wanted`: detach the others first, so the limit holds. */
  sync(wanted: readonly number[]): void {
    for (const v of [...this.attached]) {
      if (wanted.includes(v)) continue;
      this.db.exec(`DETACH DATABASE ${attachedName(v)}`);
      this.attached.delete(v);
    }
    for (const v of wanted) {
      if (this.attached.has(v)) continue;
      const file = versionFilePath(this.dbPath, v);
      try {
        this.db.prepare(`ATTACH DATABASE ? AS ${attachedName(v)}`).run(file);
      } catch (e) {
        // Gone (a re-ingest replaced it): the caller reads the current set again.
        if ((e as { code?: string }).code === 'SQLITE_CANTOPEN' && !existsSync(file)) return;
        throw new AfbError(
          'STORE_ERROR',
          `${this.dbPath}: cannot open version ${v}'s file ${file}: ${(e as Error).message}; a reader needs the store's folder writable ` +
            `(for the -shm file of each WAL-mode file), or a copy made by scripts/copy-store.js (rollback-journal files) on a read-only filesystem`,
          { cause: e },
        );
      }
      this.attached.add(v);
    }
  }
}
