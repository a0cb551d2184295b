/**
 * Withheld counts on the wire (docs/api.md "Withheld counts"): absent, never 0, named; records stay
 * valid against the Beacon v2 schemas; a broker reads the markers back and never pools a withheld
 * count as if it were 0 or missing; TSV leaves the cell empty, names it and states the rule.
 */
import { discloseRecord } from '../../../src/domain/disclosure';
import { poolPopulations } from '../../../src/domain/pooling';
import { toWireRecord } from '../../../src/beacon/record';
import { tsvHeader, tsvRows } from '../../../src/beacon/tsv';
import { readPeerRecord } from '../../../src/broker/peer-answer';
import { mergeVariant } from '../../../src/broker/merge';
import type { Peer } from '../../../src/broker/peers';
import type { DatasetFrequencies, VariantRecord } from '../../../src/domain/lookup';
import { schemaErrors } from '../../helpers/beacon-schemas';

const peer = (id: string): Peer => ({ id, name: id, url: `http://${id}.example/api`, assemblies: ['GRCh37'], timeoutMs: 1000, kind: 'afb' });

function entry(id: string, afr: { ac: number; an: number; nhomalt: number; nhet: number }, eur: { ac: number; an: number; nhomalt: number; nhet: number }): DatasetFrequencies {
  const sum = { ac: afr.ac + eur.ac, an: afr.an + eur.an, nhomalt: afr.nhomalt + eur.nhomalt, nhet: afr.nhet + eur.nhet };
  return {
    datasetId: id,
    source: id,
    filters: [],
    populations: [
      { code: 'Total', label: 'Total', counts: sum },
      { code: 'AFR', label: 'African', counts: afr },
      { code: 'EUR', label: 'European', counts: eur },
    ],
  };
}

const record = (frequencies: DatasetFrequencies[]): VariantRecord => ({
  assembly: 'GRCh37',
  contig: '2',
  trimmed: { start0: 10296, ref: 'G', alt: 'T' },
  display: { start0: 10296, ref: 'G', alt: 'T' },
  rsids: [],
  frequencies,
});

const rare = entry('kg', { ac: 2, an: 200, nhomalt: 0, nhet: 2 }, { ac: 40, an: 300, nhomalt: 5, nhet: 30 });
const common = entry('other', { ac: 20, an: 200, nhomalt: 0, nhet: 20 }, { ac: 40, an: 300, nhomalt: 5, nhet: 30 });

test('a rare entry under k = 5: every carrier count of every group withheld, AN kept, 9 cells counted', () => {
  const { record: r, withheldCells } = discloseRecord(record([rare, common]), () => 5);
  expect(withheldCells).toBe(9);
  const kg = r.frequencies[0]!;
  expect(kg.minCount).toBe(5);
  for (const p of kg.populations) {
    expect(p.counts).toEqual({ an: p.code === 'Total' ? 500 : p.code === 'AFR' ? 200 : 300 });
    expect(p.withheld?.sort()).toEqual(['ac', 'nhet', 'nhomalt']);
  }
  expect(r.frequencies[1]).toBe(common);
});

test('k = 1 changes nothing; k = 2 is applied as 3', () => {
  const r = record([entry('kg', { ac: 2, an: 200, nhomalt: 0, nhet: 2 }, { ac: 0, an: 300, nhomalt: 0, nhet: 0 })]);
  expect(discloseRecord(r, () => 1)).toEqual({ record: r, withheldCells: 0 });
  expect(discloseRecord(r, () => 2).withheldCells).toBeGreaterThan(0);
});

test('on the wire: withheld populations leave frequencies (AF would be required), the entry is valid and says what is withheld', () => {
  const disclosed = discloseRecord(record([rare, common]), () => 5).record;
  const wire = toWireRecord(disclosed, 'ref');
  expect(schemaErrors('variant', wire)).toEqual([]);
  expect(wire.frequencyInPopulations.map((f) => f.datasetId)).toEqual(['other']);
  const hidden = wire.frequencyInPopulationsWithheld![0]!;
  expect(hidden.minCount).toBe(5);
  expect(hidden.populationsWithheld![1]).toEqual({
    population: 'AFR',
    populationLabel: 'African',
    alleleNumber: 200,
    countsWithheld: ['alleleCount', 'alleleCountHomozygous', 'alleleCountHeterozygous', 'alleleFrequency'],
  });
  expect(JSON.stringify(wire)).not.toMatch(/"alleleCount":2\b/);
});

test('TSV: the rule as a comment, withheld cells empty and named', () => {
  expect(tsvHeader(5).split('\n')[0]).toMatch(/^# counts below k=5 are withheld/);
  expect(tsvHeader()).not.toMatch(/^#/);
  const wire = toWireRecord(discloseRecord(record([rare]), () => 5).record, 'ref');
  const rows = tsvRows('', wire).trim().split('\n').map((l) => l.split('\t'));
  expect(rows).toHaveLength(3);
  expect(rows[1]!.slice(5, 14)).toEqual(['AFR', 'African', '', '200', '', '', '', '', 'alleleCount,alleleCountHomozygous,alleleCountHeterozygous,alleleFrequency']);
  // Nothing is derived from a withheld count: the FAF cells of that row stay empty.
  expect(rows[1]!.slice(14, 16)).toEqual(['', '']);
});

test('a broker reads withheld markers back and withholds the pooled row: never a sum without the withheld part', () => {
  const node = (id: string, e: DatasetFrequencies) => toWireRecord(discloseRecord(record([{ ...e, datasetId: 'kg', origin: `${id}/kg@1` }]), () => 5).record, 'ref');
  const a = readPeerRecord(node('fi', rare), peer('fi'), 'GRCh37');
  const b = readPeerRecord(node('ee', common), peer('ee'), 'GRCh37');
  expect(a.frequencies[0]!.populations[1]).toEqual({ code: 'AFR', label: 'African', counts: { an: 200 }, withheld: ['ac', 'nhomalt', 'nhet', 'af'] });
  const merged = mergeVariant('GRCh37', [{ peerId: 'fi', variant: a }, { peerId: 'ee', variant: b }], ['fi', 'ee'], []).record;
  const pooled = merged.frequencies[0]!;
  const total = pooled.populations.find((p) => p.code === 'Total')!;
  expect(total.counts).toEqual({ an: 1000 });
  expect(total.withheld?.sort()).toEqual(['ac', 'nhet', 'nhomalt']);
  expect(total.pooledFrom).toEqual(['fi:kg', 'ee:kg']);
  // Disclosed again at the broker: the pooled entry is withheld whole, the healthy node's row stays.
  const out = discloseRecord(merged, () => 5).record;
  expect(out.frequencies[0]!.populations.every((p) => p.counts.ac === undefined)).toBe(true);
  expect(out.frequencies[2]!.populations[0]!.counts.ac).toBe(60);
  expect(schemaErrors('variant', toWireRecord(out, 'ref'))).toEqual([]);
});

test('pooling: only withheld contributions for a population give a withheld row, not a missing one', () => {
  const p = poolPopulations([
    { contributor: 'fi', frequencies: { datasetId: 'kg', source: 'kg', filters: [], populations: [{ code: 'AFR', label: 'AFR', counts: { an: 10 }, withheld: ['ac'] }] } },
  ]);
  expect(p).toEqual([{ code: 'AFR', label: 'AFR', canonical: 'AFR', counts: { an: 10 }, pooledFrom: ['fi'], frequencyOnly: [], withheld: ['ac'] }]);
});
