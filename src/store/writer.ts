import type Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';
import { CountsEncoder } from './codec';
import { openForWrite } from './open';
import { ContigCodes } from './contig-codes';
import type { VersionMeta } from './version-meta';

/** One ALT row to store; positions are 0-based, alleles trimmed (see domain/alleles). */
export interface StoreRow {
  contig: string;
  start0: number;
  ref: string;
  alt: string;
  anchor?: string;
  rsid?: number;
  otherIds?: string;
  filter: string;
  /** Aligned with VersionMeta.slots; NaN = missing. */
  values: ArrayLike<number>;
}

export type InsertOutcome = 'inserted' | 'duplicate';

const ROWS_PER_TRANSACTION = 50_000;

/**
 * Writes one new version of a dataset. Rows go in under a fresh version number in batched
 * transactions; `commit()` makes it current in one transaction and then drops the old rows.
 * Until then, and after any crash, readers keep seeing the previous version.
 */
export class DatasetWriter {
  private readonly db: Database.Database;
  private readonly v: number;
  private readonly insert: Database.Statement;
  private readonly encoder = new CountsEncoder();
  private readonly contigCodes: ContigCodes;
  private lastContig = '';
  private lastContigCode = 0;
  private isAf: boolean[] = [];
  private readonly filterIndex = new Map<string, number>();
  private readonly filters: string[] = [];
  private readonly contigs: VersionMeta['contigs'] = {};
  private pending = 0;
  private rows = 0;
  private closed = false;

  private constructor(db: Database.Database, readonly datasetId: string) {
    this.db = db;
    dropAbandonedVersions(db, datasetId);
    const info = db
      .prepare(`INSERT INTO versions (dataset_id, state, meta, created_at) VALUES (?, 'loading', '{}', ?)`)
      .run(datasetId, new Date().toISOString());
    this.v = Number(info.lastInsertRowid);
    this.contigCodes = new ContigCodes(db);
    this.insert = db.prepare(
      `INSERT INTO variants (v, contig, start0, ref, alt, anchor, rsid, other_ids, filter, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  static open(dbPath: string, datasetId: string): DatasetWriter {
    return new DatasetWriter(openForWrite(dbPath), datasetId);
  }

  get version(): number {
    return this.v;
  }

  /** The slot layout must be set before the first row (frequency slots are encoded differently). */
  setLayout(slots: VersionMeta['slots']): void {
    this.isAf = slots.map((s) => s.kind === 'af');
  }

  add(row: StoreRow): InsertOutcome {
    return this.addEncoded(row.contig, row.start0, row.ref, row.alt, row.anchor, row.rsid, row.otherIds, row.filter, this.encoder.encode(row.values, this.isAf));
  }

  /** Like add(), with the counts already encoded (by CountsEncoder, e.g. in a parser thread). */
  addEncoded(
    contig: string,
    start0: number,
    ref: string,
    alt: string,
    anchor: string | null | undefined,
    rsid: number | null | undefined,
    otherIds: string | null | undefined,
    filter: string,
    counts: Uint8Array,
  ): InsertOutcome {
    if (this.pending === 0) this.db.exec('BEGIN');
    let f = this.filterIndex.get(filter);
    if (f === undefined) {
      f = this.filters.length;
      this.filters.push(filter);
      this.filterIndex.set(filter, f);
    }
    try {
      if (contig !== this.lastContig) {
        this.lastContigCode = this.contigCodes.codeFor(contig);
        this.lastContig = contig;
      }
      this.insert.run(this.v, this.lastContigCode, start0, ref, alt, anchor ?? null, rsid ?? null, otherIds ?? null, f, counts);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'duplicate';
      throw new AfbError('STORE_ERROR', `writing ${this.datasetId}: ${(e as Error).message}`, { cause: e });
    }
    const c = (this.contigs[contig] ??= { rows: 0, maxSpan: 0 });
    c.rows++;
    const span = Math.max(1, ref.length + (anchor ? 1 : 0));
    if (span > c.maxSpan) c.maxSpan = span;
    this.rows++;
    if (++this.pending >= ROWS_PER_TRANSACTION) this.flush();
    return 'inserted';
  }

  flush(): void {
    if (this.pending > 0) {
      this.db.exec('COMMIT');
      this.pending = 0;
    }
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Make this version current (atomically) and drop the previous one. */
  commit(meta: Omit<VersionMeta, 'filters' | 'contigs' | 'variantCount'>): VersionMeta {
    this.flush();
    const full: VersionMeta = { ...meta, filters: this.filters, contigs: this.contigs, variantCount: this.rows };
    const swap = this.db.transaction(() => {
      this.db.prepare(`UPDATE versions SET state = 'retired' WHERE dataset_id = ? AND state = 'current'`).run(this.datasetId);
      this.db.prepare(`UPDATE versions SET state = 'current', meta = ? WHERE v = ?`).run(JSON.stringify(full), this.v);
      this.db
        .prepare(`INSERT INTO datasets (id, current) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET current = excluded.current`)
        .run(this.datasetId, this.v);
    });
    swap.immediate();
    dropRetiredVersions(this.db, this.datasetId);
    this.close();
    return full;
  }

  /** Give up: drop this version's rows; the current version is untouched. */
  abort(): void {
    if (this.closed) return;
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.pending = 0;
      deleteVersion(this.db, this.v);
    } finally {
      this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // a reader may hold the WAL; the next checkpoint will do it
    }
    this.db.close();
  }
}

function deleteVersion(db: Database.Database, v: number): void {
  db.transaction(() => {
    db.prepare('DELETE FROM variants WHERE v = ?').run(v);
    db.prepare('DELETE FROM versions WHERE v = ?').run(v);
  })();
}

/** Versions left 'loading' by a killed ingest of this dataset, and retired ones not yet dropped. */
function dropAbandonedVersions(db: Database.Database, datasetId: string): void {
  const stale = db.prepare(`SELECT v FROM versions WHERE dataset_id = ? AND state IN ('loading', 'retired')`).all(datasetId) as { v: number }[];
  for (const { v } of stale) deleteVersion(db, v);
}

function dropRetiredVersions(db: Database.Database, datasetId: string): void {
  const old = db.prepare(`SELECT v FROM versions WHERE dataset_id = ? AND state = 'retired'`).all(datasetId) as { v: number }[];
  for (const { v } of old) deleteVersion(db, v);
}

/** Remove a dataset entirely. */
export function deleteDataset(dbPath: string, datasetId: string): boolean {
  const db = openForWrite(dbPath);
  try {
    const versions = db.prepare('SELECT v FROM versions WHERE dataset_id = ?').all(datasetId) as { v: number }[];
    db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId);
    for (const { v } of versions) deleteVersion(db, v);
    return versions.length > 0;
  } finally {
    db.close();
  }
}
