import { contigOfSequenceId, fromWireRecord, ImpossibleCountsError } from '../../../src/beacon/record';
import { readVariantsResponse } from '../../../src/beacon/wire-query';
import { impliedTotal, withImpliedTotal } from '../../../src/domain/implied-total';
import type { PopulationCounts } from '../../../src/domain/lookup';

test.each([
  ['HGVSid:21:g.9411383C>T', '21', undefined], // pi-api, ri-tools-v2 (0-based there), mini-node (1-based)
  ['HGVSid:chrX:g.100A>G', 'X', undefined],
  ['HGVSid:MT:g.73A>G', 'MT', undefined],
  ['refseq:NC_000002.11', '2', 'GRCh37'], // afb before issue 10, VRS
  ['NC_000002.12', '2', 'GRCh38'],
  ['NC_000021.8:g.7232464_7232465insC', '21', undefined], // an HGVS expression: the accession names the contig only
  ['chr22', '22', undefined],
  ['22', '22', undefined],
])('sequence_id %s names contig %s', (sid, contig, assembly) => {
  const c = contigOfSequenceId(sid);
  expect(c?.contig).toBe(contig);
  expect(c?.assembly).toBe(assembly);
});

test('a VRS digest names no contig', () => {
  expect(contigOfSequenceId('ga4gh:SQ.ss8r_wB0-b9r44TQTMmVTI92884QvBiB')).toBeUndefined();
});

function record(sequenceId: string, extra: Record<string, unknown> = {}, freq: Record<string, unknown> = { population: 'Total', alleleFrequency: 0.25, alleleCount: 1, alleleNumber: 4 }) {
  return {
    variation: { variantType: 'SNP', referenceBases: 'C', alternateBases: 'T', location: { type: 'SequenceLocation', sequence_id: sequenceId, interval: { type: 'SequenceInterval', start: { type: 'Number', value: 9411382 }, end: { type: 'Number', value: 9411383 } } } },
    frequencyInPopulations: [{ source: 'gnomAD', sourceReference: 'x', frequencies: [freq] }],
    ...extra,
  };
}

test('a pi-api record: contig from HGVSid, the GRCh38 accession of genomicHGVSId does not refuse a GRCh37 answer', () => {
  const r = fromWireRecord(record('HGVSid:21:g.9411382C>T', { identifiers: { genomicHGVSId: 'NC_000021.9:g.9411383C>T' } }), { assembly: 'GRCh37' });
  expect([r.assembly, r.contig, r.trimmed.start0]).toEqual(['GRCh37', '21', 9411382]);
});

test('the contig falls back to genomicHGVSId when sequence_id names none', () => {
  const r = fromWireRecord(record('ga4gh:SQ.xyz', { identifiers: { genomicHGVSId: 'NC_000021.8:g.9411383C>T' } }), { assembly: 'GRCh37' });
  expect(r.contig).toBe('21');
});

test('mini-node populations dialect is read and reported; entries without datasetId are named by their result set', () => {
  const raw = record('HGVSid:21:g.9411383C>T');
  const fip = raw.frequencyInPopulations[0] as Record<string, unknown>;
  fip.populations = fip.frequencies;
  fip.numberOfPopulations = 1;
  delete fip.frequencies;
  const read = readVariantsResponse({ response: { resultSets: [{ id: 'A', results: [raw] }, { id: 'B', results: [record('21')] }] } }, 'GRCh37');
  expect(read.dialects).toEqual(['populations-for-frequencies']);
  expect(read.records.map((r) => r.frequencies[0]!.datasetId)).toEqual(['A', 'B']);
});

test('lenient reading refuses an impossible record alone and names it; strict reading refuses the answer', () => {
  const bad = record('HGVSid:21:g.7232463A>AC', {}, { population: 'Total', alleleFrequency: 0.35, alleleCount: 14, alleleNumber: 40, alleleCountHomozygous: 12 });
  const answer = { response: { resultSets: [{ id: 'ds', results: [bad, record('21')] }] } };
  const read = readVariantsResponse(answer, 'GRCh37', { lenient: true });
  expect(read.records).toHaveLength(1);
  expect(read.rejected).toEqual(['record HGVSid:21:g.7232463A>AC in ds: population Total: 2 x nhomalt = 24 > AC 14']);
  expect(() => readVariantsResponse(answer, 'GRCh37')).toThrow(ImpossibleCountsError);
});

const pop = (code: string): PopulationCounts => ({ code, label: code, counts: { ac: 1, an: 10 } });

test.each([
  [['JP'], 'JP'],
  [['DEMO'], 'DEMO'],
  [['FI', 'FI_M', 'FI_F'], 'FI'],
  [['Total', 'FI'], undefined],
  [['FI', 'EE'], undefined],
  [['M', 'F'], undefined],
])('populations %j imply the total %s', (codes, total) => {
  expect(impliedTotal(codes.map(pop))?.code).toBe(total);
});

test('an implied total becomes a Total row first; the group row stays', () => {
  const e = withImpliedTotal({ datasetId: 'd', source: 's', filters: [], populations: [pop('FI'), pop('FI_M')] });
  expect(e.populations.map((p) => p.code)).toEqual(['Total', 'FI', 'FI_M']);
  expect(e.populations[0]!.counts).toEqual({ ac: 1, an: 10 });
});
