/**
 * The values annotation writes for one ALT: AF formatted as bcftools +fill-tags does (%g, six
 * significant digits; checked against the engine's own toPrecision, the oracle), derived values
 * only for the fields asked, withheld counts never written as numbers.
 */
import { alleleValues, formatAf } from '../../../src/annotate/values';
import { annotatedKinds, annotationFields, pooledGroups } from '../../../src/annotate/fields';
import { filteringAlleleFrequency } from '../../../src/domain/faf';
import type { DatasetInfo, VariantRecord } from '../../../src/domain/lookup';

const byToPrecision = (af: number): string => (af === 0 || af === 1 ? String(af) : String(Number(af.toPrecision(6))));

test('formatAf is String(Number(af.toPrecision(6))) for every AC/AN up to AN 600, random ones, ties and powers of ten', () => {
  const differ: number[] = [];
  const check = (x: number) => {
    if (formatAf(x) !== byToPrecision(x)) differ.push(x);
  };
  for (let an = 1; an <= 600; an++) for (let ac = 0; ac <= an; ac++) check(ac / an);
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 50_000; i++) {
    const an = Math.floor(rnd() * 2e6) + 1;
    check(Math.floor(rnd() * an) / an);
    check(rnd() * 10 ** (-rnd() * 20));
  }
  // Six-digit ties (x.xxxxx5) and numbers next to powers of ten, a few ulps either side.
  for (let e = -19; e <= 0; e++) {
    for (const m of [1, 1.000005, 0.9999995, 9.999995, 9.9999949, 1.234565, 5.000005]) {
      const x = m * 10 ** e;
      for (let d = -3; d <= 3; d++) check(x + d * Number.EPSILON * x);
    }
  }
  check(1e-16);
  check(1.5);
  expect(differ).toEqual([]);
  expect([formatAf(0), formatAf(1), formatAf(1 / 3), formatAf(1e-6), formatAf(2.5e-7)]).toEqual(['0', '1', '0.333333', '0.000001', '2.5e-7']);
});

test('fields: a list of kinds keeps only those, in INFO order; an unknown kind is named with the known ones', () => {
  const ds: DatasetInfo = { id: 'd', name: 'd', assembly: 'GRCh37', mode: 'sites', groups: [{ key: '', code: 'Total', label: 'All', kinds: ['ac', 'an', 'nhomalt'] }, { key: 'afr', code: 'afr', label: 'African', kinds: ['ac', 'an'] }], contigs: ['1'], variantCount: 1, version: '1', createdAt: '' };
  const groups = pooledGroups([ds]);
  expect(annotationFields(groups, 'AFB_', undefined, annotatedKinds(['nhomalt', 'af', 'AC'])).map((f) => f.id)).toEqual(['AFB_AC', 'AFB_AF', 'AFB_nhomalt', 'AFB_AC_AFR', 'AFB_AF_AFR']);
  expect(annotatedKinds(undefined)).toBeUndefined();
  expect(() => annotatedKinds(['AC', 'DP'])).toThrow('fields: DP unknown; the counts annotation writes are AC, AN, AF, nhomalt, nhemi, faf95, faf99');
});

test('values: FAF of the pooled counts at the confidence its field names; withheld counts and what derives from them missing and named', () => {
  const ds: DatasetInfo = { id: 'd', name: 'd', assembly: 'GRCh37', mode: 'sites', groups: [{ key: '', code: 'Total', label: 'All', kinds: ['ac', 'an', 'nhomalt'] }, { key: 'afr', code: 'afr', label: 'African', kinds: ['ac', 'an', 'nhomalt'] }], contigs: ['1'], variantCount: 1, version: '1', createdAt: '' };
  const fields = annotationFields(pooledGroups([ds]), 'AFB_');
  const record: VariantRecord = {
    assembly: 'GRCh37', contig: '1', trimmed: { start0: 9, ref: 'A', alt: 'G' }, display: { start0: 9, ref: 'A', alt: 'G' }, rsids: [],
    frequencies: [{
      datasetId: 'pooled', source: 'Pooled', filters: [], pooled: { contributors: ['n1:d', 'n2:d'], missing: ['n3'] },
      populations: [
        { code: 'Total', label: 'All', counts: { ac: 40, an: 20_000, nhomalt: 1 } },
        { code: 'AFR', label: 'African', canonical: 'AFR', counts: { an: 5000, nhomalt: 0 }, withheld: ['ac'] },
      ],
    }],
  };
  const v = alleleValues(record, fields);
  const value = (id: string) => v.values[fields.findIndex((f) => f.id === id)];
  expect(value('AFB_AC')).toBe('40');
  expect(value('AFB_AF')).toBe('0.002');
  expect(value('AFB_faf95')).toBe(formatAf(filteringAlleleFrequency(40, 20_000, 0.95)!));
  expect(value('AFB_faf99')).toBe(formatAf(filteringAlleleFrequency(40, 20_000, 0.99)!));
  expect(Number(value('AFB_faf99'))).toBeLessThan(Number(value('AFB_faf95')));
  expect(value('AFB_AN_AFR')).toBe('5000');
  expect([value('AFB_AC_AFR'), value('AFB_AF_AFR'), value('AFB_faf95_AFR')]).toEqual([undefined, undefined, undefined]);
  expect(v.withheld).toEqual(['AFB_AC_AFR', 'AFB_AF_AFR', 'AFB_faf95_AFR', 'AFB_faf99_AFR']);
  expect(v.missing).toEqual(['n3']);
  expect(v.contributors).toEqual(['n1:d', 'n2:d']);
});
