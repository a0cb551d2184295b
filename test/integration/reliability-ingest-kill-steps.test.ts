/**
 * Issue 12, acceptance 4: an ingest SIGKILLed inside the index build or inside the swap (the
 * transaction that makes the new version current) leaves the published version answering every
 * lookup unchanged, and the next ingest succeeds and drops what the dead one left. Killed inside
 * the drop of the old version (after the swap committed), the new version answers and the old
 * table is dropped by the next ingest. The CLI stops itself (SIGSTOP) inside the named step's
 * transaction when AFB_TEST_STOP_AT names it (writer.ts), so the kill lands exactly there.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStoreLookup } from '../../src/store';
import { pos1ToStart0 } from '../../src/domain/coordinates';
import type { VariantRecord } from '../../src/domain/lookup';
import { readTruth, realFile, tempDir, type TruthTable } from '../helpers/fixtures';
import { compareWithTruth } from '../helpers/store-check';
import { AFB, runAfb } from '../helpers/cli';
import { consistencyProblems, snapshot, until, versionTables } from './reliability-ingest-helpers';
import { versionFiles } from '../helpers/raw-store';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const OLD = { file: realFile('vcfanno-exac-gnomad/gno.vcf.gz'), truth: readTruth('vcfanno-exac-gnomad/gno.split.tsv') };
const NEW = { file: realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz'), truth: readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv') };

const ingestArgs = (db: string, file: string): string[] => ['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', file];

async function answers(db: string, truth: TruthTable): Promise<{ records: (VariantRecord | undefined)[]; rsid: VariantRecord[] }> {
  const store = openStoreLookup(db);
  try {
    const scope = { assembly: 'GRCh37' as const };
    const queries = truth.rows.map((r) => ({ contig: r.CHROM!, start0: pos1ToStart0(Number(r.POS)), ref: r.REF!, alt: r.ALT! }));
    const { records } = await store.lookup.findAlleles(scope, queries);
    const { records: rsid } = await store.lookup.findRsid(scope, 62635282);
    return { records, rsid };
  } finally {
    store.close();
  }
}

/** `afb ingest` stopped (SIGSTOP, by itself) inside `step`; resolves once the process is stopped. */
async function stoppedIngest(db: string, file: string, step: string): Promise<{ pid: number; exit: Promise<NodeJS.Signals | null> }> {
  const child = spawn(process.execPath, [AFB, ...ingestArgs(db, file)], { stdio: 'ignore', env: { ...process.env, AFB_TEST_STOP_AT: step } });
  const exit = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  const pid = child.pid!;
  const state = (): string => {
    try {
      // /proc/<pid>/stat: "pid (comm) state ..."; T = stopped
      return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;
    } catch {
      return 'gone';
    }
  };
  await until(() => state() === 'T' || state() === 'gone', `ingest stopped in step ${step}`);
  if (state() === 'gone') throw new Error(`the ingest exited before reaching step ${step}`);
  return { pid, exit };
}

describe('an ingest killed while it publishes', () => {
  const db = join(tmp.dir, 'kill.db');
  let before: Awaited<ReturnType<typeof answers>>;
  let rows: ReturnType<typeof snapshot>;

  beforeAll(async () => {
    const first = runAfb(ingestArgs(db, OLD.file));
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    before = await answers(db, OLD.truth);
    rows = snapshot(db, 'd');
  });

  test('the published version answers the truth before anything is killed', () => {
    expect(compareWithTruth(OLD.truth, before.records, 'd')).toEqual([]);
    expect(before.rsid.map((r) => r.display)).toEqual([{ start0: 12197, ref: 'G', alt: 'C' }]);
  });

  test.each(['index', 'publish'])('SIGKILL inside the %s step: the published version answers unchanged, during and after', async (step) => {
    const run = await stoppedIngest(db, NEW.file, step);
    // Stopped with its step's writes made but not committed: readers see the old version whole.
    expect(await answers(db, OLD.truth)).toEqual(before);
    process.kill(run.pid, 'SIGKILL');
    expect(await run.exit).toBe('SIGKILL');
    expect(consistencyProblems(db)).toEqual([]);
    expect(snapshot(db, 'd')).toEqual(rows);
    expect(await answers(db, OLD.truth)).toEqual(before);
    // The killed version's file is left beside the published one's (the next ingest removes it: the drop test below ends with one).
    expect(versionFiles(db)).toHaveLength(2);
  });

  test('SIGKILL inside the drop of the old version: the new version answers; the next ingest drops the old table', async () => {
    const run = await stoppedIngest(db, NEW.file, 'drop');
    process.kill(run.pid, 'SIGKILL');
    await run.exit;
    expect(consistencyProblems(db)).toEqual([]);
    const published = snapshot(db, 'd').version!;
    expect(published).not.toBe(rows.version);
    expect(compareWithTruth(NEW.truth, (await answers(db, NEW.truth)).records, 'd')).toEqual([]);
    // the old table is still there, retired: nobody reads it
    expect(versionTables(db)).toContain(`variants_${rows.version}`);

    const next = runAfb(ingestArgs(db, OLD.file));
    expect(next.stderr).toBe('');
    expect(next.status).toBe(0);
    const now = snapshot(db, 'd');
    expect(versionTables(db)).toEqual([`variants_${now.version}`]);
    expect(now.rows).toEqual(rows.rows);
    expect(await answers(db, OLD.truth)).toEqual({ ...before, records: before.records.map((r) => r && withVersion(r, now.version!)), rsid: before.rsid.map((r) => withVersion(r, now.version!)) });
  });
});

/** A record as a later version of the same data answers it (only the version number differs). */
function withVersion(r: VariantRecord, v: number): VariantRecord {
  return { ...r, frequencies: r.frequencies.map((f) => ({ ...f, version: String(v) })) };
}
