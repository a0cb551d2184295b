/**
 * afb-counts/1 lines both ways: a round trip is the identity on what a broker uses (alleles,
 * counts, withheld kinds, origins, pooled provenance), and the reader refuses, naming the line,
 * every answer it cannot trust: truncation, unknown groups and datasets, impossible and implausible
 * counts, out-of-order or unasked variants, a count both sent and withheld, keys out of form.
 */
import { CountsReader, CountsWriter } from '../../../src/beacon/counts-lines';
import { parseCountsRequest } from '../../../src/beacon/counts-protocol';
import { ImpossibleCountsError, WireFormatError } from '../../../src/beacon/record';
import type { VariantRecord } from '../../../src/domain/lookup';

const rec = (start0: number, alt = 'G'): VariantRecord => ({
  assembly: 'GRCh37',
  contig: '22',
  trimmed: { start0, ref: 'A', alt },
  display: { start0, ref: 'A', alt },
  rsids: ['rs123'],
  frequencies: [
    {
      datasetId: 'kg',
      source: '1000 Genomes',
      version: '3',
      filters: [],
      origin: 'node-a/kg@2026',
      populations: [
        { code: 'Total', label: 'Total', counts: { ac: 12, an: 5008, nhomalt: 1, nhet: 10 } },
        { code: 'AFR', label: 'African', canonical: 'afr', counts: { an: 1322 }, withheld: ['ac', 'nhomalt', 'nhet'] },
      ],
      minCount: 5,
    },
    {
      datasetId: 'pooled',
      source: 'Pooled: 1 of 2 peers',
      filters: [],
      populations: [{ code: 'Total', label: 'Total', counts: { ac: 12, an: 5008 } }],
      pooled: { contributors: ['a:kg'], missing: ['b'] },
    },
  ],
});

function read(text: string, expect: { op: 'alleles' | 'scan'; queries?: number; pooled?: boolean } = { op: 'alleles', queries: 10 }): CountsReader {
  const r = new CountsReader('GRCh37', expect);
  for (const l of text.split('\n')) r.line(l);
  r.finish();
  return r;
}

function answer(records: VariantRecord[], op: 'alleles' | 'scan' = 'alleles'): string {
  const w = new CountsWriter();
  return w.header({ op, granularity: 'record', ...(op === 'scan' ? { total: records.length } : {}) }) + records.map((r, i) => w.variant(i * 2, r)).join('') + w.end();
}

test('round trip: an entry whose declared fields differ from the last of its dataset id is declared anew (pooled lists, missing peers, minCount, origin)', () => {
  const variants = [rec(100), rec(200), rec(300), rec(400), rec(500), rec(600)];
  variants[1]!.frequencies[1]!.pooled = { contributors: ['a:kg', 'c:kg'], missing: [] };
  variants[2]!.frequencies[1]!.pooled = { contributors: ['a:kg'], missing: ['b'] };
  variants[3]!.frequencies[0]!.minCount = 10;
  variants[4]!.frequencies[0]!.origin = 'node-b/kg@2026';
  variants[5]!.frequencies[1]!.pooled!.missing.push('c');
  const text = answer(variants);
  // kg: minCount 5 from node-a, minCount 10, origin node-b; pooled: ([a:kg],[b]), ([a:kg, c:kg],[]), ([a:kg],[b, c]).
  expect(text.split('\n').filter((l) => l.startsWith('["D"')).length).toBe(6);
  const back = read(text, { op: 'alleles', queries: 12 }).variants.map((v) => v.record.frequencies.map((f) => [f.datasetId, f.minCount, f.origin, f.pooled?.contributors.join(), f.pooled?.missing.join()]));
  expect(back).toEqual(variants.map((v) => v.frequencies.map((f) => [f.datasetId, f.minCount, f.origin, f.pooled?.contributors.join(), f.pooled?.missing.join()])));
});

