import { availableParallelism } from 'node:os';
import type Database from 'better-sqlite3';
import { AfbError, isAfbError } from '../domain/errors';
import { openForWrite } from './open';
import { ContigCodes } from './contig-codes';
import { IngestLock } from './ingest-lock';
import { SpaceReserve } from './space-reserve';
import type { VersionMeta } from './version-meta';
import { createVersionTable, dropVersionTable, indexVersionTable, variantsTable } from './version-table';
import { VRS_DIGEST_BYTES, VrsState } from './vrs-column';
import { dropVersionExtras } from './coverage-store';
import { GroupedInsert } from './grouped-insert';
import { createVersionFile, FILE_DATASETS_MAX, removeOrphanFiles, removeVersionFile, sealVersionFile, versionFilePath } from './version-file';

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
  /**
   * VRS ids (vrs-column.ts), when the ingest computes them: when vrsStates[i] is
   * VrsState.Computed, row i's raw digest is vrs.subarray(24 * i, 24 * (i + 1)) and its key
   * vrsKeys[i] (worked out by the parser, off the writer's thread).
   */
  vrs?: Uint8Array;
  vrsKeys?: Float64Array;
  vrsStates?: Uint8Array;
}

/** The columns an ingest writes, in the order fillRow puts them. */
const INSERT_COLUMNS = ['contig', 'start0', 'ref', 'alt', 'anchor', 'rsid', 'other_ids', 'filter', 'counts', 'vrs_key', 'vrs'] as const;

/** Disk kept in reserve beside the store for cleaning up after a full disk (see SpaceReserve). */
const RESERVE_BYTES = 8 * 1024 * 1024;

export interface WriterOptions {
  /** Cap the store file at this many pages (PRAGMA max_page_count); past it, writes fail as on a full disk. */
  maxPages?: number;
}

/**
 * Writes one new version of a dataset. Only one writer per dataset at a time (IngestLock; a
 * second one is refused naming the first). Rows go into a fresh table of their own (version
 * numbers are never reused; see version-table.ts) in a fresh file of its own (version-file.ts;
 * in the store file for datasets past FILE_DATASETS_MAX), one transaction per batch; `commit()`
 * builds the rsID and VRS id indexes, makes the version current in one small transaction and
 * then drops the old version (removes its file). Until then, and after any crash, readers keep
 * seeing the previous version. A writer only ever drops its own version, or versions left by
 * ingests whose process is gone.
 */
