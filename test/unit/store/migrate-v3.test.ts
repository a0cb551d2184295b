/**
 * A store written before the VRS ids moved into the version tables (schema 3: one `vrs_alleles`
 * table shared by every version) is moved on first open, by a reader too: each published
 * version's table gets its ids in a `vrs` column with an index of its own, the shared table is
 * dropped, and lookups by id and the ids of indel records answer as before.
 */
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { DatasetWriter, VrsSqliteLookup } from '../../../src/store';
import { versionFiles } from '../../helpers/raw-store';
import { openForRead } from '../../../src/store/open';
import { vrsAllele } from '../../../src/domain/vrs';
import { tempDir } from '../../helpers/fixtures';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// The schema-3 DDL as afb wrote it (src/store/schema.ts, version-table.ts and vrs-index.ts before this change).
const V3 = `
CREATE TABLE datasets (id TEXT PRIMARY KEY, current INTEGER NOT NULL) STRICT;
CREATE TABLE versions (v INTEGER PRIMARY KEY, dataset_id TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('loading', 'current', 'retired')), meta TEXT NOT NULL, created_at TEXT NOT NULL) STRICT;
CREATE TABLE contig_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;
CREATE TABLE version_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL) STRICT;
INSERT INTO version_seq VALUES (1, 3);
CREATE TABLE ingest_locks (dataset_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, proc_start TEXT, v INTEGER) STRICT;
CREATE TABLE variants_2 (contig INTEGER NOT NULL, start0 INTEGER NOT NULL, ref TEXT NOT NULL, alt TEXT NOT NULL, anchor TEXT, rsid INTEGER, other_ids TEXT, filter INTEGER NOT NULL, counts BLOB NOT NULL, PRIMARY KEY (contig, start0, ref, alt)) STRICT, WITHOUT ROWID;
CREATE INDEX variants_2_rsid ON variants_2 (rsid) WHERE rsid IS NOT NULL;
CREATE TABLE vrs_alleles (v INTEGER NOT NULL, digest TEXT NOT NULL, contig TEXT NOT NULL, start0 INTEGER NOT NULL, ref TEXT NOT NULL, alt TEXT NOT NULL, PRIMARY KEY (v, digest, contig, start0, ref, alt)) STRICT, WITHOUT ROWID;
CREATE INDEX vrs_alleles_indels ON vrs_alleles (v, contig, start0, ref, alt) WHERE ref = '' OR alt = '';
PRAGMA user_version = 3;
`;

const META = {
  datasetId: 'd',
  name: 'd',
  assembly: 'GRCh38',
  mode: 'sites',
  groups: [{ key: '', code: 'Total', label: 'Total', kinds: ['ac', 'an'] }],
  slots: [{ group: 0, kind: 'ac' }, { group: 0, kind: 'an' }],
  filters: ['PASS'],
  contigs: { '1': { rows: 3, maxSpan: 2 } },
  variantCount: 3,
  sources: ['x.vcf'],
};

test('a schema-3 store moves its shared VRS table into the version tables on first open', async () => {
  const path = join(tmp.dir, 'v3.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(V3);
  db.prepare('INSERT INTO versions VALUES (?, ?, ?, ?, ?)').run(2, 'd', 'current', JSON.stringify(META), '2026-01-01T00:00:00Z');
  db.prepare('INSERT INTO datasets VALUES (?, ?)').run('d', 2);
  db.prepare('INSERT INTO contig_names VALUES (1, ?)').run('1');
  const row = db.prepare('INSERT INTO variants_2 VALUES (1, ?, ?, ?, NULL, NULL, NULL, 0, ?)');
  row.run(99, 'A', 'G', Buffer.from([0, 4, 11]));
  row.run(199, 'C', '', Buffer.from([0, 2, 11]));
  row.run(299, 'G', '', Buffer.from([0, 2, 11]));
  const snv = vrsAllele('GRCh38', '1', 99, 'A', 'G')!.digest;
  // An indel's digest needed the reference at ingest: any stored one is read back as it is.
  const indel = 'abcdefghijklmnopqrstuvwxyz012345';
  // Its first 8 characters (48 bits, the stored key) are shared by another indel's: the whole digest tells them apart.
  const sameKey = 'abcdefghZZZZZZZZZZZZZZZZZZZZZZZZ';
  const vrs = db.prepare('INSERT INTO vrs_alleles VALUES (?, ?, ?, ?, ?, ?)');
  vrs.run(2, snv, '1', 99, 'A', 'G');
  vrs.run(2, indel, '1', 199, 'C', '');
  vrs.run(2, sameKey, '1', 299, 'G', '');
  vrs.run(3, 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', '1', 99, 'A', 'G'); // of an unpublished version: forgotten
  db.close();

  const lookup = new VrsSqliteLookup(openForRead(path));
  try {
    const scope = { assembly: 'GRCh38' as const };
    expect((await lookup.findVrs(scope, snv)).records.map((r) => r.trimmed)).toEqual([{ start0: 99, ref: 'A', alt: 'G' }]);
    const found = (await lookup.findVrs(scope, indel)).records;
    expect(found.map((r) => [r.trimmed, r.vrsId])).toEqual([[{ start0: 199, ref: 'C', alt: '' }, `ga4gh:VA.${indel}`]]);
    expect((await lookup.findVrs(scope, sameKey)).records.map((r) => r.trimmed)).toEqual([{ start0: 299, ref: 'G', alt: '' }]);
    expect((await lookup.findVrs(scope, 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')).records).toEqual([]);
    // A substitution's key with another digest: its digest is computed again, and does not match.
    expect((await lookup.findVrs(scope, `${snv.slice(0, 8)}${'A'.repeat(24)}`)).records).toEqual([]);
    const { records } = await lookup.findAlleles(scope, [{ contig: '1', start0: 198, ref: 'TC', alt: 'T' }]);
    expect(records[0]?.vrsId).toBe(`ga4gh:VA.${indel}`);
  } finally {
    lookup.close();
  }
  const after = new Database(path, { readonly: true });
  expect(after.pragma('user_version', { simple: true })).toBe(5);
  expect(after.prepare(`SELECT name FROM sqlite_master WHERE name GLOB 'vrs*'`).all()).toEqual([]);
  expect(after.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'variants_2' ORDER BY name`).pluck().all()).toEqual(['variants_2_rsid', 'variants_2_vrs']);
  after.close();

  // The next version of the upgraded dataset goes into a file of its own (schema 5); the old one's table leaves the store file.
  const writer = DatasetWriter.open(path, 'd');
  const { version } = writer;
  writer.commit({ ...META, sources: [] } as Parameters<DatasetWriter['commit']>[0]);
  const upgraded = new Database(path, { readonly: true });
  expect(upgraded.prepare('SELECT v, in_file FROM versions').all()).toEqual([{ v: version, in_file: 1 }]);
  expect(upgraded.prepare(`SELECT name FROM sqlite_master WHERE name GLOB 'variants_*'`).all()).toEqual([]);
  upgraded.close();
  expect(versionFiles(path)).toEqual([basename(`${path}.v${version}.afb`)]);
});
