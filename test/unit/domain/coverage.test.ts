import { absentEntry, anClass, coverageSpan, isHit, splitCoverage } from '../../../src/domain/coverage';
import type { DatasetInfo, VariantRecord } from '../../../src/domain/lookup';

const ds: DatasetInfo = {
  id: 'kg', name: '1000 Genomes', assembly: 'GRCh37', mode: 'genotypes', contigs: ['2'], variantCount: 1, version: '3', createdAt: '',
  groups: [
    { key: 'Total', code: 'Total', label: 'Total', kinds: ['ac', 'an', 'nhomalt', 'nhemi'] },
    { key: 'AFR', code: 'AFR', label: 'African', kinds: ['ac', 'an'] },
  ],
};

test('an absent entry: AC 0 and no carriers of the kinds the group reports, of its AN; groups without AN left out', () => {
  expect(absentEntry(ds, [1258, undefined])).toEqual({
    datasetId: 'kg', source: '1000 Genomes', version: '3', filters: [], absent: true,
    populations: [{ code: 'Total', label: 'Total', counts: { ac: 0, an: 1258, nhomalt: 0, nhemi: 0 } }],
  });
  expect(absentEntry(ds, [null, undefined])).toBeUndefined();
});

test('ploidy classes: autosomes, PARs and non-PAR X/Y apart (GRCh37 PAR1 ends at 2,699,520)', () => {
  expect(anClass('2', 5, 'GRCh37')).toBe('2');
  expect(anClass('X', 100_000, 'GRCh37')).toBe('X:PAR');
  expect(anClass('X', 3_000_000, 'GRCh37')).toBe('X');
  expect(anClass('Y', 3_000_000, 'GRCh37')).toBe('Y');
});

test('coverage span: the reference bases, or for an insertion the bases on both sides', () => {
  expect(coverageSpan({ start0: 10, ref: 'A', alt: 'G' })).toEqual({ start0: 10, end0: 11 });
  expect(coverageSpan({ start0: 10, ref: 'ACG', alt: '' })).toEqual({ start0: 10, end0: 13 });
  expect(coverageSpan({ start0: 10, ref: '', alt: 'T' })).toEqual({ start0: 9, end0: 11 });
});

test('split: a hit keeps present and pooled entries; absent ones and not-covered datasets go beside it', () => {
  const present = { datasetId: 'a', source: 'A', filters: [], populations: [] };
  const absent = { ...absentEntry(ds, [10, 4])!, datasetId: 'b' };
  const pooled = { datasetId: 'pooled', source: 'Pooled', filters: [], populations: [], pooled: { contributors: ['a', 'b'], missing: [] } };
  const rec: VariantRecord = { assembly: 'GRCh37', contig: '2', trimmed: { start0: 1, ref: 'A', alt: 'G' }, display: { start0: 1, ref: 'A', alt: 'G' }, rsids: [], frequencies: [pooled, present, absent], notCovered: [{ datasetId: 'c', source: 'C' }] };
  const s = splitCoverage(rec);
  expect(s.hit!.frequencies).toEqual([pooled, present]);
  expect(s.hit!.notCovered).toBeUndefined();
  expect(s.coverage!.frequencies).toEqual([absent]);
  expect(s.coverage!.notCovered).toEqual([{ datasetId: 'c', source: 'C' }]);
  // Nothing present: no hit; the pooled sum (AC 0 of the covering ANs) goes with the coverage.
  const zero = splitCoverage({ ...rec, frequencies: [pooled, absent] });
  expect(isHit({ ...rec, frequencies: [pooled, absent] })).toBe(false);
  expect(zero.hit).toBeUndefined();
  expect(zero.coverage!.frequencies).toEqual([pooled, absent]);
});
