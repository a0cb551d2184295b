/**
 * The wire mapping (beacon/record.ts) both ways: domain record -> wire -> domain is the identity on
 * every field the wire carries; the reader refuses what the domain rules forbid; request bodies the
 * broker builds (beacon/wire-query.ts) parse back (beacon/request.ts) into the query they came from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchoredForm, trimAlleles } from '../../../src/domain/alleles';
import type { DatasetFrequencies, ScanQuery, VariantRecord } from '../../../src/domain/lookup';
import {
  fromWireRecord,
  isPooledEntry,
  POOLED_DATASET_ID,
  toWireRecord,
  WireFormatError,
} from '../../../src/beacon/record';
import { readVariantsResponse, scanRequestBody } from '../../../src/beacon/wire-query';
import { parsePostRequest } from '../../../src/beacon/request';

const own = (datasetId: string, populations: DatasetFrequencies['populations'], extra: Partial<DatasetFrequencies> = {}): DatasetFrequencies => ({
  datasetId,
  source: `Source of ${datasetId}`,
  filters: [],
  populations,
  ...extra,
});

/** A record as a node or broker holds it; `display` is the anchored form of `trimmed` (or trimmed when no anchor is known). */
function rec(contig: string, start0: number, ref: string, alt: string, anchor: string | undefined, frequencies: DatasetFrequencies[], rsids: string[] = []): VariantRecord {
  const trimmed = trimAlleles(start0, ref, alt);
  return { assembly: 'GRCh37', contig, trimmed, display: anchoredForm(trimmed, anchor), rsids, frequencies };
}

const counted = own(
  'kg',
  [
    { code: 'Total', label: 'All samples', counts: { ac: 7, an: 100, nhomalt: 1, nhet: 5, nhemi: 0 } },
    { code: 'afr_XX', label: 'African, female', canonical: 'AFR', counts: { ac: 0, an: 0 } },
    { code: 'FI_M', label: 'Finnish men', canonical: 'FIN', counts: { ac: 2, an: 40, nhemi: 2 } },
  ],
  { version: '2024-05-01T00:00:00Z', origin: 'node-fi/kg@2024-05-01T00:00:00Z' },
);
const afOnly = own('Third party', [
  { code: 'Total', label: 'Total', counts: { af: 0.25 } },
  { code: 'EUR', label: 'European', counts: { af: 0.125, nhomalt: 3 } },
]);
const pooled: DatasetFrequencies = {
  datasetId: POOLED_DATASET_ID,
  source: 'Pooled: 2 of 3 peers (missing ee)',
  filters: [],
  populations: [
    { code: 'Total', label: 'All samples', counts: { ac: 9, an: 140 }, pooledFrom: ['fi:kg', 'se:kg'], frequencyOnly: ['xb:Third party'] },
    { code: 'AFR', label: 'African', canonical: 'AFR', counts: { ac: 0, an: 0 }, pooledFrom: [] },
  ],
  pooled: { contributors: ['fi:kg', 'se:kg', 'xb:Third party'], missing: ['ee'] },
};

const CASES: [string, VariantRecord][] = [
  ['an SNV with counts, canonical codes, labels and an rsID', rec('22', 16050074, 'A', 'G', undefined, [counted], ['rs587697622'])],
  ['an AF-only dataset (third-party Beacon)', rec('2', 10037, 'C', 'A', undefined, [afOnly])],
  ['a broker record: pooled provenance first, then each peer', rec('X', 2699600, 'G', 'T', undefined, [pooled, { ...counted, datasetId: 'fi:kg', source: 'fi: kg' }, afOnly], ['rs1', 'rs22'])],
  ['a deletion with its anchor base', rec('20', 41543684, 'CTAAGG', 'C', 'C', [counted])],
  ['an insertion with its anchor base', rec('1', 1000, 'G', 'GACA', 'G', [counted])],
  ['a deletion without an anchor (empty alternateBases)', rec('1', 1000, 'TA', '', undefined, [counted])],
  ['an insertion without an anchor (empty referenceBases)', rec('MT', 72, '', 'C', undefined, [counted])],
  ['an MNP on a decoy contig', rec('hs37d5', 5, 'AC', 'GT', undefined, [counted])],
];

test.each(CASES)('domain -> wire -> domain is the identity: %s', (_name, r) => {
  const wire = JSON.parse(JSON.stringify(toWireRecord(r, 'https://example.org/afb')));
  const back = fromWireRecord(wire);
  // The wire never carries filters (always []) nor an empty frequencyOnly list; everything else comes back.
  const expected = {
    ...r,
    frequencies: r.frequencies.map((f) => ({
      ...f,
      populations: f.populations.map(({ frequencyOnly, ...p }) => (frequencyOnly && frequencyOnly.length > 0 ? { ...p, frequencyOnly } : p)),
    })),
  };
  expect(back).toEqual(expected);
  expect(back.frequencies.map(isPooledEntry)).toEqual(r.frequencies.map((f) => f.datasetId === POOLED_DATASET_ID));
});

