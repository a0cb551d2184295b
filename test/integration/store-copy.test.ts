/**
 * scripts/copy-store.js (README "One store, several machines"): a copy of a store, its file and
 * its current versions' files, answers exactly as the original, needs no -wal/-shm files (a
 * read-only filesystem can serve it), and stays whole when the original is re-ingested and its
 * old version's file removed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStoreLookup } from '../../src/store';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';
import { versionFiles } from '../helpers/raw-store';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const ROOT = join(__dirname, '..', '..');

async function everything(db: string): Promise<unknown> {
  const { lookup, close } = openStoreLookup(db);
  try {
    return await lookup.scan({ assembly: 'GRCh37' }, { kind: 'all' }, { skip: 0, limit: 100_000 });
  } finally {
    close();
  }
}

test('a copied store answers as the original, in rollback-journal files only, and outlives the original\'s re-ingest', async () => {
  const db = join(tmp.dir, 'node.db');
  const ingest = (): void => {
    const r = runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', realFile('vcfanno-exac-gnomad/gno.vcf.gz')]);
    expect(r.status).toBe(0);
  };
  ingest();
  const out = join(tmp.dir, 'copy');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'copy-store.js'), db, out], { encoding: 'utf8' });
  const copy = join(out, 'node.db');
  expect(readdirSync(out).sort()).toEqual(['node.db', ...versionFiles(db)].sort());
  const original = await everything(db);
  expect((original as { total: number }).total).toBeGreaterThan(100);
  expect(await everything(copy)).toEqual(original);
  // Rollback-journal files: reading them made no -wal/-shm companions.
  expect(readdirSync(out).filter((n) => /-(wal|shm)$/.test(n))).toEqual([]);

  ingest(); // the original's version 1 file is removed
  expect(versionFiles(db)).not.toEqual(readdirSync(out).filter((n) => n.endsWith('.afb')));
  expect(await everything(copy)).toEqual(original);
});
