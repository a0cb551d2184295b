/**
 * The window-edge defect: a long deletion at 1:4999995 reaches past 5,000,000 and SNPs follow
 * it. The old bare listing walked 5 Mb windows and showed or counted a variant crossing a window
 * edge twice or skipped past it. Paging the bare listing and ranges over the edge with every
 * limit from 1 to 7 and every skip must return each stored variant exactly once, in key order,
 * with the same total; also with two datasets in scope that share some variants and not others.
 */
import { join } from 'node:path';
import { openStoreLookup, type SqliteLookup } from '../../src/store';
import type { LookupScope, ScanQuery, VariantKey, VariantRecord } from '../../src/domain/lookup';
import { tempDir } from '../helpers/fixtures';
import { ingestSites } from '../unit/store/sites-vcf';

const tmp = tempDir();
let store: { lookup: SqliteLookup; close(): void };

// 30 bases of REF, the first shared with ALT: key start0 4999995, display span [4999994, 5000024).
const DEL_REF = 'A' + 'CAGTC'.repeat(5) + 'CAGT';
const DEL_KEY = `1:4999995:${DEL_REF.slice(1)}:`;

// The stored variants in key order (contig rank, start0, ref, alt of the trimmed form), with the
// datasets holding each. Written out by hand: the oracle does not sort.
const EXPECTED: [key: string, datasets: string][] = [
  ['1:4999989:C:T', 'a'],
  [DEL_KEY, 'a,b'],
  ['1:5000009:A:G', 'a,b'],
  ['1:5000019:A:C', 'a,b'],
  ['1:5000019:A:G', 'a'],
  ['1:5000024:T:G', 'b'],
  ['1:5000029:G:A', 'a'],
  ['1:5000040::A', 'a'],
  ['1:5000049:C:T', 'a'],
  ['1:5000050::G', 'b'],
  ['1:5000050:G:A', 'a'],
  ['1:5000059:G:C', 'a'],
  ['2:99:A:G', 'a,b'],
  ['2:5000000:C:A', 'a'],
  ['X:1999:G:T', 'a'],
  ['Y:2999:A:T', 'b'],
];

const A = [
  '1\t4999990\t.\tC\tT\t.\tPASS\tAC=1;AN=100',
  `1\t4999995\t.\t${DEL_REF}\tA\t.\tPASS\tAC=2;AN=100`,
  '1\t5000010\t.\tA\tG\t.\tPASS\tAC=3;AN=100',
  '1\t5000020\t.\tA\tC,G\t.\tPASS\tAC=4,5;AN=100',
  '1\t5000030\t.\tG\tA\t.\tPASS\tAC=6;AN=100',
  '1\t5000040\t.\tT\tTA\t.\tPASS\tAC=7;AN=100',
  '1\t5000050\t.\tC\tT\t.\tPASS\tAC=8;AN=100',
  '1\t5000051\t.\tG\tA\t.\tPASS\tAC=9;AN=100',
  '1\t5000060\t.\tG\tC\t.\tPASS\tAC=10;AN=100',
  '2\t100\t.\tA\tG\t.\tPASS\tAC=11;AN=100',
  '2\t5000001\t.\tC\tA\t.\tPASS\tAC=12;AN=100',
  'X\t2000\t.\tG\tT\t.\tPASS\tAC=13;AN=100',
];
const B = [
  `1\t4999995\t.\t${DEL_REF}\tA\t.\tPASS\tAC=21;AN=200`,
  '1\t5000010\t.\tA\tG\t.\tPASS\tAC=22;AN=200',
  '1\t5000020\t.\tA\tC\t.\tPASS\tAC=23;AN=200',
  '1\t5000025\t.\tT\tG\t.\tPASS\tAC=24;AN=200',
  '1\t5000050\t.\tC\tCG\t.\tPASS\tAC=25;AN=200',
  '2\t100\t.\tA\tG\t.\tPASS\tAC=26;AN=200',
  'Y\t3000\t.\tA\tT\t.\tPASS\tAC=27;AN=200',
];

