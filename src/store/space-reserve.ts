import { statSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * A few megabytes of disk held beside the store (`<db>.afb-reserve`) and given back when SQLite
 * reports a full disk. On a full disk, SQLite cannot even drop the rows a failed ingest wrote:
 * its WAL must first be checkpointed into the database file, which must grow to take it. Freeing
 * the reserve gives it that room, so a failed ingest (or the next one, after a crash) cleans up
 * without the operator freeing space elsewhere. Best effort: no reserve is made when the disk
 * has no room for it.
 */
export class SpaceReserve {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}

  /** Create the reserve if it is not there (ignoring a full disk). */
  ensure(): void {
    try {
      if (statSync(this.path).size >= this.bytes) return;
    } catch {
      // absent
    }
    try {
      writeFileSync(this.path, Buffer.alloc(this.bytes), { flag: 'w' });
    } catch {
      this.release();
    }
  }

  /** Give the space back; true when there was a reserve to free. */
  release(): boolean {
    try {
      unlinkSync(this.path);
      return true;
    } catch {
      return false;
    }
  }
}
