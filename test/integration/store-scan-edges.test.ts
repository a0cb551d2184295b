/**
 * Exact edges of scan (like tabix-js's indexed-file tests): 0-based half-open ranges against
 * 1-based VCF POS, deletions reaching into a range from the left, insertions at their insertion
 * point, inclusive bracket bounds, count-only answers. Stores are built by the real ingest from
 * tiny VCFs written here.
 */
import { join } from 'node:path';
import { openStoreLookup, type SqliteLookup } from '../../src/store';
import { Scanner } from '../../src/store/scan';
import type { ScanQuery, VariantRecord } from '../../src/domain/lookup';
import { tempDir } from '../helpers/fixtures';
import { ingestSites } from '../unit/store/sites-vcf';

const tmp = tempDir();
let store: { lookup: SqliteLookup; close(): void };
const scope = { assembly: 'GRCh38' as const };

// VCF lines (1-based POS). Display spans, 0-based half-open:
//   SNP      POS 100  A>G          -> [99, 100)
//   deletion POS 200  ACGTACGTAC>A -> [199, 209)  (key start0 200, ref CGTACGTAC)
//   insertion POS 300 C>CTT        -> [299, 300)  (key start0 300, ref '', alt TT: the gap before base 300)
const LINES = [
  '1\t100\trs100\tA\tG\t.\tPASS\tAC=1;AN=10',
  '1\t200\t.\tACGTACGTAC\tA\t.\tPASS\tAC=2;AN=10',
  '1\t300\t.\tC\tCTT\t.\tPASS\tAC=3;AN=10',
  '2\t50\trs7;rs8;COSV1\tT\tA\t.\tPASS\tAC=4;AN=10',
];

