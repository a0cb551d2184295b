/**
 * A store read straight with SQL, as afb lays it out (src/store/version-file.ts): the store file
 * plus a file per dataset version beside it, `<store>.v<v>.afb`. Independent of the lookup API.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { versionFilePath } from '../../src/store/version-file';

/**
 * The store read-only, with the files of its current versions attached (as afb's readers do: a
 * loading version's file is its ingest's alone), so `variants_<v>` of a current version resolves.
 */
export function openRawStore(db: string): Database.Database {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  const inFiles = d.prepare(`SELECT v FROM versions WHERE in_file = 1 AND state = 'current'`).pluck().all() as number[];
  for (const v of inFiles) d.prepare(`ATTACH DATABASE ? AS v${v}`).run(versionFilePath(db, v));
  return d;
}

/** The version files beside the store (whether or not a versions row names them), sorted. */
export function versionFiles(db: string): string[] {
  const prefix = `${basename(db)}.v`;
  return readdirSync(dirname(db))
    .filter((n) => n.startsWith(prefix) && n.endsWith('.afb'))
    .sort();
}

/** The version tables (or, with `type` 'index', their indexes) on disk: in the store file and in every version file beside it, sorted. */
export function versionTables(db: string, type: 'table' | 'index' = 'table', glob = 'variants_*'): string[] {
  const names: string[] = [];
  for (const f of [db, ...versionFiles(db).map((n) => join(dirname(db), n))]) {
    const d = new Database(f, { readonly: true, fileMustExist: true });
    try {
      names.push(...(d.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND name GLOB ?`).pluck().all(type, glob) as string[]));
    } finally {
      d.close();
    }
  }
  return names.sort();
}

/** Rows written so far by the dataset version that is loading (0 when none is, or its table is not made yet). */
export function loadingRows(db: string): number {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const row = d.prepare(`SELECT v, in_file FROM versions WHERE state = 'loading'`).get() as { v: number; in_file: number } | undefined;
    if (!row) return 0;
    const where = row.in_file === 0 ? d : new Database(versionFilePath(db, row.v), { readonly: true, fileMustExist: true });
    try {
      return where.prepare(`SELECT count(*) FROM variants_${row.v}`).pluck().get() as number;
    } finally {
      if (where !== d) where.close();
    }
  } catch {
    return 0; // its file or table is made a moment later
  } finally {
    d.close();
  }
}