beforeAll(async () => {
  const db = join(tmp.dir, 'edge.db');
  await ingestSites(tmp.dir, db, 'a', 'GRCh37', A);
  await ingestSites(tmp.dir, db, 'b', 'GRCh37', B);
  store = openStoreLookup(db);
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

function key(r: VariantRecord): string {
  return `${r.contig}:${r.trimmed.start0}:${r.trimmed.ref}:${r.trimmed.alt}`;
}

/** A record as `key datasets`: which datasets' frequencies it carries. */
function shown(r: VariantRecord): string {
  return `${key(r)} ${r.frequencies.map((f) => f.datasetId).join(',')}`;
}

const SCOPES: [name: string, scope: LookupScope, datasets: string[]][] = [
  ['a', { assembly: 'GRCh37', datasetIds: ['a'] }, ['a']],
  ['b', { assembly: 'GRCh37', datasetIds: ['b'] }, ['b']],
  ['a+b', { assembly: 'GRCh37' }, ['a', 'b']],
];

const QUERIES: [name: string, query: ScanQuery, keep: (key: string) => boolean][] = [
  ['bare listing', { kind: 'all' }, () => true],
  // [5000000, 5000100): the deletion [4999994, 5000024) reaches in; the SNP at 4999989 does not.
  ['range over the 5 Mb edge', { kind: 'range', contig: '1', start0: 5000000, end0: 5000100 }, (k) => k.startsWith('1:') && k !== '1:4999989:C:T'],
  ['range around the deletion', { kind: 'range', contig: '1', start0: 4999980, end0: 5000030 }, (k) => k.startsWith('1:') && Number(k.split(':')[1]) < 5000030],
  ['range starting inside the deletion', { kind: 'range', contig: '1', start0: 5000023, end0: 5000025 }, (k) => k === DEL_KEY || k === '1:5000024:T:G'],
];

describe.each(SCOPES)('datasets %s', (_name, scope, datasets) => {
  test.each(QUERIES)('%s: every limit 1..7 and every skip returns each variant once, in order, with the same total', async (_q, query, keep) => {
    const expected = EXPECTED.flatMap(([k, ds]) => {
      const held = ds.split(',').filter((d) => datasets.includes(d));
      return held.length > 0 && keep(k) ? [`${k} ${held.join(',')}`] : [];
    });
    expect(expected.length).toBeGreaterThan(0);

    const whole = await store.lookup.scan(scope, query, { skip: 0, limit: 1000 });
    expect(whole.records.map(shown)).toEqual(expected);
    expect(whole.total).toBe(expected.length);

    const problems: string[] = [];
    let pages = 0;
    for (let limit = 1; limit <= 7; limit++) {
      const walked: string[] = [];
      for (let skip = 0; skip <= expected.length + 1; skip++) {
        const page = await store.lookup.scan(scope, query, { skip, limit });
        const count = await store.lookup.scan(scope, query, { skip, limit: 0 });
        pages++;
        const got = page.records.map(shown);
        const want = expected.slice(skip, skip + limit);
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`skip ${skip} limit ${limit}: got ${got.join(' | ')}; want ${want.join(' | ')}`);
        if (page.total !== expected.length) problems.push(`skip ${skip} limit ${limit}: total ${page.total}, want ${expected.length}`);
        if (count.total !== expected.length || count.records.length > 0) problems.push(`skip ${skip} count only: ${count.total} and ${count.records.length} records`);
        if (skip % limit === 0) walked.push(...got);
      }
      if (JSON.stringify(walked) !== JSON.stringify(expected)) problems.push(`limit ${limit}: walking pages gave ${walked.join(' | ')}`);
    }
    expect(pages).toBe(7 * (expected.length + 2));
    expect(problems).toEqual([]);
  });
});

test('a shared variant carries each dataset entry once, with that dataset counts', async () => {
  const query: ScanQuery = { kind: 'range', contig: '1', start0: 5000009, end0: 5000010, variantType: 'SNP' };
  const { records } = await store.lookup.scan({ assembly: 'GRCh37' }, query, { skip: 0, limit: 10 });
  expect(records.map(shown)).toEqual(['1:5000009:A:G a,b']);
  expect(records[0]!.frequencies.map((f) => f.populations[0]!.counts)).toEqual([
    { ac: 3, an: 100 },
    { ac: 22, an: 200 },
  ]);
});

describe.each(SCOPES)('keyset cursor (after), datasets %s', (_name, scope, datasets) => {
  test.each(QUERIES)('%s: every limit 1..7 walks each variant once, in order, with the same total; skip with a cursor is refused', async (_q, query, keep) => {
    const expected = EXPECTED.flatMap(([k, ds]) => {
      const held = ds.split(',').filter((d) => datasets.includes(d));
      return held.length > 0 && keep(k) ? [`${k} ${held.join(',')}`] : [];
    });
    for (let limit = 1; limit <= 7; limit++) {
      const walked: string[] = [];
      let after: VariantKey | undefined;
      for (let guard = 0; guard <= expected.length; guard++) {
        const page = await store.lookup.scan(scope, query, { skip: 0, limit, ...(after ? { after } : {}) });
        expect(page.total).toBe(expected.length);
        walked.push(...page.records.map(shown));
        const last = page.records[page.records.length - 1];
        if (page.records.length < limit || !last) break;
        after = { contig: last.contig, ...last.trimmed };
      }
      expect({ limit, walked }).toEqual({ limit, walked: expected });
    }
    await expect(store.lookup.scan(scope, query, { skip: 1, limit: 1, after: { contig: '1', start0: 0, ref: 'A', alt: 'G' } })).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
  });
});
