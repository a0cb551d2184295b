import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { AfbError } from '../domain/errors';

/** Who holds a dataset's ingest lock. */
export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  proc_start: string | null;
}

/** This process's start time as the kernel counts it (Linux), to tell it from a later process with the same pid. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true; // cannot tell from here: assume it runs
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (h.proc_start === null) return true;
  const now = processStart(h.pid);
  return now === null || now === h.proc_start;
}

/**
 * The per-dataset ingest lock: a row in `ingest_locks` naming this process. It survives a crash
 * (the row stays), and a row whose process is gone (no such pid on this host, or a pid since
 * reused by another process) is stale and taken over. Taking it is one small IMMEDIATE
 * transaction, so two ingests never both hold it.
 */
export class IngestLock {
  private constructor(
    private readonly db: Database.Database,
    readonly datasetId: string,
    private readonly me: LockHolder,
  ) {}

  /** Take the lock or throw INGEST_IN_PROGRESS naming the holder. */
  static acquire(db: Database.Database, dbPath: string, datasetId: string): IngestLock {
    const me: LockHolder = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), proc_start: processStart(process.pid) };
    db.transaction(() => {
      const h = db.prepare('SELECT pid, host, started_at, proc_start FROM ingest_locks WHERE dataset_id = ?').get(datasetId) as LockHolder | undefined;
      if (h && alive(h)) {
        throw new AfbError(
          'INGEST_IN_PROGRESS',
          `another ingest of dataset '${datasetId}' is running in ${dbPath} (pid ${h.pid} on ${h.host}, started ${h.started_at}); ` +
            `wait for it to finish, or stop it (the published version stays until an ingest completes)` +
            (h.host !== me.host ? `; if that process is gone, remove its row: sqlite3 ${dbPath} "DELETE FROM ingest_locks WHERE dataset_id = '${datasetId}'"` : ''),
        );
      }
      db.prepare('INSERT OR REPLACE INTO ingest_locks (dataset_id, pid, host, started_at, proc_start, v) VALUES (?, ?, ?, ?, ?, NULL)').run(
        datasetId,
        me.pid,
        me.host,
        me.started_at,
        me.proc_start,
      );
    }).immediate();
    return new IngestLock(db, datasetId, me);
  }

  /** True while the lock row is still this process's (checked again before publishing). */
  held(): boolean {
    const h = this.db.prepare('SELECT pid, host, started_at FROM ingest_locks WHERE dataset_id = ?').get(this.datasetId) as LockHolder | undefined;
    return !!h && h.pid === this.me.pid && h.host === this.me.host && h.started_at === this.me.started_at;
  }

  /** Record the version this ingest is loading (for people looking at the table). */
  loading(v: number): void {
    const update = this.db.prepare('UPDATE ingest_locks SET v = ? WHERE dataset_id = ? AND pid = ? AND started_at = ?');
    this.db.transaction(() => update.run(v, this.datasetId, this.me.pid, this.me.started_at)).immediate();
  }

  release(): void {
    const remove = this.db.prepare('DELETE FROM ingest_locks WHERE dataset_id = ? AND pid = ? AND host = ? AND started_at = ?');
    this.db.transaction(() => remove.run(this.datasetId, this.me.pid, this.me.host, this.me.started_at)).immediate();
  }
}
