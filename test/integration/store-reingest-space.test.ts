/**
 * Issue 12, acceptance 1: a re-ingest writes the new version beside the old one and then drops
 * the old table whole. The file holds at most old + new; the dropped version's pages go to the
 * freelist and the next re-ingest reuses them, so re-ingesting again and again does not grow the
 * file. (Measured at 2 M and 10 M rows by scripts/bench/scale.)
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';
import { versionTables } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function pages(db: string): { total: number; free: number; size: number } {
  const d = new Database(db, { readonly: true });
  try {
    const size = d.pragma('page_size', { simple: true }) as number;
    return { total: d.pragma('page_count', { simple: true }) as number, free: d.pragma('freelist_count', { simple: true }) as number, size };
  } finally {
    d.close();
  }
}

test('re-ingests reuse the pages of the version they replaced: the file stops growing after the first', () => {
  const db = join(tmp.dir, 'space.db');
  const ingest = (): void => {
    const r = runAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', realFile('vcfanno-exac-gnomad/gno.vcf.gz')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  };
  ingest();
  const first = pages(db);
  expect(first.free).toBe(0);
  ingest();
  const second = pages(db);
  // the old version's pages are free now (its table is gone), not rows deleted one by one
  expect(versionTables(db)).toHaveLength(1);
  expect(second.free).toBeGreaterThan(0);
  for (let i = 0; i < 3; i++) ingest();
  const later = pages(db);
  expect(later.total).toBe(second.total);
  expect(statSync(db).size).toBe(second.total * second.size);
});