export class DatasetWriter {
  private readonly v: number;
  /** Where the rows go: the version's own file (`inFile`), or the store (`db`). */
  private readonly data: Database.Database;
  private readonly inFile: boolean;
  private readonly insert: GroupedInsert;
  private readonly row = new Array<unknown>(INSERT_COLUMNS.length);
  private readonly contigCodes: ContigCodes;
  private lastContig = '';
  private lastContigCode = 0;
  private readonly filterIndex = new Map<string, number>();
  private readonly filters: string[] = [];
  private readonly contigs = new Map<string, { rows: number; maxSpan: number }>();
  private rows = 0;
  /** VRS ids of the stored rows: computed, and insertions/deletions left without one for want of the reference. */
  readonly vrsIds = { computed: 0, indelsWithoutReference: 0 };
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly dbPath: string,
    readonly datasetId: string,
    private readonly lock: IngestLock,
    private readonly reserve: SpaceReserve,
    maxPages: number | undefined,
  ) {
    this.contigCodes = new ContigCodes(db);
    dropLeftovers(db, dbPath, datasetId);
    const { v, inFile } = db
      .transaction(() => {
        const v = (db.prepare('UPDATE version_seq SET last = last + 1 WHERE id = 1 RETURNING last').get() as { last: number }).last;
        // Decided under the write lock, so concurrent ingests of other datasets cannot together pass the limit.
        const others = db.prepare('SELECT count(DISTINCT dataset_id) FROM versions WHERE in_file = 1 AND dataset_id <> ?').pluck().get(datasetId) as number;
        const inFile = others < FILE_DATASETS_MAX;
        db.prepare(`INSERT INTO versions (v, dataset_id, state, meta, created_at, in_file) VALUES (?, ?, 'loading', '{}', ?, ?)`).run(v, datasetId, new Date().toISOString(), inFile ? 1 : 0);
        if (!inFile) createVersionTable(db, v);
        return { v, inFile };
      })
      .immediate();
    this.v = v;
    this.inFile = inFile;
    lock.loading(v);
    this.data = inFile ? createVersionFile(versionFilePath(dbPath, v), maxPages) : db;
    if (inFile) createVersionTable(this.data, v);
    this.insert = new GroupedInsert(this.data, variantsTable(v), INSERT_COLUMNS);
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
      return storeCall(dbPath, `starting a new version of '${datasetId}'`, () => new DatasetWriter(db, dbPath, datasetId, l, reserve, opts.maxPages));
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
    const write = this.data.transaction(() => {
      const duplicates: number[] = [];
      // A view, not a copy: a worker thread transferred the buffer to this one.
      const counts = Buffer.from(b.counts.buffer, b.counts.byteOffset, b.counts.byteLength);
      const vrs = b.vrs ? Buffer.from(b.vrs.buffer, b.vrs.byteOffset, b.vrs.byteLength) : undefined;
      const keys = b.vrsKeys;
      const states = b.vrsStates;
      const inserted = (i: number): void => this.counted(b, i, states ? (states[i]! as VrsState) : VrsState.None);
      const duplicate = (i: number): void => void duplicates.push(i);
      const row = this.row;
      for (let i = 0; i < b.count; i++) {
        const key = states && keys && states[i] === VrsState.Computed ? keys[i]! : null;
        this.fillRow(row, b, i, counts.subarray(b.offsets[i]!, b.offsets[i + 1]!), key, vrs);
        this.insert.add(row, i, inserted, duplicate);
      }
      this.insert.flush(inserted, duplicate);
      return duplicates;
    });
    // IMMEDIATE: take the write lock first (waiting for another dataset's ingest); in the store
    // file, where numbering a new contig must not race another writer (see contigCode).
    return storeCall(this.dbPath, `writing rows of '${this.datasetId}'`, () => (this.inFile ? write() : write.immediate()));
  }

  /** A contig's code, numbering a new one in a write transaction of the store (it may be inside this batch's, a savepoint then). */
  private contigCode(contig: string): number {
    return this.contigCodes.find(contig) ?? this.db.transaction(() => this.contigCodes.codeFor(contig)).immediate();
  }

  /** Row i of the batch as the table's columns (INSERT_COLUMNS), into `row`. */
  private fillRow(row: unknown[], b: RowBatch, i: number, counts: Uint8Array, vrsKey: number | null, vrs: Buffer | undefined): void {
    const contig = b.contigs[i]!;
    const ref = b.refs[i]!;
    const alt = b.alts[i]!;
    const filter = b.filters[i]!;
    let f = this.filterIndex.get(filter);
    if (f === undefined) {
      f = this.filters.length;
      this.filters.push(filter);
      this.filterIndex.set(filter, f);
    }
    if (contig !== this.lastContig) {
      this.lastContigCode = this.contigCode(contig);
      this.lastContig = contig;
    }
    row[0] = this.lastContigCode;
    row[1] = b.start0[i]!;
    row[2] = ref;
    row[3] = alt;
    row[4] = b.anchors[i] ?? null;
    row[5] = b.rsids[i] ?? null;
    row[6] = b.otherIds[i] ?? null;
    row[7] = f;
    row[8] = counts;
    row[9] = vrsKey;
    // The whole digest only for an indel (vrs-column.ts): a substitution's is recomputed from the row.
    row[10] = vrsKey !== null && vrs && (ref === '' || alt === '') ? vrs.subarray(i * VRS_DIGEST_BYTES, (i + 1) * VRS_DIGEST_BYTES) : null;
  }

  /** Row i of the batch is stored: count it. */
  private counted(b: RowBatch, i: number, state: VrsState): void {
    const contig = b.contigs[i]!;
    let c = this.contigs.get(contig);
    if (!c) this.contigs.set(contig, (c = { rows: 0, maxSpan: 0 }));
    c.rows++;
    const span = Math.max(1, b.refs[i]!.length + (b.anchors[i] ? 1 : 0));
    if (span > c.maxSpan) c.maxSpan = span;
    this.rows++;
    if (state === VrsState.Computed) this.vrsIds.computed++;
    else if (state === VrsState.IndelWithoutReference) this.vrsIds.indelsWithoutReference++;
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

  /** The meta of the dataset's published version, if there is one (read under this ingest's lock). */
  publishedMeta(): VersionMeta | undefined {
    const row = this.db.prepare(`SELECT meta FROM versions WHERE dataset_id = ? AND state = 'current'`).get(this.datasetId) as { meta: string } | undefined;
    return row ? (JSON.parse(row.meta) as VersionMeta) : undefined;
  }

  /**
   * Index the loaded rows, make this version current (one small transaction) and drop the
   * previous one. `onStep` is told each step as it starts (the progress bar: the index build
   * takes minutes at 100 M rows).
   */
  commit(meta: Omit<VersionMeta, 'filters' | 'contigs' | 'variantCount'>, onStep?: (step: 'index' | 'publish' | 'drop') => void): VersionMeta {
    // fromEntries defines own properties, so a contig named '__proto__' is just a key.
    const full: VersionMeta = { ...meta, filters: this.filters, contigs: Object.fromEntries(this.contigs), variantCount: this.rows };
    onStep?.('index');
    // The index builds sort every row. SQLite's sorter keeps runs of up to the page cache's size
    // in memory: with 8 MB runs (which stay in the CPU's caches) instead of the writer's 64 MB,
    // and a helper thread sorting runs while the table is read, building the VRS-id index of
    // 10 M rows took 3.8 s instead of 8.4 (the parsers are done by then, so the cores are free).
    this.data.pragma('cache_size = -8192');
    this.data.pragma(`threads = ${Math.min(2, availableParallelism())}`);
    // Still 'loading': a crash while indexing leaves a version the next ingest drops.
    storeCall(this.dbPath, `indexing version ${this.v} of '${this.datasetId}'`, () => {
      const index = this.data.transaction(() => {
        indexVersionTable(this.data, this.v);
        stopHereInTests('index');
      });
      if (this.inFile) {
        index();
        sealVersionFile(this.data, versionFilePath(this.dbPath, this.v));
      } else index.immediate();
    });
    onStep?.('publish');
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
          stopHereInTests('publish');
        })
        .immediate(),
    );
    // Published. Dropping the old table may still fail (a full disk): the next ingest drops it.
    onStep?.('drop');
    try {
      dropVersions(this.db, this.dbPath, this.datasetId, 'retired');
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
      this.closeVersionFile();
      try {
        dropVersion(this.db, this.dbPath, this.v, this.datasetId, 'loading');
      } catch (e) {
        // Most likely a full disk: the WAL cannot be checkpointed for want of room. Use the reserve.
        if (!this.reserve.release()) throw e;
        this.db.pragma('wal_checkpoint(TRUNCATE)');
        dropVersion(this.db, this.dbPath, this.v, this.datasetId, 'loading');
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
    this.closeVersionFile();
    this.db.close();
  }

  /** Close the version's own file, if it has one still open (sealing closes it). */
  private closeVersionFile(): void {
    if (this.inFile && this.data.open) this.data.close();
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
 * Drop one version: its versions row with its table, in one transaction (a table drop moves its
 * pages to the freelist; the WAL holds the freelist pages, not the rows), or its row and then
 * its file. Only a version of `datasetId` in `state` is touched: never a published one.
 */
function dropVersion(db: Database.Database, dbPath: string, v: number, datasetId: string, state: 'loading' | 'retired'): void {
  const owned = db.prepare('SELECT in_file FROM versions WHERE v = ? AND dataset_id = ? AND state = ?');
  if (!owned.get(v, datasetId, state)) return;
  // IMMEDIATE: with other datasets' ingests writing meanwhile, a write that starts as a read could
  // not always be upgraded; taking the write lock first waits for them instead.
  const inFile = db.transaction(() => {
    const row = owned.get(v, datasetId, state) as { in_file: number } | undefined;
    if (!row) return false;
    if (row.in_file === 0) dropVersionTable(db, v);
    if (state === 'retired') stopHereInTests('drop');
    dropVersionExtras(db, v);
    db.prepare('DELETE FROM versions WHERE v = ? AND dataset_id = ? AND state = ?').run(v, datasetId, state);
    return row.in_file === 1;
  }).immediate();
  // After the row: a crash between the two leaves an orphan file, which the next writer removes.
  if (inFile) removeVersionFile(versionFilePath(dbPath, v));
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // readers may hold it
  }
}

function dropVersions(db: Database.Database, dbPath: string, datasetId: string, state: 'loading' | 'retired'): void {
  const vs = db.prepare('SELECT v FROM versions WHERE dataset_id = ? AND state = ?').all(datasetId, state) as { v: number }[];
  for (const { v } of vs) dropVersion(db, dbPath, v, datasetId, state);
}

/**
 * Under the dataset's lock: 'loading' versions of the dataset were left by ingests whose process
 * is gone (a live one would hold the lock), 'retired' ones by a publish that died before dropping
 * them. Neither is visible to readers.
 */
function dropLeftovers(db: Database.Database, dbPath: string, datasetId: string): void {
  dropVersions(db, dbPath, datasetId, 'loading');
  dropVersions(db, dbPath, datasetId, 'retired');
  removeOrphanFiles(dbPath, () => new Set(db.prepare('SELECT v FROM versions WHERE in_file = 1').pluck().all() as number[]));
}

/**
 * The crash tests' seam: with AFB_TEST_STOP_AT naming a step of the publish ('index', 'publish'
 * or 'drop'), the process stops itself (SIGSTOP) inside that step's transaction, its writes made
 * but not committed, so a test can SIGKILL it exactly there. Unset, this does nothing.
 */
function stopHereInTests(step: 'index' | 'publish' | 'drop'): void {
  if (process.env.AFB_TEST_STOP_AT === step) process.kill(process.pid, 'SIGSTOP');
}
