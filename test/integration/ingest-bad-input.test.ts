/**
 * Acceptance 5 of the ingest issue: bad input either works or stops with exit code != 0 and a
 * message naming file, line and field; --skip-invalid counts the bad records by reason; a failed
 * or killed re-ingest leaves the previous version answering every lookup unchanged.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { openStoreLookup } from '../../src/store';
import { pos1ToStart0 } from '../../src/domain/coordinates';
import type { VariantRecord } from '../../src/domain/lookup';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { compareWithTruth } from '../helpers/store-check';
import { runAfb, startAfb } from '../helpers/cli';
import { sitesHeader } from './reliability-ingest-helpers';
import { loadingRows, versionFiles } from '../helpers/raw-store';
import { versionFilePath } from '../../src/store/version-file';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const HEADER = sitesHeader(
  '##INFO=<ID=AC_afr,Number=A,Type=Integer,Description="Alternate allele count for samples in group afr">',
  '##INFO=<ID=AN_afr,Number=1,Type=Integer,Description="Total number of alleles in samples in group afr">',
);
const GOOD = ['1\t100\trs1\tA\tG\t.\tPASS\tAC=3;AN=10;AC_afr=1;AN_afr=4', '1\t200\t.\tC\tT,CA\t.\tPASS\tAC=1,2;AN=10;AC_afr=0,1;AN_afr=4'];

function vcf(name: string, body: string[], header = HEADER): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, [...header, ...body].join('\n') + '\n');
  return path;
}

function ingest(db: string, file: string, extra: string[] = []): ReturnType<typeof runAfb> {
  return runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', ...extra, file]);
}

const BAD_RECORDS: { name: string; line: string; reason: string; message: RegExp }[] = [
  { name: 'wrong column count', line: '1\t300\t.\tA\tG\t.\tPASS', reason: 'wrong_column_count', message: /:9: columns: 7 tab-separated column\(s\), the header declares 8/ },
  { name: 'non-numeric AC', line: '1\t300\t.\tA\tG\t.\tPASS\tAC=x;AN=10', reason: 'not_an_integer', message: /:9: AC: INFO AC=x is not an integer/ },
  { name: 'negative AC', line: '1\t300\t.\tA\tG\t.\tPASS\tAC=-1;AN=10', reason: 'negative_count', message: /:9: AC: INFO AC=-1 is negative/ },
  { name: 'AC > AN', line: '1\t300\t.\tA\tG\t.\tPASS\tAC=11;AN=10', reason: 'ac_gt_an', message: /:9: INFO \(overall\): group overall: AC 11 > AN 10/ },
  { name: 'Number=A length', line: '1\t300\t.\tA\tG,T\t.\tPASS\tAC=1;AN=10', reason: 'number_mismatch', message: /:9: AC: INFO AC has 1 value\(s\) but Number=A needs 2/ },
  { name: 'non-numeric POS', line: '1\tabc\t.\tA\tG\t.\tPASS\tAC=1;AN=10', reason: 'invalid_pos', message: /:9: POS: POS 'abc' is not a positive integer/ },
  { name: 'group AC above the total', line: '1\t300\t.\tA\tG\t.\tPASS\tAC=1;AN=10;AC_afr=2;AN_afr=4', reason: 'group_sum_exceeds_total', message: /:9: INFO \(AC\): AC of groups afr sums to 2, more than the overall 1/ },
  { name: 'duplicate record', line: '1\t100\trs1\tA\tG\t.\tPASS\tAC=3;AN=10', reason: 'duplicate_record', message: /:9: CHROM\/POS\/REF\/ALT: ALT G is the same variant as an earlier record/ },
];

describe('bad records', () => {
  test.each(BAD_RECORDS)('$name: exit != 0 naming file, line and field; --skip-invalid counts it', ({ name, line, reason, message }) => {
    const file = vcf(`${name.replace(/\W+/g, '_')}.vcf`, [...GOOD, line]);
    const db = join(tmp.dir, `${name.replace(/\W+/g, '_')}.db`);
    const failed = ingest(db, file);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain(file);
    expect(failed.stderr).toMatch(message);
    const skipped = ingest(db, file, ['--skip-invalid']);
    expect(skipped.status).toBe(0);
    const report = JSON.parse(skipped.stdout);
    expect(report.skipped).toEqual({ [reason]: 1 });
    expect(report.rows).toBe(3);
  });
});

describe('bad files', () => {
  test('empty file', () => {
    const file = join(tmp.dir, 'empty.vcf');
    writeFileSync(file, '');
    const r = ingest(join(tmp.dir, 'empty.db'), file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/empty\.vcf: the file is empty/);
  });

  test('missing #CHROM line', () => {
    const file = vcf('nochrom.vcf', GOOD, HEADER.slice(0, -1));
    const r = ingest(join(tmp.dir, 'nochrom.db'), file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/nochrom\.vcf:6: missing #CHROM header line/);
  });

  test.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['BGZF', () => readFileSync(realFile('pyvcf-1kg/1kg.bgz.vcf.gz'))],
  ])('truncated %s', (kind, make) => {
    const whole = (make as (b: Buffer) => Buffer)(Buffer.from([...HEADER, ...GOOD].join('\n').repeat(1) + '\n'));
    const file = join(tmp.dir, `truncated-${kind}.vcf.gz`);
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = ingest(join(tmp.dir, `truncated-${kind}.db`), file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/truncated-.*\.vcf\.gz: the compressed data is damaged or truncated/);
  });

  test('unknown sample in --samples names the samples file and line', () => {
    const samples = join(tmp.dir, 'samples.txt');
    writeFileSync(samples, 'HG00096\nNOBODY\n');
    const r = runAfb(['ingest', '--db', join(tmp.dir, 's.db'), '--dataset', 'd', '--assembly', 'GRCh37', '--samples', samples, realFile('variantannotation/chr22.vcf.gz')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/samples\.txt:2: sample 'NOBODY' is not in the VCF/);
  });

  test('CRLF line endings work: counts equal the truth', async () => {
    const text = gunzipSync(readFileSync(realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz'))).toString('utf8');
    const file = join(tmp.dir, 'crlf.vcf');
    writeFileSync(file, text.replace(/\n/g, '\r\n'));
    const db = join(tmp.dir, 'crlf.db');
    const r = ingest(db, file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
    expect(await compareStore(db, truth)).toEqual([]);
  });
});

async function lookupTruth(db: string, truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv')): Promise<(VariantRecord | undefined)[]> {
  const store = openStoreLookup(db);
  try {
    return await store.lookup.findAlleles(
      { assembly: 'GRCh37' },
      truth.rows.map((r) => ({ contig: r.CHROM!, start0: pos1ToStart0(Number(r.POS)), ref: r.REF!, alt: r.ALT! })),
    ).then((r) => r.records);
  } finally {
    store.close();
  }
}

async function compareStore(db: string, truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv')): Promise<string[]> {
  return compareWithTruth(truth, await lookupTruth(db, truth), 'd');
}

describe('the previous version survives', () => {
  const db = join(tmp.dir, 'keep.db');
  const good = realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz');

  beforeAll(() => {
    expect(ingest(db, good).status).toBe(0);
  });

  test('a failed re-ingest leaves every lookup unchanged', async () => {
    const before = await lookupTruth(db);
    const bad = vcf('bad-reingest.vcf', [...GOOD, '1\t300\t.\tA\tG\t.\tPASS\tAC=11;AN=10']);
    expect(ingest(db, bad).status).not.toBe(0);
    expect(await lookupTruth(db)).toEqual(before);
    expect(await compareStore(db)).toEqual([]);
  });

  test('kill -9 in the middle of a re-ingest leaves every lookup unchanged', async () => {
    const before = await lookupTruth(db);
    // A FIFO keeps the ingest mid-file for as long as the test wants: feed 120k records (more
    // than two 50k-row commits), wait until the new version has rows on disk, then kill -9.
    const fifo = join(tmp.dir, 'feed.vcf');
    execFileSync('mkfifo', [fifo]);
    const child = startAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', fifo]);
    const fd = openSync(fifo, 'w');
    writeSync(fd, HEADER.join('\n') + '\n');
    const lines: string[] = [];
    for (let i = 1; i <= 120_000; i++) lines.push(`1\t${i * 10}\t.\tA\tG\t.\tPASS\tAC=1;AN=10;AC_afr=1;AN_afr=4`);
    writeSync(fd, lines.join('\n') + '\n');
    const deadline = Date.now() + 30_000;
    while (loadingRows(db) < 100_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(loadingRows(db)).toBeGreaterThanOrEqual(100_000);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    closeSync(fd);
    expect(await lookupTruth(db)).toEqual(before);
    expect(await compareStore(db)).toEqual([]);
    // The next ingest of the dataset drops the abandoned rows.
    expect(ingest(db, good).status).toBe(0);
    const check = new Database(db, { readonly: true });
    const v = check.prepare(`SELECT v FROM versions`).pluck().all() as number[];
    check.close();
    expect(v).toHaveLength(1);
    // ... and its file: only the published version's is left.
    expect(versionFiles(db)).toEqual([basename(versionFilePath(db, v[0]!))]);
  });
});
