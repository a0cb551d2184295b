/**
 * Issue 16, D1: overlapping re-ingests of one dataset. A second `afb ingest` of a dataset that is
 * still loading is refused naming the running one; the running one, when it then fails or is
 * killed, leaves the published version intact and the store consistent; version numbers are
 * never reused; other datasets ingest meanwhile.
 */
import { join } from 'node:path';
import { hostname } from 'node:os';
import { realFile, tempDir } from '../helpers/fixtures';
import { writeFileSync } from 'node:fs';
import { runAfb, startAfb } from '../helpers/cli';
import { consistencyProblems, sitesHeader, snapshot, sqlite, stalledIngest, versionTables } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const GOOD = realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz');

function ingestArgs(db: string, dataset: string, file: string): string[] {
  return ['ingest', '--db', db, '--dataset', dataset, '--assembly', 'GRCh37', file];
}

test('a second ingest of a loading dataset is refused; the first then fails; published data and consistency intact', async () => {
  const db = join(tmp.dir, 'a.db');
  expect(runAfb(ingestArgs(db, 'd', GOOD)).status).toBe(0);
  const before = snapshot(db, 'd');
  const first = await stalledIngest(tmp.dir, db, 'feed-a');
  const second = runAfb(ingestArgs(db, 'd', GOOD));
  // Another dataset of the same store ingests meanwhile.
  const other = runAfb(ingestArgs(db, 'other', GOOD));
  // The first one now meets a bad record and fails.
  first.feed.end('1\t9999999\t.\tA\tG\t.\tPASS\tAC=11;AN=10\n');
  const firstExit = await first.exit;
  expect(firstExit.code).toBe(1);
  expect(firstExit.stderr).toMatch(/INVALID_RECORD/);
  // What every server request depends on: the current version has its metadata (D1 made it 500).
  expect(consistencyProblems(db)).toEqual([]);
  expect(snapshot(db, 'd')).toEqual(before);
  expect(second.status).toBe(1);
  expect(second.stderr).toMatch(/INGEST_IN_PROGRESS: another ingest of dataset 'd' is running in .*a\.db \(pid \d+ on .+, started .+\)/);
  expect(other.stderr).toBe('');
  expect(other.status).toBe(0);
  expect(sqlite(db, `SELECT count(*) FROM versions WHERE state <> 'current'`)).toBe('0');
  // And now a re-ingest works again.
  expect(runAfb(ingestArgs(db, 'd', GOOD)).status).toBe(0);
});

test('kill -9 of a loading ingest: its lock is stale, the next ingest proceeds, drops the leftovers and never reuses its version number', async () => {
  const db = join(tmp.dir, 'b.db');
  expect(runAfb(ingestArgs(db, 'd', GOOD)).status).toBe(0);
  const before = snapshot(db, 'd');
  const first = await stalledIngest(tmp.dir, db, 'feed-b');
  const abandoned = Number(sqlite(db, `SELECT v FROM versions WHERE state = 'loading'`));
  first.child.kill('SIGKILL');
  await first.exit;
  first.feed.destroy();
  expect(consistencyProblems(db)).toEqual([]);
  expect(snapshot(db, 'd')).toEqual(before);
  const next = runAfb(ingestArgs(db, 'd', GOOD));
  expect(next.stderr).toBe('');
  expect(next.status).toBe(0);
  const published = Number(sqlite(db, `SELECT current FROM datasets WHERE id = 'd'`));
  expect(published).toBeGreaterThan(abandoned);
  expect(sqlite(db, `SELECT count(*) FROM versions`)).toBe('1');
  expect(versionTables(db)).toEqual([`variants_${published}`]);
  expect(snapshot(db, 'd').rows).toEqual(before.rows);
});

test('a lock row left by a process that no longer exists does not block the next ingest', () => {
  const db = join(tmp.dir, 'c.db');
  expect(runAfb(ingestArgs(db, 'd', GOOD)).status).toBe(0);
  const tables = sqlite(db, `SELECT name FROM sqlite_master WHERE type = 'table'`);
  expect(tables).toMatch(/ingest_locks/);
  // pid 2^22+1 is above Linux's pid_max default: no such process.
  sqlite(db, `INSERT INTO ingest_locks (dataset_id, pid, host, started_at, proc_start) VALUES ('d', 4194305, '${hostname()}', '2020-01-01T00:00:00Z', NULL)`);
  const r = runAfb(ingestArgs(db, 'd', GOOD));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(sqlite(db, `SELECT count(*) FROM ingest_locks`)).toBe('0');
});


test('three datasets ingest side by side, each naming new contigs: all published, contig codes distinct', async () => {
  const db = join(tmp.dir, 'side.db');
  const names = ['a', 'b', 'c'];
  const files = names.map((k) => {
    const lines = sitesHeader();
    for (const c of ['ctgX', 'ctgY', `ctg_${k}`]) for (let i = 1; i <= 20_000; i++) lines.push(`${c}\t${i * 10}\t.\tA\tG\t.\tPASS\tAC=1;AN=10`);
    const path = join(tmp.dir, `side-${k}.vcf`);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  });
  const runs = names.map((k, i) => {
    const child = startAfb(ingestArgs(db, k, files[i]!));
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise<{ code: number | null; stderr: string }>((r) => child.once('exit', (code) => r({ code, stderr })));
  });
  expect(await Promise.all(runs)).toEqual(names.map(() => ({ code: 0, stderr: '' })));
  expect(sqlite(db, `SELECT group_concat(id || ':' || state, ' ') FROM (SELECT dataset_id AS id, state FROM versions ORDER BY dataset_id)`)).toBe('a:current b:current c:current');
  expect(sqlite(db, `SELECT count(*), count(DISTINCT name) FROM contig_names`)).toBe('5|5');
  for (const k of names) expect(snapshot(db, k).rows).toHaveLength(60_000);
});
