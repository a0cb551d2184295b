import { CountsEncoder, decodeCounts } from '../../../src/store/codec';

test('counts round-trip exactly, missing stays missing, zero stays zero', () => {
  const enc = new CountsEncoder();
  const values = [0, 1, 127, 128, 16383, 16384, 152312, 2 ** 31 - 1, NaN, 0.00012345];
  const isAf = values.map((_, i) => i === values.length - 1);
  const blob = enc.encode(values, isAf);
  expect(decodeCounts(blob, isAf)).toEqual([0, 1, 127, 128, 16383, 16384, 152312, 2 ** 31 - 1, undefined, 0.00012345]);
  // 1 bitmap byte, then 1 byte for a small count, 3 for a gnomAD-sized AN, 1 for missing; zeros cost nothing more
  expect(enc.encode([5, 152312, NaN, 0, 0], [false, false, false, false, false]).length).toBe(6);
});
