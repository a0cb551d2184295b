import { poolPopulations, type Contribution } from '../../../src/domain/pooling';
import { canonicalPopulation } from '../../../src/domain/populations';
import { alleleFrequency } from '../../../src/domain/counts';

const contribution = (contributor: string, pops: [string, Record<string, number>][]): Contribution => ({
  contributor,
  frequencies: { datasetId: contributor, source: contributor, filters: [], populations: pops.map(([code, counts]) => ({ code, label: code, counts })) },
});

test('vocabularies map to canonical codes', () => {
  expect(canonicalPopulation('nfe')).toBe('NFE');
  expect(canonicalPopulation('EUR')).toBe('EUR');
  expect(canonicalPopulation('afr_XX')).toBe('AFR_XX');
  expect(canonicalPopulation('AFR_Female')).toBe('AFR_XX');
  expect(canonicalPopulation('FI_M')).toBe('FI_M');
  expect(canonicalPopulation('fi_XY')).toBe('FI_M');
  expect(canonicalPopulation('EE_female')).toBe('EE_F');
  expect(canonicalPopulation('Total')).toBe('Total');
  expect(canonicalPopulation('Basque')).toBeUndefined();
  expect(canonicalPopulation('Basque', new Map([['Basque', 'EUR']]))).toBe('EUR');
});

test('integer counts are summed per canonical population and AF computed once', () => {
  const pooled = poolPopulations([
    contribution('fi', [['Total', { ac: 3, an: 100, nhomalt: 1 }], ['afr', { ac: 1, an: 20, nhomalt: 0 }]]),
    contribution('ee', [['Total', { ac: 2, an: 50, nhomalt: 0 }], ['AFR', { ac: 0, an: 10, nhomalt: 0 }]]),
    contribution('xx', [['Total', { af: 0.5 }]]),
  ]);
  const total = pooled.find((p) => p.code === 'Total')!;
  expect(total.counts).toEqual({ ac: 5, an: 150, nhomalt: 1 });
  expect(total.pooledFrom).toEqual(['fi', 'ee']);
  expect(total.frequencyOnly).toEqual(['xx']);
  expect(alleleFrequency(total.counts)).toBeCloseTo(5 / 150, 12);
  expect(pooled.find((p) => p.code === 'AFR')!.counts).toEqual({ ac: 1, an: 30, nhomalt: 0 });
});

test('a kind missing from one contributor is not pooled; unmapped codes pool only with identical codes', () => {
  const pooled = poolPopulations([
    contribution('a', [['Basque', { ac: 1, an: 10, nhomalt: 0 }]]),
    contribution('b', [['Basque', { ac: 2, an: 10 }], ['basque', { ac: 5, an: 10 }]]),
  ]);
  expect(pooled.find((p) => p.code === 'Basque')!.counts).toEqual({ ac: 3, an: 20 });
  expect(pooled.find((p) => p.code === 'basque')!.counts).toEqual({ ac: 5, an: 10 });
});
