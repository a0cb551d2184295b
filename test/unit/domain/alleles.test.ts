import { anchoredForm, leftAlign, trimAlleles, variantType } from '../../../src/domain/alleles';

test('trimming: suffix first, then prefix; case-insensitive', () => {
  expect(trimAlleles(100, 'A', 'G')).toEqual({ start0: 100, ref: 'A', alt: 'G' });
  expect(trimAlleles(100, 'ctg', 'atg')).toEqual({ start0: 100, ref: 'C', alt: 'A' });
  expect(trimAlleles(16050128, 'G', 'GACA')).toEqual({ start0: 16050129, ref: '', alt: 'ACA' });
  expect(trimAlleles(99, 'ACA', 'A')).toEqual({ start0: 99, ref: 'AC', alt: '' });
  // homopolymer insertion: the suffix goes first, so the event sits at the left end
  expect(trimAlleles(10, 'A', 'AA')).toEqual({ start0: 10, ref: '', alt: 'A' });
});

test('padded and trimmed writings of a variant share one key', () => {
  const padded = trimAlleles(16050128, 'G', 'GACA');
  const trimmed = trimAlleles(16050129, '', 'ACA');
  expect(trimmed).toEqual(padded);
});

test('anchored form puts the VCF anchor base back for indels only', () => {
  expect(anchoredForm({ start0: 16050129, ref: '', alt: 'ACA' }, 'G')).toEqual({ start0: 16050128, ref: 'G', alt: 'GACA' });
  expect(anchoredForm({ start0: 5, ref: 'A', alt: 'G' }, 'C')).toEqual({ start0: 5, ref: 'A', alt: 'G' });
  expect(anchoredForm({ start0: 5, ref: '', alt: 'G' }, undefined)).toEqual({ start0: 5, ref: '', alt: 'G' });
});

test('left-alignment shifts through a repeat', () => {
  const seq = 'GCACACAT'; // 0-based; a CA deletion written at the right end of the CACACA repeat
  const slice = (s: number, e: number) => seq.slice(s, e);
  expect(leftAlign({ start0: 5, ref: 'CA', alt: '' }, slice)).toEqual({ start0: 1, ref: 'CA', alt: '' });
  expect(leftAlign({ start0: 3, ref: 'A', alt: 'G' }, slice)).toEqual({ start0: 3, ref: 'A', alt: 'G' });
});

test('variant types', () => {
  expect(variantType({ start0: 0, ref: 'A', alt: 'G' })).toBe('SNP');
  expect(variantType({ start0: 0, ref: 'AC', alt: 'GT' })).toBe('MNP');
  expect(variantType({ start0: 0, ref: '', alt: 'G' })).toBe('INS');
  expect(variantType({ start0: 0, ref: 'A', alt: '' })).toBe('DEL');
});