beforeAll(async () => {
  const db = join(tmp.dir, 'edges.db');
  await ingestSites(tmp.dir, db, 'e', 'GRCh38', LINES);
  store = openStoreLookup(db);
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

const SNP = '1:99:A:G';
const DEL = '1:200:CGTACGTAC:';
const INS = '1:300::TT';
const ON_2 = '2:49:T:A';

function key(r: VariantRecord): string {
  return `${r.contig}:${r.trimmed.start0}:${r.trimmed.ref}:${r.trimmed.alt}`;
}

/** The keys found, after checking that the count-only answer agrees with the records read. */
async function found(query: ScanQuery): Promise<string[]> {
  const all = await store.lookup.scan(scope, query, { skip: 0, limit: 100 });
  const countOnly = await store.lookup.scan(scope, query, { skip: 0, limit: 0 });
  expect(countOnly).toEqual({ total: all.records.length, records: [] });
  expect(all.total).toBe(all.records.length);
  return all.records.map(key);
}

const range = (start0: number, end0: number): Extract<ScanQuery, { kind: 'range' }> => ({ kind: 'range', contig: '1', start0, end0 });
const bracket = (startMin0: number, startMax0: number, endMin0: number, endMax0: number): ScanQuery => ({
  kind: 'bracket',
  contig: '1',
  startMin0,
  startMax0,
  endMin0,
  endMax0,
});

test('the store holds the three variants under the keys the test expects', async () => {
  expect(await found({ kind: 'all' })).toEqual([SNP, DEL, INS, ON_2]);
  expect(await found(range(0, 1000))).toEqual([SNP, DEL, INS]);
});

test('a SNP at POS p is in [p-1, p), not in [p, p+1) nor [p-2, p-1); [p, p) is refused', async () => {
  expect(await found(range(99, 100))).toEqual([SNP]);
  expect(await found(range(100, 101))).toEqual([]);
  expect(await found(range(98, 99))).toEqual([]);
  expect(await found(range(0, 100))).toEqual([SNP]);
  await expect(store.lookup.scan(scope, range(100, 100), { skip: 0, limit: 10 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
  await expect(store.lookup.scan(scope, range(101, 100), { skip: 0, limit: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
});

test('a deletion is found by every range that overlaps its span [199, 209), including ones that start inside it', async () => {
  expect(await found(range(198, 199))).toEqual([]);
  expect(await found(range(199, 200))).toEqual([DEL]);
  expect(await found(range(205, 206))).toEqual([DEL]);
  expect(await found(range(208, 209))).toEqual([DEL]);
  expect(await found(range(208, 400))).toEqual([DEL, INS]);
  expect(await found(range(209, 210))).toEqual([]);
});

test('an insertion is found at its anchor base [299, 300), the base before its insertion point', async () => {
  expect(await found(range(299, 300))).toEqual([INS]);
  expect(await found(range(300, 301))).toEqual([]);
  expect(await found(range(298, 299))).toEqual([]);
  const [rec] = (await store.lookup.scan(scope, range(299, 300), { skip: 0, limit: 1 })).records;
  expect(rec!.display).toEqual({ start0: 299, ref: 'C', alt: 'CTT' });
});

test('bracket bounds are inclusive at both ends', async () => {
  // SNP: start 99, end 100.
  expect(await found(bracket(99, 99, 100, 100))).toEqual([SNP]);
  expect(await found(bracket(100, 150, 100, 150))).toEqual([]);
  expect(await found(bracket(50, 98, 50, 150))).toEqual([]);
  expect(await found(bracket(50, 99, 101, 150))).toEqual([]);
  expect(await found(bracket(50, 99, 50, 99))).toEqual([]);
  // Deletion: start 199, end 209.
  expect(await found(bracket(199, 199, 209, 209))).toEqual([DEL]);
  expect(await found(bracket(199, 199, 208, 208))).toEqual([]);
  expect(await found(bracket(199, 199, 210, 210))).toEqual([]);
  expect(await found(bracket(198, 198, 209, 209))).toEqual([]);
  expect(await found(bracket(200, 200, 209, 209))).toEqual([]);
  // Insertion: start 299, end 300.
  expect(await found(bracket(299, 299, 300, 300))).toEqual([INS]);
  expect(await found(bracket(0, 1000, 0, 1000))).toEqual([SNP, DEL, INS]);
});

test('filters: alternate allele (trimmed or padded), variantType, length', async () => {
  expect(await found({ ...range(0, 1000), alt: 'G' })).toEqual([SNP]);
  expect(await found({ ...range(0, 1000), alt: 'CTT' })).toEqual([INS]);
  expect(await found({ ...range(0, 1000), alt: 'TT' })).toEqual([INS]);
  expect(await found({ ...range(0, 1000), variantType: 'DEL' })).toEqual([DEL]);
  expect(await found({ ...range(0, 1000), variantType: 'INDEL' })).toEqual([DEL, INS]);
  expect(await found({ ...range(0, 1000), minLength: 2 })).toEqual([DEL, INS]);
  expect(await found({ ...range(0, 1000), maxLength: 2 })).toEqual([SNP, INS]);
});

test('records carry their rsID and counts; skip and limit apply to the filtered list', async () => {
  const { records, total } = await store.lookup.scan(scope, range(0, 1000), { skip: 1, limit: 1 });
  expect(total).toBe(3);
  expect(records.map(key)).toEqual([DEL]);
  expect(records[0]!.frequencies).toHaveLength(1);
  expect(records[0]!.frequencies[0]!.populations[0]!.counts).toMatchObject({ ac: 2, an: 10 });
  const [snp] = (await store.lookup.scan(scope, range(99, 100), { skip: 0, limit: 5 })).records;
  expect(snp!.rsids).toEqual(['rs100']);
  expect(await store.lookup.scan(scope, range(0, 1000), { skip: 3, limit: 5 })).toEqual({ total: 3, records: [] });
});

test('rsIDs: those in the ID column (other ids dropped); findRsid by the number', async () => {
  const [rec] = (await store.lookup.scan(scope, { kind: 'range', contig: '2', start0: 49, end0: 50 }, { skip: 0, limit: 5 })).records;
  expect(rec!.rsids).toEqual(['rs7', 'rs8']);
  expect((await store.lookup.findRsid(scope, 7)).records.map(key)).toEqual([ON_2]);
  expect((await store.lookup.findRsid(scope, 100)).records.map(key)).toEqual([SNP]);
});

test('scope: an unknown dataset id is refused; an assembly with no dataset here has nothing', async () => {
  await expect(store.lookup.scan({ ...scope, datasetIds: ['nope'] }, range(0, 1000), { skip: 0, limit: 0 })).rejects.toMatchObject({
    code: 'INVALID_PARAMETER',
    message: expect.stringMatching(/nope/),
  });
  expect(await store.lookup.scan({ assembly: 'GRCh37' }, { kind: 'all' }, { skip: 0, limit: 10 })).toEqual({ total: 0, records: [] });
  expect(await store.lookup.scan({ ...scope, datasetIds: ['e'] }, { kind: 'all' }, { skip: 1, limit: 2 })).toMatchObject({ total: 4 });
});

test('a contig the store does not hold is refused with its code', async () => {
  await expect(store.lookup.scan(scope, { kind: 'range', contig: '7', start0: 0, end0: 10 }, { skip: 0, limit: 0 })).rejects.toMatchObject({ code: 'UNKNOWN_CONTIG' });
});

test('limit 0 counts only: no row is read for records, whatever the skip', async () => {
  const read = jest.spyOn(Scanner.prototype, 'read');
  try {
    expect(await store.lookup.scan(scope, { kind: 'all' }, { skip: 0, limit: 0 })).toEqual({ total: 4, records: [] });
    expect(await store.lookup.scan(scope, range(0, 1000), { skip: 1, limit: 0 })).toEqual({ total: 3, records: [] });
    expect(await store.lookup.scan(scope, { ...range(0, 1000), variantType: 'SNP' }, { skip: 0, limit: 0 })).toEqual({ total: 1, records: [] });
    expect(read).not.toHaveBeenCalled();
    expect((await store.lookup.scan(scope, range(0, 1000), { skip: 1, limit: 1 })).records.map(key)).toEqual([DEL]);
    expect(read).toHaveBeenCalledTimes(1);
  } finally {
    read.mockRestore();
  }
});
