/**
 * Issue 12, acceptance 1: a re-ingest writes the new version into a file of its own beside the
 * store and, once it is published, removes the old version's file (src/store/version-file.ts).
 * The disk holds at most old + new during the swap and one version after it, whatever the number
 * of re-ingests; a reader that still has the old version open keeps reading it, and lets go of
 * the removed file (its space) at its next read. (Measured at 2 M, 10 M and 100 M rows by
 * scripts/bench/scale.)
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openNodeLookup, openStoreLookup } from '../../src/store';
import { RELEASE_EVERY_MS } from '../../src/store/sqlite-lookup';
import type { VariantRecord } from '../../src/domain/lookup';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';
import { versionFiles, versionTables } from '../helpers/raw-store';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const GNO = realFile('vcfanno-exac-gnomad/gno.vcf.gz');

function ingest(db: string): void {
  const r = runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', GNO]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

/** Bytes of the store's files (the store and the version files; not the WAL companions, which are checkpointed as the server's readers allow). */
function storeBytes(db: string): number {
  return readdirSync(dirname(db))
    .filter((n) => n.startsWith(basename(db)) && !/(-wal|-shm|\.afb-reserve)$/.test(n))
    .reduce((sum, n) => sum + statSync(join(dirname(db), n)).size, 0);
}

/** Version files this process holds open that were removed from the disk (their space not yet given back). */
function removedButOpen(): string[] {
  const targets = readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.endsWith('.afb (deleted)') && target.includes(tmp.dir));
  return [...new Set(targets)];
}

test('each re-ingest replaces the version file: one version on disk after each, the same bytes every time', () => {
  const db = join(tmp.dir, 'space.db');
  ingest(db);
  const first = { files: versionFiles(db), bytes: storeBytes(db) };
  expect(first.files).toHaveLength(1);
  const seen = new Set(first.files);
  for (let i = 0; i < 3; i++) {
    ingest(db);
    const files = versionFiles(db);
    expect(files).toHaveLength(1);
    expect(seen.has(files[0]!)).toBe(false); // a new file each time: the old one was removed, not reused
    seen.add(files[0]!);
    expect(versionTables(db)).toHaveLength(1);
    // the store file itself only keeps the catalogue: within a few pages of the first time
    expect(Math.abs(storeBytes(db) - first.bytes)).toBeLessThan(64 * 1024);
  }
});

test('a reader holding the old version keeps its answers through the swap, and lets go of the removed file at its next read', async () => {
  const db = join(tmp.dir, 'readers.db');
  ingest(db);
  const { lookup, close } = openStoreLookup(db);
  const scope = { assembly: 'GRCh37' as const };
  try {
    const [firstRecord] = (await lookup.scan(scope, { kind: 'all' }, { skip: 0, limit: 1 })).records as VariantRecord[];
    const q = { contig: firstRecord!.contig, ...firstRecord!.trimmed };
    const before = (await lookup.findAlleles(scope, [q])).records[0]!;
    const snap = await lookup.snapshot();
    ingest(db);
    const old = removedButOpen();
    expect(old).toHaveLength(1); // the old version's file: gone from the folder, still open here

    // The snapshot still reads the old version, whole; the lookup moves to the new one at its next read.
    const fromSnapshot = (await snap.findAlleles(scope, [q])).records[0]!;
    expect(fromSnapshot).toEqual(before);
    const after = (await lookup.findAlleles(scope, [q])).records[0]!;
    expect(after.frequencies[0]!.version).not.toBe(before.frequencies[0]!.version);
    expect(after.frequencies.map((f) => f.populations)).toEqual(before.frequencies.map((f) => f.populations));
    expect(removedButOpen()).toEqual(old); // the snapshot's
    snap.release();
    expect(removedButOpen()).toEqual([]);
  } finally {
    close();
  }
});

test('an idle server lets go of a replaced version\'s file (its disk space) without waiting for a request', async () => {
  const db = join(tmp.dir, 'idle.db');
  ingest(db);
  const { lookup, close } = openNodeLookup(db);
  try {
    await lookup.describe(); // the version's file is attached now
    ingest(db);
    expect(removedButOpen()).toHaveLength(1);
    // No request from here on: the lookup's own check lets go of it.
    const deadline = Date.now() + 4 * RELEASE_EVERY_MS;
    while (removedButOpen().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(removedButOpen()).toEqual([]);
  } finally {
    close();
  }
});
