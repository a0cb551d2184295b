/**
 * Version files (src/store/version-file.ts) against SQLite's limit on attached databases: a
 * reader attaches the current version of every dataset held in a file, and better-sqlite3 allows
 * 10. The datasets past FILE_DATASETS_MAX keep their versions in the store file; every dataset
 * answers either way, and re-ingests keep each dataset where it is.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { FILE_DATASETS_MAX } from '../../src/store/version-file';
import { tempDir } from '../helpers/fixtures';
import { versionFiles } from '../helpers/raw-store';
import { sitesHeader } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function placement(db: string): Record<string, 'file' | 'store'> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare(`SELECT dataset_id, in_file FROM versions WHERE state = 'current' ORDER BY dataset_id`).all() as { dataset_id: string; in_file: number }[];
    return Object.fromEntries(rows.map((r) => [r.dataset_id, r.in_file === 1 ? 'file' : 'store']));
  } finally {
    d.close();
  }
}

test(`past ${FILE_DATASETS_MAX} datasets in files, the next ones stay in the store file; all answer, before and after re-ingests`, async () => {
  const db = join(tmp.dir, 'many.db');
  const ids = Array.from({ length: FILE_DATASETS_MAX + 2 }, (_, i) => `d${String(i).padStart(2, '0')}`);
  const vcf = (ac: number): string => {
    const f = join(tmp.dir, `ac${ac}.vcf`);
    writeFileSync(f, [...sitesHeader(), `1\t1000\t.\tA\tG\t.\tPASS\tAC=${ac};AN=1000`].join('\n') + '\n');
    return f;
  };
  const ingest = (id: string, ac: number): Promise<unknown> => ingestVcf({ db, dataset: id, assembly: 'GRCh37', mode: 'sites', inputs: [vcf(ac)] });
  for (const [i, id] of ids.entries()) await ingest(id, i + 1);

  const expected = Object.fromEntries(ids.map((id, i) => [id, i < FILE_DATASETS_MAX ? 'file' : 'store']));
  expect(placement(db)).toEqual(expected);
  expect(versionFiles(db)).toHaveLength(FILE_DATASETS_MAX);

  const answers = async (): Promise<Record<string, unknown>> => {
    const { lookup, close } = openStoreLookup(db);
    try {
      const r = await lookup.findAlleles({ assembly: 'GRCh37' }, [{ contig: '1', start0: 999, ref: 'A', alt: 'G' }]);
      return Object.fromEntries(r.records[0]!.frequencies.map((f) => [f.datasetId, f.populations[0]!.counts.ac]));
    } finally {
      close();
    }
  };
  expect(await answers()).toEqual(Object.fromEntries(ids.map((id, i) => [id, i + 1])));

  // Re-ingests: a dataset in a file gets a new file, one in the store stays in the store (the limit still holds).
  await ingest(ids[0]!, 100);
  await ingest(ids[FILE_DATASETS_MAX]!, 200);
  expect(placement(db)).toEqual(expected);
  expect(versionFiles(db)).toHaveLength(FILE_DATASETS_MAX);
  expect(await answers()).toEqual(Object.fromEntries(ids.map((id, i) => [id, i === 0 ? 100 : i === FILE_DATASETS_MAX ? 200 : i + 1])));
});

test('a store copied without its version files is refused with what to copy, not read as empty', async () => {
  const db = join(tmp.dir, 'whole.db');
  await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', mode: 'sites', inputs: [writeVcf(join(tmp.dir, 'one.vcf'))] });
  const alone = join(tmp.dir, 'copy');
  mkdirSync(alone);
  copyFileSync(db, join(alone, 'whole.db'));
  const { lookup, close } = openStoreLookup(join(alone, 'whole.db'));
  try {
    await expect(lookup.describe()).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringMatching(/whole\.db\.v\d+\.afb.*copy, move or rename them together/) });
  } finally {
    close();
  }
});

function writeVcf(f: string): string {
  writeFileSync(f, [...sitesHeader(), `1\t1000\t.\tA\tG\t.\tPASS\tAC=1;AN=1000`].join('\n') + '\n');
  return f;
}

test('a version file that is there but cannot be opened is reported naming it and what a reader needs', async () => {
  const db = join(tmp.dir, 'unopenable.db');
  await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', mode: 'sites', inputs: [writeVcf(join(tmp.dir, 'two.vcf'))] });
  const [file] = versionFiles(db);
  // A folder where the file was: SQLite cannot open it, and it is not missing (root ignores file modes, so no chmod).
  rmSync(join(tmp.dir, file!));
  mkdirSync(join(tmp.dir, file!));
  const { lookup, close } = openStoreLookup(db);
  try {
    await expect(lookup.describe()).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringMatching(new RegExp(`${file!.replace(/\./g, '\\.')}.*folder writable.*copy-store`)) });
  } finally {
    close();
  }
});
