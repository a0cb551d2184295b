/**
 * Reading a VCF data line for annotation: 1-based POS to 0-based start once, each ALT asked or
 * skipped for a stated reason, columns after INFO left untouched, bad lines named by line.
 */
import { readRecord } from '../../../src/annotate/record';
import { annotationFields, pooledGroups } from '../../../src/annotate';
import type { DatasetInfo } from '../../../src/domain/lookup';

test('a multi-allelic genotype line: each ALT asked or skipped with its reason; genotype columns kept as one string', () => {
  const r = readRecord('chr22\t16050075\trs1\tA\tG,<DEL>,*,AT\t50\tPASS\tDP=3\tGT\t0|1', 9, 'in.vcf', undefined);
  expect(r.fixed).toEqual(['chr22', '16050075', 'rs1', 'A', 'G,<DEL>,*,AT', '50', 'PASS']);
  expect(r.info).toBe('DP=3');
  expect(r.rest).toBe('\tGT\t0|1');
  expect(r.asks).toEqual([{ contig: '22', start0: 16050074, ref: 'A', alt: 'G' }, 'symbolic', 'symbolic', { contig: '22', start0: 16050074, ref: 'A', alt: 'AT' }]);
});

test('a pasted five-column line is a record; contigs no dataset holds and non-bases are skipped, not asked', () => {
  const r = readRecord('2\t10\t.\tA\tG', 3, 'x', new Set(['1']));
  expect(r.info).toBe('.');
  expect(r.fixed.slice(5)).toEqual(['.', '.']);
  expect(r.asks).toEqual(['contig_not_held']);
  expect(readRecord('NC_000099.1\t10\t.\tA\tG', 3, 'x', undefined).asks).toEqual(['unknown_contig']);
  expect(readRecord('1\t10\t.\tA\tR', 3, 'x', undefined).asks).toEqual(['not_sequence']);
});

test('bad lines name the input and the line', () => {
  expect(() => readRecord('1\t10\t.\tA', 7, 'in.vcf', undefined)).toThrow('in.vcf:7: 4 columns; a VCF record needs at least CHROM POS ID REF ALT, tab-separated');
  expect(() => readRecord('1\t0\t.\tA\tG', 8, 'in.vcf', undefined)).toThrow("in.vcf:8: POS '0' must be a 1-based integer position");
});

test('fields: the populations the datasets pool into, by canonical code, the overall group first; an unknown population named', () => {
  const ds = (groups: DatasetInfo['groups']): DatasetInfo => ({ id: 'd', name: 'd', assembly: 'GRCh37', mode: 'sites', groups, contigs: ['1'], variantCount: 1, version: '1', createdAt: '' });
  const groups = pooledGroups([
    ds([{ key: '', code: 'Total', label: 'All', kinds: ['ac', 'an', 'nhomalt'] }, { key: 'afr', code: 'afr', label: 'African', kinds: ['ac', 'an'] }]),
    ds([{ key: 'AFR', code: 'AFR', label: 'Africa', kinds: ['ac', 'an', 'nhemi'] }, { key: 'x-y', code: 'x-y', label: 'odd', kinds: ['ac'] }]),
  ]);
  expect(groups.map((g) => [g.code, [...g.kinds].sort().join()])).toEqual([['Total', 'ac,af,an,faf95,faf99,nhomalt'], ['AFR', 'ac,af,an,faf95,faf99,nhemi'], ['x-y', 'ac']]);
  expect(annotationFields(groups, 'AFB_').map((f) => f.id)).toEqual(['AFB_AC', 'AFB_AN', 'AFB_AF', 'AFB_nhomalt', 'AFB_faf95', 'AFB_faf99', 'AFB_AC_AFR', 'AFB_AN_AFR', 'AFB_AF_AFR', 'AFB_nhemi_AFR', 'AFB_faf95_AFR', 'AFB_faf99_AFR', 'AFB_AC_x_y']);
  expect(annotationFields(groups, 'X_', ['afr']).map((f) => f.id)).toEqual(['X_AC_AFR', 'X_AN_AFR', 'X_AF_AFR', 'X_nhemi_AFR', 'X_faf95_AFR', 'X_faf99_AFR']);
  expect(() => annotationFields(groups, 'AFB_', ['EUR'])).toThrow('populations: EUR not in the datasets in scope; they have Total, AFR, x-y');
});
