/** The stored key of a VRS digest is its first 48 bits as Node's own Buffer.readIntBE reads them (the oracle), at any offset and sign. */
import { randomBytes } from 'node:crypto';
import { vrsKey } from '../../../src/store/vrs-column';

test('vrsKey equals Buffer.readIntBE(offset, 6), negative and positive', () => {
  const cases = [Buffer.alloc(30, 0xff), Buffer.alloc(30, 0), Buffer.from([0x80, 0, 0, 0, 0, 0, 1, 2]), Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0])];
  for (let i = 0; i < 200; i++) cases.push(randomBytes(30));
  let negative = 0;
  for (const b of cases) {
    for (const offset of [0, 1, b.length - 6]) {
      expect(vrsKey(b, offset)).toBe(b.readIntBE(offset, 6));
      if (vrsKey(b, offset) < 0) negative++;
    }
  }
  expect(negative).toBeGreaterThan(0);
});
