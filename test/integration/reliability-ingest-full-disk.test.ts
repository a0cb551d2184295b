/**
 * Issue 16, D16: a full disk. The ingest fails with STORE_FULL naming the store and what to do
 * (not a raw stack trace), the published data is unchanged, and the next ingest works without
 * freeing space elsewhere (the abandoned rows are dropped in small transactions that need no
 * extra space, and their pages are reused).
 *
 * Simulated deterministically with SQLite's page cap (storeMaxPages = PRAGMA max_page_count),
 * and for real on a small tmpfs when this process may mount one (root; skipped otherwise).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';
import { consistencyProblems, snapshot, sqlite, stalledIngest } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const GOOD = realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz');

/** A sites VCF of `n` records (about 35 bytes each). */
function bigVcf(name: string, n: number): string {
  const path = join(tmp.dir, name);
  const lines = [
    '##fileformat=VCFv4.2',
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
  ];
  for (let i = 1; i <= n; i++) lines.push(`1\t${i * 10}\trs${i}\tA\tG\t.\tPASS\tAC=${i % 7};AN=${10 + (i % 1000)}`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('page cap reached: STORE_FULL naming the store, published data unchanged, the next ingest under the same cap works', async () => {
  const db = join(tmp.dir, 'cap.db');
  await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', inputs: [GOOD] });
  const before = snapshot(db, 'd');
  const cap = Number(sqlite(db, 'PRAGMA page_count')) + 200; // ~800 kB more: far too little for 200k rows
  const big = bigVcf('big.vcf', 200_000);
  for (const runner of ['inline', 'worker'] as const) {
    const e = await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', runner, storeMaxPages: cap, inputs: [big] }).catch((x: unknown) => x);
    expect((e as { code?: string }).code).toBe('STORE_FULL');
    expect((e as Error).message).toContain(db);
    expect((e as Error).message).toMatch(/the disk is full \(or the store reached its size limit\).*Free space on the disk/);
    expect((e as Error).cause).toBeDefined();
    expect(snapshot(db, 'd')).toEqual(before);
    expect(consistencyProblems(db)).toEqual([]);
  }
  // Nothing freed anywhere, same cap: a re-ingest of the good file works.
  const report = await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', storeMaxPages: cap, inputs: [GOOD] });
  expect(report.rows).toBe(before.rows.length);
  expect(snapshot(db, 'd').rows).toEqual(before.rows);
  expect(sqlite(db, 'SELECT count(*) FROM versions')).toBe('1');
});

function tryMount(dir: string, size: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a real full disk (tmpfs)', () => {
  const mnt = join(tmp.dir, 'small-disk');
  const mounted = tryMount(mnt, '24m');
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });
  if (!mounted) {
    test.skip('skipped: cannot mount a tmpfs here (needs root); the page-cap test above covers the same paths', () => undefined);
    return;
  }

  test('the CLI reports STORE_FULL (exit 1, no stack trace); the data stays; the next ingest works without freeing space', () => {
    const db = join(mnt, 'node.db');
    expect(runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', GOOD]).status).toBe(0);
    const before = snapshot(db, 'd');
    const big = bigVcf('big-disk.vcf', 1_000_000);
    const r = runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', big]);
    expect(r.stderr).toMatch(/^afb ingest: error STORE_FULL: .*node\.db: the disk is full/);
    expect(r.stderr).not.toMatch(/unexpected error|    at /);
    expect(r.status).toBe(1);
    expect(snapshot(db, 'd')).toEqual(before);
    expect(consistencyProblems(db)).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const again = runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', GOOD]);
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
    }
    expect(snapshot(db, 'd').rows).toEqual(before.rows);
    expect(sqlite(db, 'SELECT count(*) FROM versions')).toBe('1');
  });

  test('kill -9 of a loading ingest on a disk that is then full: the next ingest still cleans up and publishes', async () => {
    for (const f of readdirSync(mnt)) rmSync(join(mnt, f)); // the disk to itself
    const db = join(mnt, 'crash.db');
    expect(runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', GOOD]).status).toBe(0);
    const before = snapshot(db, 'd');
    const stalled = await stalledIngest(tmp.dir, db, 'feed-full');
    fillDisk(join(mnt, 'filler'));
    stalled.child.kill('SIGKILL');
    await stalled.exit;
    stalled.feed.destroy();
    expect(snapshot(db, 'd')).toEqual(before);
    // The disk is still full (the filler stays): the abandoned version and the stale lock are
    // cleaned up with the reserve's room, and the new version fits in the pages they freed.
    const again = runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', GOOD]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(snapshot(db, 'd').rows).toEqual(before.rows);
    expect(sqlite(db, 'SELECT count(*) FROM versions')).toBe('1');
    expect(sqlite(db, 'SELECT count(*) FROM ingest_locks')).toBe('0');
  });
});

/** Write zeros to `path` until the disk has no room left. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 4096, 512]) {
      const block = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(fd, block);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