const base = () => JSON.parse(JSON.stringify(toWireRecord(CASES[0]![1], 'x')));

test.each([
  ['AC > AN', (w: any) => Object.assign(w.frequencyInPopulations[0].frequencies[0], { alleleCount: 101 }), /population Total: AC 101 > AN 100/],
  ['a count of 2^53 - 1', (w: any) => Object.assign(w.frequencyInPopulations[0].frequencies[0], { alleleNumber: 2 ** 53 - 1 }), /alleleNumber 9007199254740991 is implausible/],
  ['a heterozygote count that is not a number', (w: any) => Object.assign(w.frequencyInPopulations[0].frequencies[0], { alleleCountHeterozygous: '5' }), /alleleCountHeterozygous "5" is not a number/],
  ['bases outside A C G T N', (w: any) => (w.variation.alternateBases = 'R'), /alternateBases 'R' is not A C G T N/],
  ['a negative start', (w: any) => (w.variation.location.interval.start.value = -1), /not a 0-based position/],
  ['an unknown assembly', (w: any) => (w.assemblyId = 'hg17'), /assemblyId 'hg17'/],
  ['no population code', (w: any) => (w.frequencyInPopulations[0].frequencies[0].population = ''), /a frequency has no population/],
])('the reader refuses %s', (_name, spoil, message) => {
  const w = base();
  spoil(w);
  expect(() => fromWireRecord(w)).toThrow(WireFormatError);
  expect(() => fromWireRecord(w)).toThrow(message);
});

test('a record of another assembly than the answer is refused; a record without assemblyId takes the expected one', () => {
  const w = base();
  expect(() => fromWireRecord(w, { assembly: 'GRCh38' })).toThrow(/a GRCh37 record in a GRCh38 answer/);
  delete w.assemblyId;
  w.variation.location.sequence_id = 'afb:decoy';
  w.referenceName = 'hs37d5';
  expect(fromWireRecord(w, { assembly: 'GRCh38' }).assembly).toBe('GRCh38');
  expect(() => fromWireRecord(w)).toThrow(/names no assembly/);
});

test.each<[string, ScanQuery]>([
  ['a range with filters', { kind: 'range', contig: '20', start0: 0, end0: 5_000_000, alt: 'T', variantType: 'SNP', minLength: 1, maxLength: 3 }],
  ['a bracket', { kind: 'bracket', contig: 'X', startMin0: 100, startMax0: 200, endMin0: 300, endMax0: 400 }],
  ['a bare listing', { kind: 'all' }],
])('the scan body the broker sends parses back into the same query: %s', (_name, q) => {
  const limits = { maxLimit: 1000, maxRangeBases: 10_000_000, defaultGranularity: 'boolean' as const };
  const asRecords = parsePostRequest(scanRequestBody('GRCh37', q, 250, 'record'), limits);
  expect(asRecords).toMatchObject({ assembly: 'GRCh37', query: q, granularity: 'record', skip: 0, limit: 250 });
  const asCount = parsePostRequest(scanRequestBody('GRCh37', q, 0, 'count'), limits);
  expect(asCount).toMatchObject({ query: q, granularity: 'count' });
  expect(parsePostRequest(scanRequestBody('GRCh37', q, 1, 'record', ['kg', 'fi:kg']), limits).datasetIds).toEqual(['kg', 'fi:kg']);
});

test('a response envelope reads back its records and summary; a Beacon error is a WireFormatError', () => {
  const w = base();
  const body = { responseSummary: { exists: true, numTotalResults: 12 }, response: { resultSets: [{ id: 'kg', results: [w] }] } };
  const read = readVariantsResponse(body, 'GRCh37');
  expect(read.total).toBe(12);
  expect(read.records).toEqual([fromWireRecord(w)]);
  expect(() => readVariantsResponse({ error: { errorCode: 400, errorMessage: 'bad' } }, 'GRCh37')).toThrow(WireFormatError);
  expect(() => readVariantsResponse({ responseSummary: { numTotalResults: -1 } }, 'GRCh37')).toThrow(/numTotalResults -1/);
});

test("the page's pooled-entry id is the wire module's POOLED_DATASET_ID", () => {
  const page = readFileSync(join(__dirname, '..', '..', '..', 'src', 'server', 'public', 'app.js'), 'utf8');
  expect(/const POOLED_DATASET_ID = '([^']*)';/.exec(page)?.[1]).toBe(POOLED_DATASET_ID);
});
