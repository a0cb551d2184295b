import type Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';
import { openForWrite } from './open';
import { ContigCodes } from './contig-codes';
import type { VersionMeta } from './version-meta';

/**
 * ALT rows parsed from a run of VCF lines, in a shape that crosses a worker boundary cheaply
 * (typed arrays and string arrays, the counts already encoded as one byte buffer by
 * `encodeInto`). Positions are 0-based, alleles trimmed (see domain/alleles).
 */
export interface RowBatch {
  count: number;
  /** VCF line of each row (for error messages). */
  lines: number[];
  /** The ALT as written in the VCF (for error messages). */
  altTexts: string[];
  contigs: string[];
  start0: number[];
  refs: string[];
  alts: string[];
  anchors: (string | null)[];
  rsids: (number | null)[];
  otherIds: (string | null)[];
  filters: string[];
  /** Encoded counts of row i: counts.subarray(offsets[i], offsets[i + 1]). */
  counts: Uint8Array;
  offsets: Uint32Array;
}

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
  private readonly contigCodes: ContigCodes;
  private lastContig = '';
  private lastContigCode = 0;
  private readonly filterIndex = new Map<string, number>();
  private readonly filters: string[] = [];
  private readonly contigs = new Map<string, { rows: number; maxSpan: number }>();
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

  /**
   * Store a batch of rows. Returns the indexes of rows whose key (contig, start0, ref, alt) an
   * earlier row already holds; those are not stored.
   */
  addBatch(b: RowBatch): number[] {
    const duplicates: number[] = [];
    // A view, not a copy: a worker thread transferred the buffer to this one.
    const counts = Buffer.from(b.counts.buffer, b.counts.byteOffset, b.counts.byteLength);
    for (let i = 0; i < b.count; i++) {
      if (!this.addRow(b, i, counts.subarray(b.offsets[i]!, b.offsets[i + 1]!))) duplicates.push(i);
    }
    return duplicates;
  }

  private addRow(b: RowBatch, i: number, counts: Uint8Array): boolean {
    const contig = b.contigs[i]!;
    const ref = b.refs[i]!;
    const anchor = b.anchors[i];
    if (this.pending === 0) this.db.exec('BEGIN');
    const filter = b.filters[i]!;
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
      this.insert.run(this.v, this.lastContigCode, b.start0[i]!, ref, b.alts[i]!, anchor ?? null, b.rsids[i] ?? null, b.otherIds[i] ?? null, f, counts);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
      throw new AfbError('STORE_ERROR', `writing ${this.datasetId}: ${(e as Error).message}`, { cause: e });
    }
    let c = this.contigs.get(contig);
    if (!c) this.contigs.set(contig, (c = { rows: 0, maxSpan: 0 }));
    c.rows++;
    const span = Math.max(1, ref.length + (anchor ? 1 : 0));
    if (span > c.maxSpan) c.maxSpan = span;
    this.rows++;
    if (++this.pending >= ROWS_PER_TRANSACTION) this.flush();
    return true;
  }

  /** Rows stored so far, per contig. */
  contigRows(): Map<string, number> {
    return new Map([...this.contigs].map(([name, c]) => [name, c.rows]));
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
    // fromEntries defines own properties, so a contig named '__proto__' is just a key.
    const full: VersionMeta = { ...meta, filters: this.filters, contigs: Object.fromEntries(this.contigs), variantCount: this.rows };
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