test('round trip: the records come back as written (dataset and group names sent once)', () => {
  const text = answer([rec(100), rec(200, 'T')]);
  expect(text.split('\n').filter((l) => l.startsWith('["D"')).length).toBe(2);
  expect(text.split('\n').filter((l) => l.startsWith('["G"')).length).toBe(2);
  const r = read(text);
  expect(r.variants.map((v) => v.q)).toEqual([0, 2]);
  const back = r.variants[0]!.record;
  const orig = rec(100);
  expect(back).toEqual({ ...orig, frequencies: orig.frequencies.map((f) => ({ ...f })) });
  expect(r.variants[1]!.record.trimmed).toEqual({ start0: 200, ref: 'A', alt: 'T' });
});

test('keys mode: trimmed keys only, counted by the end line', () => {
  const w = new CountsWriter();
  const text = w.header({ op: 'scan', granularity: 'record', total: 2 }) + w.key(rec(1)) + w.key(rec(2)) + w.end();
  expect(read(text, { op: 'scan' }).keys).toEqual([
    { contig: '22', start0: 1, ref: 'A', alt: 'G' },
    { contig: '22', start0: 2, ref: 'A', alt: 'G' },
  ]);
});

const good = answer([rec(100)]);
const lines = good.trim().split('\n');
const withLine = (i: number, l: string) => [...lines.slice(0, i), l, ...lines.slice(i + 1)].join('\n');
const variantLine = lines.findIndex((l) => l.startsWith('["V"'));
const v = JSON.parse(lines[variantLine]!);
const vWith = (f: (x: any[]) => void) => {
  const copy = JSON.parse(JSON.stringify(v));
  f(copy);
  return withLine(variantLine, JSON.stringify(copy));
};

