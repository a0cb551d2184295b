import type Database from 'better-sqlite3';
import { AfbError, isAfbError } from '../domain/errors';
import { openForWrite } from './open';
import { ContigCodes } from './contig-codes';
import { IngestLock } from './ingest-lock';
import { SpaceReserve } from './space-reserve';
import type { VersionMeta } from './version-meta';
import { dropVrsRows } from './vrs-index';
import { dropVersionExtras } from './coverage-store';

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

/** Rows deleted per transaction when dropping a version: small, so the WAL stays small (a full disk needs that). */
const ROWS_PER_DELETE = 20_000;

/** Disk kept in reserve beside the store for cleaning up after a full disk (see SpaceReserve). */
const RESERVE_BYTES = 8 * 1024 * 1024;

export interface WriterOptions {
  /** Cap the store file at this many pages (PRAGMA max_page_count); past it, writes fail as on a full disk. */
  maxPages?: number;
}

/**
 * Writes one new version of a dataset. Only one writer per dataset at a time (IngestLock; a
 * second one is refused naming the first). Rows go in under a fresh version number, never used
 * before, one transaction per batch; `commit()` makes it current in one transaction and then
 * drops the old rows. Until then, and after any crash, readers keep seeing the previous version.
 * A writer only ever deletes rows of its own version, or of versions left by ingests whose
 * process is gone, and those in small transactions.
 */
