/**
 * The keyset scanner against a brute-force oracle: on an in-memory store holding two versions
 * with overlapping variants (SNPs, MNPs, anchored insertions and deletions up to 40 bases),
 * every count and every page of 110 ranges, brackets and filtered queries equals "test every
 * stored key, sort, slice". This pins the SQL shortcuts (COUNT(*) and OFFSET where every key
 * matches, the UNION across versions, the look-back for long deletions) to the plain rule.
 */
import Database from 'better-sqlite3';
import { createVersionTable } from '../../../src/store/version-table';
import { migrate } from '../../../src/store/schema';
import { matches, planRange, Scanner, type RowKey } from '../../../src/store/scan';
import type { RangeFilters, RangeQuery } from '../../../src/domain/lookup';
import { rng } from '../../helpers/prng';

interface Row extends RowKey {
  v: number;
}


const rnd = rng(7);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const bases = (n: number): string => Array.from({ length: n }, () => pick(['A', 'C', 'G', 'T'])).join('');

function randomVariant(): RowKey {
  const start0 = 1 + Math.floor(rnd() * 600);
  const kind = rnd();
  if (kind < 0.55) return { start0, ref: bases(1), alt: bases(1), anchor: null };
  if (kind < 0.65) return { start0, ref: bases(2), alt: bases(2), anchor: null };
  if (kind < 0.8) return { start0, ref: '', alt: bases(1 + Math.floor(rnd() * 4)), anchor: bases(1) };
  return { start0, ref: bases(1 + Math.floor(rnd() * (rnd() < 0.2 ? 40 : 5))), alt: '', anchor: bases(1) };
}

