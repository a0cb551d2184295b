/**
 * Issue 16, D3: a very long VCF line (or a small gzip bomb that expands into one) used to hang
 * the ingest (quadratic line assembly) and the stuck ingest ignored SIGTERM. Lines are now
 * bounded (64 MiB by default, --max-line-bytes), assembled in linear time, and SIGINT/SIGTERM
 * stop an ingest at any point with INTERRUPTED (exit code 1), the published data unchanged.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';
import { ingestVcf } from '../../src/ingest';
import { consistencyProblems, sitesHeader, snapshot, sqlite, stalledIngest } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const HEADER = sitesHeader('##INFO=<ID=XX,Number=1,Type=String,Description="Anything">');
const GOOD = realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz');

function ingestArgs(db: string, file: string, extra: string[] = []): string[] {
  return ['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', ...extra, file];
}

/** A gzip file whose line 6 expands to `mib` MiB of 'A' (a few hundred kB on disk). */
async function gzipBomb(name: string, mib: number): Promise<string> {
  const path = join(tmp.dir, name);
  const block = Buffer.alloc(1 << 20, 'A');
  async function* body(): AsyncGenerator<Buffer> {
    yield Buffer.from(HEADER.join('\n') + '\n1\t100\t.\tA\tG\t.\tPASS\tAC=1;AN=10;XX=');
    for (let i = 0; i < mib; i++) yield block;
    yield Buffer.from('\n1\t200\t.\tA\tG\t.\tPASS\tAC=1;AN=10\n');
  }
  await pipeline(Readable.from(body()), createGzip({ level: 9 }), createWriteStream(path));
  return path;
}

test('a 300 MiB line in a small gzip file stops the CLI ingest naming file and line; the published data is unchanged', async () => {
  const db = join(tmp.dir, 'bomb.db');
  expect(runAfb(ingestArgs(db, GOOD)).status).toBe(0);
  const before = snapshot(db, 'd');
  const bomb = await gzipBomb('bomb.vcf.gz', 300);
  const r = runAfb(ingestArgs(db, bomb));
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/bomb\.vcf\.gz:6: the line is longer than 67108864 bytes/);
  expect(snapshot(db, 'd')).toEqual(before);
  expect(consistencyProblems(db)).toEqual([]);
});

test('--max-line-bytes lowers the limit; a long line under it ingests (linear assembly)', async () => {
  const file = await gzipBomb('long.vcf.gz', 40);
  const low = runAfb(ingestArgs(join(tmp.dir, 'low.db'), file, ['--max-line-bytes', '1000000']));
  expect(low.status).toBe(1);
  expect(low.stderr).toMatch(/long\.vcf\.gz:6: the line is longer than 1000000 bytes/);
  for (const runner of ['inline', 'worker'] as const) {
    const report = await ingestVcf({ db: join(tmp.dir, `long-${runner}.db`), dataset: 'd', assembly: 'GRCh37', runner, inputs: [file] });
    expect(report.records).toBe(2);
    expect(report.rows).toBe(2);
  }
});

test.each(['SIGTERM', 'SIGINT'] as const)('%s in the middle of a line stops the ingest: INTERRUPTED, exit code 1, published data unchanged', async (sig) => {
  const db = join(tmp.dir, `${sig}.db`);
  expect(runAfb(ingestArgs(db, GOOD)).status).toBe(0);
  const before = snapshot(db, 'd');
  // The parser is inside a 20 MB line whose end never comes.
  const s = await stalledIngest(tmp.dir, db, `feed-${sig}`, `1\t9999990\t.\tA\tG\t.\tPASS\tAC=1;AN=10;XX=${'A'.repeat(20 << 20)}`);
  s.child.kill(sig);
  const { code, stderr } = await s.exit;
  s.feed.destroy();
  expect(stderr).toMatch(/error INTERRUPTED: ingest interrupted; the previous version of the dataset is unchanged/);
  expect(code).toBe(1);
  expect(snapshot(db, 'd')).toEqual(before);
  expect(consistencyProblems(db)).toEqual([]);
  expect(sqlite(db, `SELECT count(*) FROM versions WHERE state <> 'current'`)).toBe('0');
  expect(sqlite(db, `SELECT count(*) FROM ingest_locks`)).toBe('0');
});

