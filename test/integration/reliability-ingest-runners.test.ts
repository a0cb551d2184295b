/**
 * Issue 8: one parse path. The worker-thread runner (what the CLI uses) and the inline runner
 * give identical stores and reports on a real file, and errors cross the thread with their code,
 * message and stack.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ingestVcf } from '../../src/ingest';
import { isAfbError } from '../../src/domain/errors';
import { realFile, tempDir } from '../helpers/fixtures';
import { sitesHeader, snapshot } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const CASES = [
  { name: 'genotypes with a panel', opts: { panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] } },
  { name: 'gnomAD r2 sites', opts: { inputs: [realFile('vcfanno-exac-gnomad/gno.vcf.gz')] } },
  { name: 'left-aligned with a reference', opts: { reference: realFile('reference/chr17.hg19.part.upper.fa'), inputs: [realFile('reference/leftalign.input.vcf')] } },
];

test.each(CASES)('$name: worker and inline runners store the same rows and report the same', async ({ opts }) => {
  const results = [];
  for (const runner of ['worker', 'inline'] as const) {
    const db = join(tmp.dir, `${runner}-${Math.random().toString(36).slice(2)}.db`);
    const report = await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', runner, ...opts });
    results.push({ report: { ...report, seconds: 0, rowsPerSecond: 0 }, store: snapshot(db, 'd') });
  }
  expect(results[0]!.store.rows.length).toBeGreaterThan(0);
  expect(results[0]).toEqual(results[1]);
});

test('a bad record fails the same way in both runners: same code and message, a stack, no relabelling', async () => {
  const file = join(tmp.dir, 'bad.vcf');
  writeFileSync(file, [...sitesHeader(), '1\t100\t.\tA\tG\t.\tPASS\tAC=11;AN=10'].join('\n') + '\n');
  const errors: unknown[] = [];
  for (const runner of ['worker', 'inline'] as const) {
    errors.push(await ingestVcf({ db: join(tmp.dir, `bad-${runner}.db`), dataset: 'd', assembly: 'GRCh37', runner, inputs: [file] }).catch((e: unknown) => e));
  }
  for (const e of errors) {
    expect(isAfbError(e)).toBe(true);
    expect((e as { code: string }).code).toBe('INVALID_RECORD');
    expect((e as Error).message).toMatch(/bad\.vcf:5: INFO \(overall\): group overall: AC 11 > AN 10/);
    expect((e as Error).stack).toMatch(/file-parser/);
  }
  expect((errors[0] as Error).message).toBe((errors[1] as Error).message);
});

test('a missing input keeps its code through the worker (not STORE_ERROR)', async () => {
  const e = await ingestVcf({ db: join(tmp.dir, 'missing.db'), dataset: 'd', assembly: 'GRCh37', runner: 'worker', inputs: [join(tmp.dir, 'nope.vcf')] }).catch((x: unknown) => x);
  expect((e as { code: string }).code).toBe('INVALID_INPUT_FILE');
  expect((e as Error).message).toMatch(/nope\.vcf: no such file/);
  expect((e as Error).cause).toBeDefined();
});

describe('several parser threads on one file (blocks of lines shared out, put back in order)', () => {
  // 5 blocks and a bit (SHARE_BLOCK_LINES = 8192): every thread owns several blocks, the last one partial.
  const LINES = 8192 * 5 + 123;
  const line = (i: number): string =>
    i % 997 === 0
      ? `1\t${i * 10}\t.\tA\tG\t.\tPASS\tAC=11;AN=10` // bad: AC > AN
      : i % 7 === 0
        ? `${i < LINES / 2 ? 1 : 2}\t${i * 10}\trs${i}\tA\tG,TT\t.\tPASS\tAC=1,2;AN=10`
        : `${i < LINES / 2 ? 1 : 2}\t${i * 10}\t.\tC\tT\t.\t${i % 3 ? 'PASS' : 'q10'}\tAC=${i % 5};AN=10`;
  const file = join(tmp.dir, 'blocks.vcf');
  writeFileSync(file, [...sitesHeader(), ...Array.from({ length: LINES }, (_, i) => line(i + 1)), ''].join('\n'));

  test('3 threads and the inline runner store the same rows and report the same (skipped records counted once)', async () => {
    const results = [];
    for (const [runner, parseThreads] of [['worker', 3], ['inline', 1]] as const) {
      const db = join(tmp.dir, `blocks-${runner}.db`);
      const report = await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', runner, parseThreads, skipInvalid: true, inputs: [file] });
      results.push({ report: { ...report, seconds: 0, rowsPerSecond: 0 }, store: snapshot(db, 'd') });
    }
    expect(results[0]!.report.records).toBe(LINES);
    expect(results[0]!.report.skipped).toEqual({ ac_gt_an: Math.floor(LINES / 997) });
    expect(results[0]).toEqual(results[1]);
  });

  test('the first bad record in file order is the one reported, whichever thread reads it', async () => {
    // Bad records only in block 3 (thread 0 of 3, thread 1 of 2) and late in block 1 (thread 1 of 3 and of 2).
    const good = (i: number): string => `1\t${i * 10}\t.\tC\tT\t.\tPASS\tAC=1;AN=10`;
    const bad = new Set([8192 * 3 + 1, 8192 * 2 - 5]);
    const badFile = join(tmp.dir, 'blocks-bad.vcf');
    writeFileSync(badFile, [...sitesHeader(), ...Array.from({ length: LINES }, (_, i) => (bad.has(i + 1) ? line(997) : good(i + 1))), ''].join('\n'));
    const errors: string[] = [];
    for (const [runner, parseThreads] of [['worker', 3], ['worker', 2], ['inline', 1]] as const) {
      const e = await ingestVcf({ db: join(tmp.dir, `blocks-bad-${runner}-${parseThreads}.db`), dataset: 'd', assembly: 'GRCh37', runner, parseThreads, inputs: [badFile] }).catch((x: unknown) => x);
      errors.push((e as Error).message);
    }
    expect(errors[0]).toMatch(new RegExp(`blocks-bad\\.vcf:${8192 * 2 - 5 + 4}: `)); // after the 4 header lines
    expect(errors[1]).toBe(errors[0]);
    expect(errors[2]).toBe(errors[0]);
  });

  // The file is read once and fed to the threads: what goes wrong in the reading is reported in
  // file order too, after the blocks before it, and the same way as one thread reports it.
  test('a file damaged in its 4th block: the bad record in block 1 first; without it, the damage; as inline', async () => {
    const good = (i: number): string => `1\t${i * 10}\t.\tC\tT\t.\tPASS\tAC=1;AN=10`;
    const damaged = (name: string, badLine?: number): string => {
      const text = [...sitesHeader(), ...Array.from({ length: LINES }, (_, i) => (i + 1 === badLine ? line(997) : good(i + 1))), ''].join('\n');
      const gz = gzipSync(Buffer.from(text));
      const f = join(tmp.dir, name);
      writeFileSync(f, gz.subarray(0, Math.floor(gz.length * 0.7)));
      return f;
    };
    for (const [file, want] of [
      [damaged('blocks-bad-damaged.vcf.gz', 8192 + 17), new RegExp(`blocks-bad-damaged\\.vcf\\.gz:${8192 + 17 + 4}: `)],
      [damaged('blocks-damaged.vcf.gz'), /blocks-damaged\.vcf\.gz: the compressed data is damaged or truncated/],
    ] as const) {
      const errors: unknown[] = [];
      for (const [runner, parseThreads] of [['worker', 3], ['worker', 2], ['inline', 1]] as const) {
        const db = join(tmp.dir, `damaged-${Math.random().toString(36).slice(2)}.db`);
        errors.push(await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', runner, parseThreads, inputs: [file] }).catch((x: unknown) => x));
      }
      for (const e of errors) {
        expect(isAfbError(e)).toBe(true);
        expect((e as Error).message).toMatch(want);
        expect((e as Error).message).toBe((errors[2] as Error).message);
      }
    }
  });
});