const db = new Database(':memory:');
migrate(db);
const rows: Row[] = [];
const maxSpan = new Map<number, number>();
{
  const shared: RowKey[] = Array.from({ length: 150 }, randomVariant);
  for (const v of [1, 2]) {
    createVersionTable(db, v);
    const insert = db.prepare(`INSERT OR IGNORE INTO variants_${v} (contig, start0, ref, alt, anchor, filter, counts) VALUES (1, ?, ?, ?, ?, 0, ?)`);
    const own = [...shared.filter(() => rnd() < 0.6), ...Array.from({ length: 150 }, randomVariant)];
    for (const r of own) {
      if (insert.run(r.start0, r.ref, r.alt, r.anchor, Buffer.from([0])).changes === 0) continue;
      rows.push({ v, ...r });
      maxSpan.set(v, Math.max(maxSpan.get(v) ?? 0, Math.max(1, r.ref.length + (r.anchor ? 1 : 0))));
    }
  }
}
const scanner = new Scanner(db);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every stored key of the versions, in key order, that the query matches: as `start0:ref:alt v,v`. */
function oracle(vs: number[], q: RangeQuery | undefined): string[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    if (!vs.includes(r.v)) continue;
    const k = `${r.start0}:${r.ref}:${r.alt}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()]
    .map((g) => g.sort((a, b) => vs.indexOf(a.v) - vs.indexOf(b.v)))
    .filter((g) => !q || matches(g[0]!, g.find((r) => r.anchor !== null)?.anchor ?? null, q))
    .sort((a, b) => a[0]!.start0 - b[0]!.start0 || cmp(a[0]!.ref, b[0]!.ref) || cmp(a[0]!.alt, b[0]!.alt))
    .map((g) => `${g[0]!.start0}:${g[0]!.ref}:${g[0]!.alt} ${g.map((r) => r.v).join(',')}`);
}

function queries(): RangeQuery[] {
  const qs: RangeQuery[] = [];
  for (let i = 0; i < 40; i++) {
    const start0 = Math.floor(rnd() * 650) - 20;
    const end0 = start0 + 1 + Math.floor(rnd() * (rnd() < 0.3 ? 3 : 200));
    qs.push({ kind: 'range', contig: '1', start0, end0 });
  }
  for (let i = 0; i < 15; i++) {
    const s = Math.floor(rnd() * 600);
    const e = s + Math.floor(rnd() * 50);
    qs.push({ kind: 'bracket', contig: '1', startMin0: s, startMax0: s + Math.floor(rnd() * 100), endMin0: e, endMax0: e + Math.floor(rnd() * 100) });
  }
  // The same ranges and brackets with filters: variant type, length, alternate allele (trimmed or padded).
  const filters: RangeFilters[] = [
    { variantType: 'SNP' },
    { variantType: 'DEL' },
    { variantType: 'INS' },
    { variantType: 'INDEL' },
    { variantType: 'MNP' },
    { minLength: 2 },
    { maxLength: 1 },
    { minLength: 2, maxLength: 4, variantType: 'DEL' },
    { alt: 'A' },
    { alt: 'TA' },
  ];
  return [...qs, ...qs.map((q, i) => ({ ...q, ...filters[i % filters.length]! }))];
}

const SCOPES = [[1], [2], [1, 2], [2, 1]];

test('the store holds shared and unshared variants, long deletions among them', () => {
  const both = oracle([1, 2], undefined);
  expect(both.filter((k) => k.endsWith(' 1,2')).length).toBeGreaterThan(20);
  expect(both.filter((k) => k.endsWith(' 1')).length).toBeGreaterThan(20);
  expect(both.filter((k) => k.endsWith(' 2')).length).toBeGreaterThan(20);
  expect(Math.max(...maxSpan.values())).toBeGreaterThan(20);
});

test.each(SCOPES)('versions %p: counts and pages of ranges, brackets and filtered queries equal the oracle', (...vs) => {
  const span = Math.max(...vs.map((v) => maxSpan.get(v)!));
  const problems: string[] = [];
  let nonEmpty = 0;
  db.transaction(() => {
    for (const q of queries()) {
      const want = oracle(vs, q);
      if (want.length > 0) nonEmpty++;
      const plan = planRange(q, span);
      const total = scanner.count(vs, 1, plan);
      if (total !== want.length) problems.push(`${JSON.stringify(q)}: count ${total}, want ${want.length}`);
      for (const [skip, limit] of [[0, 1000], [0, 3], [1, 2], [Math.floor(want.length / 2), 4], [want.length - 1, 5], [want.length, 1]] as const) {
        const got = scanner.read(vs, 1, plan, Math.max(0, skip), limit).map((g) => `${g[0]!.start0}:${g[0]!.ref}:${g[0]!.alt} ${g.map((r) => r.v).join(',')}`);
        const expected = want.slice(Math.max(0, skip), Math.max(0, skip) + limit);
        if (JSON.stringify(got) !== JSON.stringify(expected)) problems.push(`${JSON.stringify(q)} skip ${skip} limit ${limit}: ${got.join(' | ')}; want ${expected.join(' | ')}`);
      }
    }
  })();
  expect(nonEmpty).toBeGreaterThan(60);
  expect(problems).toEqual([]);
});

test.each(SCOPES)('versions %p: the whole contig, every skip, pages of 1 and 7', (...vs) => {
  const want = oracle(vs, undefined);
  expect(want.length).toBeGreaterThan(100);
  const plan = { window: { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER } };
  const problems: string[] = [];
  db.transaction(() => {
    if (scanner.count(vs, 1, plan) !== want.length) problems.push(`count ${scanner.count(vs, 1, plan)}`);
    for (let skip = 0; skip <= want.length; skip += 1) {
      for (const limit of [1, 7]) {
        const got = scanner.read(vs, 1, plan, skip, limit).map((g) => `${g[0]!.start0}:${g[0]!.ref}:${g[0]!.alt} ${g.map((r) => r.v).join(',')}`);
        if (JSON.stringify(got) !== JSON.stringify(want.slice(skip, skip + limit))) problems.push(`skip ${skip} limit ${limit}: ${got.join(' | ')}`);
      }
    }
  })();
  expect(problems).toEqual([]);
});

test('an exception in the middle of a scan closes its iterators: the next scan on the same statements works', () => {
  const plan = planRange({ kind: 'range', contig: '1', start0: 0, end0: 700 }, 50);
  let calls = 0;
  const failing = {
    ...plan,
    test: () => {
      if (++calls === 5) throw new Error('boom');
      return true;
    },
  };
  db.transaction(() => {
    expect(() => scanner.read([1, 2], 1, failing, 0, 100)).toThrow('boom');
    expect(() => scanner.count([1, 2], 1, { ...failing, sure: undefined })).not.toThrow();
    expect(scanner.read([1, 2], 1, plan, 0, 3)).toHaveLength(3);
  })();
  expect(calls).toBeGreaterThan(5);
});
