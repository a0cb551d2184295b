/**
 * A store written by afb before issue 12 (schema 2: every version's rows in one shared
 * `variants` table) is moved to one table per version the first time it is opened, by a reader
 * too; what was published answers the same, and unpublished leftovers are gone.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStoreLookup } from '../../../src/store';
import { tempDir } from '../../helpers/fixtures';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// The schema-2 DDL as afb wrote it (src/store/schema.ts before issue 12).
const V2 = `
CREATE TABLE datasets (id TEXT PRIMARY KEY, current INTEGER NOT NULL) STRICT;
CREATE TABLE versions (v INTEGER PRIMARY KEY, dataset_id TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('loading', 'current', 'retired')), meta TEXT NOT NULL, created_at TEXT NOT NULL) STRICT;
CREATE TABLE contig_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;
CREATE TABLE variants (v INTEGER NOT NULL, contig INTEGER NOT NULL, start0 INTEGER NOT NULL, ref TEXT NOT NULL, alt TEXT NOT NULL, anchor TEXT, rsid INTEGER, other_ids TEXT, filter INTEGER NOT NULL, counts BLOB NOT NULL, PRIMARY KEY (v, contig, start0, ref, alt)) STRICT, WITHOUT ROWID;
CREATE INDEX variants_by_rsid ON variants (rsid) WHERE rsid IS NOT NULL;
CREATE TABLE version_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL) STRICT;
INSERT INTO version_seq VALUES (1, 3);
CREATE TABLE ingest_locks (dataset_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, proc_start TEXT, v INTEGER) STRICT;
PRAGMA user_version = 2;
`;

const META = {
  datasetId: 'd',
  name: 'd',
  assembly: 'GRCh38',
  mode: 'sites',
  groups: [{ key: '', code: 'Total', label: 'Total', kinds: ['ac', 'an'] }],
  slots: [{ group: 0, kind: 'ac' }, { group: 0, kind: 'an' }],
  filters: ['PASS'],
  contigs: { '1': { rows: 2, maxSpan: 1 } },
  variantCount: 2,
  sources: ['x.vcf'],
};

test('a schema-2 store is moved to version tables on first open and answers the same', async () => {
  const path = join(tmp.dir, 'v2.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(V2);
  const version = db.prepare('INSERT INTO versions VALUES (?, ?, ?, ?, ?)');
  version.run(2, 'd', 'current', JSON.stringify(META), '2026-01-01T00:00:00Z');
  version.run(3, 'd', 'loading', '{}', '2026-01-02T00:00:00Z');
  db.prepare('INSERT INTO datasets VALUES (?, ?)').run('d', 2);
  const row = db.prepare('INSERT INTO variants VALUES (?, 1, ?, ?, ?, NULL, ?, NULL, 0, ?)');
  // counts: zero bitmap (none zero), then AC+1 and AN+1 as varints
  row.run(2, 99, 'A', 'G', 555, Buffer.from([0, 4, 11]));
  row.run(2, 199, 'C', 'T', null, Buffer.from([0, 2, 11]));
  row.run(3, 99, 'A', 'C', null, Buffer.from([0, 2, 11]));
  db.close();

  const store = openStoreLookup(path);
  try {
    const scope = { assembly: 'GRCh38' as const };
    const { records } = await store.lookup.findAlleles(scope, [
      { contig: '1', start0: 99, ref: 'A', alt: 'G' },
      { contig: '1', start0: 199, ref: 'C', alt: 'T' },
      { contig: '1', start0: 99, ref: 'A', alt: 'C' },
    ]);
    expect(records.map((r) => r?.frequencies[0]!.populations[0]!.counts)).toEqual([{ ac: 3, an: 10 }, { ac: 1, an: 10 }, undefined]);
    expect((await store.lookup.findRsid(scope, 555)).records.map((r) => r.trimmed)).toEqual([{ start0: 99, ref: 'A', alt: 'G' }]);
  } finally {
    store.close();
  }
  const after = new Database(path, { readonly: true });
  expect(after.pragma('user_version', { simple: true })).toBe(5);
  expect(after.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'variants*' ORDER BY name`).pluck().all()).toEqual(['variants_2']);
  expect(after.prepare('SELECT v, state FROM versions').all()).toEqual([{ v: 2, state: 'current' }]);
  after.close();
});
