import { parseGetRequest, parsePostRequest } from '../../../src/beacon/request';

const LIMITS = { maxLimit: 1000, maxRangeBases: 10_000_000, defaultGranularity: 'record' as const };

test('GET: comma lists make a bracket; limit 0 means the cap; any case and U are accepted', () => {
  const r = parseGetRequest({ referenceName: 'chr2', start: '100,200', end: '300,400', limit: '0', requestedGranularity: 'COUNT' }, LIMITS);
  expect(r.query).toEqual({ kind: 'bracket', contig: '2', startMin0: 100, startMax0: 200, endMin0: 300, endMax0: 400 });
  expect(r.limit).toBe(1000);
  expect(r.granularity).toBe('count');
  const s = parseGetRequest({ referenceName: '22', start: '16050074', referenceBases: 'a', alternateBases: 'u' }, LIMITS);
  expect(s.query).toEqual({ kind: 'sequence', contig: '22', start0: 16050074, ref: 'A', alt: 'T' });
});

test('an empty allele may be written - or .', () => {
  const r = parseGetRequest({ referenceName: '20', start: '41543685', referenceBases: 'TAAG', alternateBases: '-' }, LIMITS);
  expect(r.query).toEqual({ kind: 'sequence', contig: '20', start0: 41543685, ref: 'TAAG', alt: '' });
});

test('a RefSeq accession pins the assembly; the misspelled OpenAPI names are accepted', () => {
  expect(parseGetRequest({ referenceName: 'refseq:NC_000022.11', start: '5', end: '9' }, LIMITS).assembly).toBe('GRCh38');
  expect(parseGetRequest({ geneid: 'BRCA1', variantType: 'SNP' }, LIMITS).query).toEqual({ kind: 'gene', geneId: 'BRCA1', variantType: 'SNP' });
  expect(() => parseGetRequest({ allele: 'NC_000022.11:g.5A>G' }, LIMITS)).toThrow(/genomicAlleleShortForm: not supported here/);
  expect(() => parseGetRequest({ geneId: 'BRCA1;drop' }, LIMITS)).toThrow(/not a gene symbol or Ensembl gene id/);
});

test('POST: flat and nested requestParameters, pagination inside query or (older docs) at the root', () => {
  const params = { referenceName: '1', start: [10], end: [20] };
  const a = parsePostRequest({ meta: { apiVersion: 'v2.0' }, query: { requestParameters: params, pagination: { skip: 5, limit: 7 } } }, LIMITS);
  const b = parsePostRequest({ meta: { apiVersion: 'v2.0' }, query: { requestParameters: { g_variant: params } }, pagination: { skip: 5, limit: 7 } }, LIMITS);
  expect(a.query).toEqual(b.query);
  expect([a.skip, a.limit]).toEqual([5, 7]);
  expect([b.skip, b.limit]).toEqual([5, 7]);
  expect(parsePostRequest(undefined, LIMITS).query).toEqual({ kind: 'all' });
});

test('range filters are checked', () => {
  const r = parseGetRequest({ referenceName: '1', start: '0', end: '100', variantType: 'del', variantMinLength: '2' }, LIMITS);
  expect(r.query).toMatchObject({ kind: 'range', variantType: 'DEL', minLength: 2 });
  expect(() => parseGetRequest({ referenceName: '1', start: '0', end: '100', variantType: 'CNV' }, LIMITS)).toThrow(/variantType 'CNV' is not supported; use SNP, MNP, INS, DEL or INDEL/);
});