export class DatasetWriter {
  private readonly v: number;
  private readonly insert: Database.Statement;
  private readonly contigCodes: ContigCodes;
  private lastContig = '';
  private lastContigCode = 0;
  private readonly filterIndex = new Map<string, number>();
  private readonly filters: string[] = [];
  private readonly contigs = new Map<string, { rows: number; maxSpan: number }>();
  private rows = 0;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly dbPath: string,
    readonly datasetId: string,
    private readonly lock: IngestLock,
    private readonly reserve: SpaceReserve,
  ) {
    this.contigCodes = new ContigCodes(db);
    this.insert = db.prepare(
      `INSERT INTO variants (v, contig, start0, ref, alt, anchor, rsid, other_ids, filter, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    dropLeftovers(db, datasetId);
    this.v = db
      .transaction(() => {
        const v = (db.prepare('UPDATE version_seq SET last = last + 1 WHERE id = 1 RETURNING last').get() as { last: number }).last;
        db.prepare(`INSERT INTO versions (v, dataset_id, state, meta, created_at) VALUES (?, ?, 'loading', '{}', ?)`).run(v, datasetId, new Date().toISOString());
        return v;
      })
      .immediate();
    lock.loading(this.v);
  }

  static open(dbPath: string, datasetId: string, opts: WriterOptions = {}): DatasetWriter {
    const reserve = new SpaceReserve(`${dbPath}.afb-reserve`, RESERVE_BYTES);
    let writer: DatasetWriter;
    try {
      writer = DatasetWriter.start(dbPath, datasetId, opts, reserve);
    } catch (e) {
      // A full disk, perhaps with an abandoned version that needs room to be dropped: use the reserve.
      if (!(isAfbError(e) && e.code === 'STORE_FULL' && reserve.release())) throw e;
      writer = DatasetWriter.start(dbPath, datasetId, opts, reserve);
    }
    reserve.ensure();
    return writer;
  }

  private static start(dbPath: string, datasetId: string, opts: WriterOptions, reserve: SpaceReserve): DatasetWriter {
    const db = storeCall(dbPath, `opening ${dbPath}`, () => openForWrite(dbPath));
    let lock: IngestLock | undefined;
    try {
      if (opts.maxPages) db.pragma(`max_page_count = ${Math.floor(opts.maxPages)}`);
      lock = storeCall(dbPath, `locking dataset '${datasetId}'`, () => IngestLock.acquire(db, dbPath, datasetId));
      const l = lock;
      return storeCall(dbPath, `starting a new version of '${datasetId}'`, () => new DatasetWriter(db, dbPath, datasetId, l, reserve));
    } catch (e) {
      try {
        lock?.release();
      } catch {
        // a lock row left behind names a process that is about to exit: stale, taken over next time
      }
      db.close();
      throw e;
    }
  }

  get version(): number {
    return this.v;
  }

  /**
   * Store a batch of rows in one transaction (none stays open between batches, so other datasets'
   * ingests write meanwhile). Returns the indexes of rows whose key (contig, start0, ref, alt)
   * an earlier row already holds; those are not stored.
   */
  addBatch(b: RowBatch): number[] {
    return storeCall(this.dbPath, `writing rows of '${this.datasetId}'`, () =>
      this.db.transaction(() => {
        const duplicates: number[] = [];
        // A view, not a copy: a worker thread transferred the buffer to this one.
        const counts = Buffer.from(b.counts.buffer, b.counts.byteOffset, b.counts.byteLength);
        for (let i = 0; i < b.count; i++) {
          if (!this.addRow(b, i, counts.subarray(b.offsets[i]!, b.offsets[i + 1]!))) duplicates.push(i);
        }
        return duplicates;
        // IMMEDIATE: take the write lock first (waiting for another dataset's ingest), so reading
        // contig_names and then numbering a new contig can never race another writer.
      }).immediate(),
    );
  }

  private addRow(b: RowBatch, i: number, counts: Uint8Array): boolean {
    const contig = b.contigs[i]!;
    const ref = b.refs[i]!;
    const anchor = b.anchors[i];
    const filter = b.filters[i]!;
    let f = this.filterIndex.get(filter);
    if (f === undefined) {
      f = this.filters.length;
      this.filters.push(filter);
      this.filterIndex.set(filter, f);
    }
    if (contig !== this.lastContig) {
      this.lastContigCode = this.contigCodes.codeFor(contig);
      this.lastContig = contig;
    }
    try {
      this.insert.run(this.v, this.lastContigCode, b.start0[i]!, ref, b.alts[i]!, anchor ?? null, b.rsids[i] ?? null, b.otherIds[i] ?? null, f, counts);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
      throw e;
    }
    let c = this.contigs.get(contig);
    if (!c) this.contigs.set(contig, (c = { rows: 0, maxSpan: 0 }));
    c.rows++;
    const span = Math.max(1, ref.length + (anchor ? 1 : 0));
    if (span > c.maxSpan) c.maxSpan = span;
    this.rows++;
    return true;
  }

  /** Rows stored so far, per contig. */
  contigRows(): Map<string, number> {
    return new Map([...this.contigs].map(([name, c]) => [name, c.rows]));
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Side tables of this version (coverage-store): `fn(db, v)` runs in one write transaction, before commit. */
  writeExtra(fn: (db: Database.Database, v: number) => void): void {
    storeCall(this.dbPath, `writing side tables of '${this.datasetId}'`, () => this.db.transaction(() => fn(this.db, this.v)).immediate());
  }

  /** Make this version current (atomically) and drop the previous one. */
  /** The meta of the dataset's published version, if there is one (read under this ingest's lock). */
  publishedMeta(): VersionMeta | undefined {
    const row = this.db.prepare(`SELECT meta FROM versions WHERE dataset_id = ? AND state = 'current'`).get(this.datasetId) as { meta: string } | undefined;
    return row ? (JSON.parse(row.meta) as VersionMeta) : undefined;
  }

  commit(meta: Omit<VersionMeta, 'filters' | 'contigs' | 'variantCount'>): VersionMeta {
    // fromEntries defines own properties, so a contig named '__proto__' is just a key.
    const full: VersionMeta = { ...meta, filters: this.filters, contigs: Object.fromEntries(this.contigs), variantCount: this.rows };
    storeCall(this.dbPath, `publishing version ${this.v} of '${this.datasetId}'`, () =>
      this.db
        .transaction(() => {
          if (!this.lock.held()) throw new AfbError('STORE_ERROR', `${this.dbPath}: the ingest lock of '${this.datasetId}' was taken over by another process; version ${this.v} is not published`);
          const mine = this.db.prepare(`UPDATE versions SET state = 'current', meta = ? WHERE v = ? AND dataset_id = ? AND state = 'loading'`).run(JSON.stringify(full), this.v, this.datasetId);
          if (mine.changes !== 1) throw new AfbError('STORE_ERROR', `${this.dbPath}: version ${this.v} of '${this.datasetId}' is no longer there to publish`);
          this.db.prepare(`UPDATE versions SET state = 'retired' WHERE dataset_id = ? AND state = 'current' AND v <> ?`).run(this.datasetId, this.v);
          this.db
            .prepare(`INSERT INTO datasets (id, current) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET current = excluded.current`)
            .run(this.datasetId, this.v);
        })
        .immediate(),
    );
    // Published. Dropping the old rows may still fail (a full disk): the next ingest drops them.
    try {
      dropVersions(this.db, this.datasetId, 'retired');
    } catch {
      // left 'retired'; harmless to readers
    }
    this.close();
    return full;
  }

  /** Give up: drop this version's rows (only this version's); the current version is untouched. */
  abort(): void {
    if (this.closed) return;
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      try {
        dropVersion(this.db, this.v, this.datasetId, 'loading');
      } catch (e) {
        // Most likely a full disk: the WAL cannot be checkpointed for want of room. Use the reserve.
        if (!this.reserve.release()) throw e;
        this.db.pragma('wal_checkpoint(TRUNCATE)');
        dropVersion(this.db, this.v, this.datasetId, 'loading');
      }
    } catch {
      // left 'loading' with no live owner once this process exits: the next ingest drops it
    } finally {
      this.close('TRUNCATE');
    }
  }

  /** Release the lock and close; TRUNCATE also gives the WAL file's space back to the disk. */
  private close(checkpoint: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE'): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.lock.release();
    } catch {
      // stale once this process exits
    }
    try {
      this.db.pragma(`wal_checkpoint(${checkpoint})`);
    } catch {
      // a reader may hold the WAL; the next checkpoint will do it
    }
    this.db.close();
  }
}

/**
 * Run a store operation, turning SQLite's errors into AfbErrors: a full disk (or the page cap)
 * becomes STORE_FULL with what to do, anything else STORE_ERROR naming the store; the original
 * is the `cause`.
 */
function storeCall<T>(dbPath: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isAfbError(e)) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_FULL')) {
      throw new AfbError(
        'STORE_FULL',
        `${dbPath}: the disk is full (or the store reached its size limit) while ${what}; the published data is unchanged. ` +
          `Free space on the disk holding ${dbPath} (and its -wal file) and run the ingest again: it first removes what this attempt wrote, in small steps that need no extra space`,
        { cause: e },
      );
    }
    throw new AfbError('STORE_ERROR', `${dbPath}: ${what}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Drop one version's rows, ROWS_PER_DELETE per transaction (so it never needs a big WAL, and a
 * crash half-way leaves the rest for next time), then its versions row. Only a version of
 * `datasetId` in `state` is touched: never a published one.
 */
function dropVersion(db: Database.Database, v: number, datasetId: string, state: 'loading' | 'retired'): void {
  const owned = db.prepare('SELECT 1 FROM versions WHERE v = ? AND dataset_id = ? AND state = ?');
  if (!owned.get(v, datasetId, state)) return;
  const chunk = db.prepare(
    'DELETE FROM variants WHERE v = @v AND (contig, start0, ref, alt) IN (SELECT contig, start0, ref, alt FROM variants WHERE v = @v LIMIT @n)',
  );
  // IMMEDIATE: with other datasets' ingests writing meanwhile, a write that starts as a read could
  // not always be upgraded; taking the write lock first waits for them instead.
  const step = db.transaction(() => chunk.run({ v, n: ROWS_PER_DELETE }).changes);
  while (step.immediate() > 0) {
    // each statement is its own transaction; let the WAL be reused
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // readers may hold it
    }
  }
  dropVrsRows(db, v, ROWS_PER_DELETE);
  db.transaction(() => {
    dropVersionExtras(db, v);
    db.prepare('DELETE FROM versions WHERE v = ? AND dataset_id = ? AND state = ?').run(v, datasetId, state);
  }).immediate();
}

function dropVersions(db: Database.Database, datasetId: string, state: 'loading' | 'retired'): void {
  const vs = db.prepare('SELECT v FROM versions WHERE dataset_id = ? AND state = ?').all(datasetId, state) as { v: number }[];
  for (const { v } of vs) dropVersion(db, v, datasetId, state);
}

/**
 * Under the dataset's lock: 'loading' versions of the dataset were left by ingests whose process
 * is gone (a live one would hold the lock), 'retired' ones by a publish that died before dropping
 * them. Neither is visible to readers.
 */
function dropLeftovers(db: Database.Database, datasetId: string): void {
  dropVersions(db, datasetId, 'loading');
  dropVersions(db, datasetId, 'retired');
}
