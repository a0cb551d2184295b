/** The stored key of a VRS digest is its first 48 bits as Node's own Buffer.readIntBE reads them (the oracle), at any offset and sign. */
import { randomBytes } from 'node:crypto';
import { digestInto, vrsKey } from '../../../src/store/vrs-column';

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

test('digestInto decodes a digest exactly as Buffer base64url does, at an offset, and refuses what is not a digest', () => {
  const out = new Uint8Array(24 * 3);
  for (let i = 0; i < 200; i++) {
    const bytes = randomBytes(24);
    const digest = bytes.toString('base64url');
    expect(digestInto(digest, out, 24)).toBe(true);
    expect(Buffer.from(out.subarray(24, 48)).equals(Buffer.from(digest, 'base64url'))).toBe(true);
  }
  expect(digestInto('z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxX', out, 0)).toBe(false); // 31 characters
  expect(digestInto('z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxX+', out, 0)).toBe(false); // '+' is base64, not base64url
  expect(digestInto('z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxX\u00c1', out, 0)).toBe(false); // Á (0xC1) is not 'A' (0x41)
});