test.each([
  ['a cut stream (no end line)', lines.slice(0, -1).join('\n'), /truncated answer/],
  ['an empty answer', '', /empty answer/],
  ['an end line that counts otherwise', withLine(lines.length - 1, '["E",2]'), /counts 2 lines; 1 came/],
  ['a line after the end', good + '["E",1]\n', /after the end line/],
  ['another protocol', withLine(0, '{"protocol":"afb-counts/2","op":"alleles","granularity":"record"}'), /is not afb-counts\/1/],
  ['an unknown line kind', withLine(variantLine, '["Z",1]'), /unknown line kind/],
  ['an undeclared group', vWith((x) => (x[7][1] = 9)), /group 9 was not declared/],
  ['an undeclared dataset', vWith((x) => (x[7][0] = 7)), /dataset 7 was not declared/],
  ['an implausible count', vWith((x) => (x[7][3] = 9e15)), /is not a count|implausible/],
  ['a negative count', vWith((x) => (x[7][2] = -1)), /is not a count/],
  ['a count both sent and withheld', vWith((x) => (x[7][8] = 1)), /both sent and withheld/],
  ['a variant index asked by nobody', vWith((x) => (x[1] = 10)), /answers no query/],
  ['bases that are not', vWith((x) => (x[5] = 'X')), /are not A C G T N/],
  ['a contig that is not canonical', vWith((x) => (x[2] = 'chr22')), /not a canonical contig/],
  ['a dataset entry of the wrong shape', vWith((x) => x[7].push(1)), /not \[d, populations/],
])('refused: %s', (_what, text, message) => {
  expect(() => read(text)).toThrow(WireFormatError);
  expect(() => read(text)).toThrow(message);
});

test('impossible counts (AC > AN, 2 x hom > AC) are ImpossibleCountsError, from the domain rules', () => {
  for (const text of [vWith((x) => (x[7][2] = 6000)), vWith((x) => (x[7][4] = 7))]) expect(() => read(text)).toThrow(ImpossibleCountsError);
});

test('variants out of order, and keys out of trimmed form, are refused', () => {
  const w = new CountsWriter();
  const twice = w.header({ op: 'alleles', granularity: 'record' }) + w.variant(3, rec(1)) + w.variant(3, rec(2)) + w.end();
  expect(() => read(twice)).toThrow(/is not after 3/);
  const untrimmed = '{"protocol":"afb-counts/1","op":"scan","granularity":"record","total":1}\n["K","22",5,"AG","AT"]\n["E",1]\n';
  expect(() => read(untrimmed, { op: 'scan' })).toThrow(/not in trimmed form/);
});

test('coverage: an absent entry (AC 0 of its AN) and the datasets that did not cover the position come back; an absent entry with a carrier is refused', () => {
  const r: VariantRecord = {
    ...rec(300),
    frequencies: [{ datasetId: 'gno', source: 'gnomAD', filters: [], absent: true, populations: [{ code: 'Total', label: 'Total', counts: { ac: 0, an: 1500 } }] }],
    notCovered: [{ datasetId: 'exac', source: 'ExAC', origin: 'node-a/exac@1' }],
  };
  const w = new CountsWriter();
  const text = w.header({ op: 'alleles', granularity: 'record' }) + w.variant(0, r) + w.end();
  const back = read(text).variants[0]!.record;
  expect(back.frequencies).toEqual(r.frequencies);
  expect(back.notCovered).toEqual(r.notCovered);
  const carrier = text.replace('[0,0,0,1500,', '[0,0,2,1500,');
  expect(carrier).not.toBe(text);
  expect(() => read(carrier)).toThrow(/marked absent but carries a non-zero count/);
});

test("an indel's VRS id comes back; one that is not a ga4gh:VA id is refused", () => {
  const vrs = 'ga4gh:VA.' + 'a'.repeat(32);
  const indel: VariantRecord = { ...rec(400), trimmed: { start0: 401, ref: '', alt: 'T' }, display: { start0: 400, ref: 'A', alt: 'AT' }, vrsId: vrs };
  const w = new CountsWriter();
  const text = w.header({ op: 'alleles', granularity: 'record' }) + w.variant(0, indel) + w.end();
  expect(read(text).variants[0]!.record.vrsId).toBe(vrs);
  expect(() => read(text.replace(vrs, 'ga4gh:VA.short'))).toThrow(/is not a ga4gh:VA id/);
});

test('pooled answers (afb-counts/1+pooled): the pooled entry alone, withheld kinds kept; the reader holds the header to what was asked', () => {
  const withheldPooled = rec(100);
  withheldPooled.frequencies[1]!.populations.push({ code: 'AFR', label: 'African', canonical: 'afr', counts: { an: 1322 }, withheld: ['ac', 'nhomalt'] });
  const nodeOnly: VariantRecord = { ...rec(200, 'T'), frequencies: [rec(200, 'T').frequencies[0]!] };
  const w = new CountsWriter();
  const text = w.header({ op: 'alleles', granularity: 'record', pooled: true }) + w.variant(0, withheldPooled, true) + w.variant(1, nodeOnly, true) + w.end();
  const r = read(text, { op: 'alleles', queries: 2, pooled: true });
  // A broker's record: its pooled entry only, the withheld kinds still withheld (no count in their place).
  expect(r.variants[0]!.record.frequencies).toEqual([withheldPooled.frequencies[1]]);
  expect(r.variants[0]!.record.frequencies[0]!.populations[1]).toEqual({ code: 'AFR', label: 'African', canonical: 'afr', counts: { an: 1322 }, withheld: ['ac', 'nhomalt'] });
  // A node's record (no pooled entry): whole.
  expect(r.variants[1]!.record.frequencies).toEqual(nodeOnly.frequencies);
  // Asked pooled, answered whole (or the reverse): refused, naming it.
  expect(() => read(answer([rec(100)]), { op: 'alleles', queries: 10, pooled: true })).toThrow(/pooled entries asked/);
  expect(() => read(text, { op: 'alleles', queries: 2 })).toThrow(/a pooled answer, not asked/);
});

test('the pooled option is validated like every field of a request', () => {
  const limits = { maxBatch: 10, maxRangeBases: 1000 };
  const ask = (extra: Record<string, unknown>) => parseCountsRequest({ op: 'alleles', assemblyId: 'GRCh38', variants: [['22', 100, 'A', 'G']], ...extra }, limits);
  expect(ask({ pooled: true })).toMatchObject({ op: 'alleles', pooled: true });
  expect(ask({})).toMatchObject({ op: 'alleles', pooled: false });
  expect(() => ask({ pooled: 'yes' })).toThrow(/pooled must be true or false/);
  expect(() => parseCountsRequest({ op: 'scan', query: { kind: 'all' }, limit: 0, pooled: true }, limits)).toThrow(/only with op 'alleles'/);
});
