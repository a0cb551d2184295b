import { pos1ToStart0, start0ToPos1 } from '../../../src/domain/coordinates';
import { formatVariantId, parseRsid, parseVariantId } from '../../../src/domain/variant-id';

test('VCF POS 16050075 is the 0-based interval [16050074, 16050075)', () => {
  expect(pos1ToStart0(16050075)).toBe(16050074);
  expect(start0ToPos1(16050074)).toBe(16050075);
  expect(start0ToPos1(pos1ToStart0(1))).toBe(1);
});

test('gnomAD-style ids are 1-based and round-trip', () => {
  expect(parseVariantId('22-16050075-A-G')).toEqual({ contigName: '22', pos1: 16050075, ref: 'A', alt: 'G' });
  expect(parseVariantId('chr22:16050075:a:g')).toEqual({ contigName: '22', pos1: 16050075, ref: 'A', alt: 'G' });
  expect(parseVariantId('X-100-AT-A')?.contigName).toBe('X');
  expect(parseVariantId('22-0-A-G')).toBeUndefined();
  expect(parseVariantId('22-16050075-A')).toBeUndefined();
  expect(formatVariantId('22', 16050074, 'A', 'G')).toBe('22-16050075-A-G');
  expect(parseRsid('rs6054257')).toBe(6054257);
  expect(parseRsid('6054257')).toBeUndefined();
});

test('an id with - for an empty allele (an indel afb could not anchor) reads back', () => {
  expect(parseVariantId('22-16050130---ACA')).toEqual({ contigName: '22', pos1: 16050130, ref: '', alt: 'ACA' });
  expect(parseVariantId('22-16050130-ACA--')).toEqual({ contigName: '22', pos1: 16050130, ref: 'ACA', alt: '' });
});
