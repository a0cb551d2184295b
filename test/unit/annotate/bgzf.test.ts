/**
 * BGZF output (SAM spec §4.1): what `afb annotate --output x.vcf.gz` writes must be gzip that any
 * reader takes, in blocks whose BC extra field gives each block's size (what tabix and bcftools
 * seek by), ending with the spec's EOF block. Checked by walking the blocks and against
 * @gmod/bgzf-filehandle, a BGZF reader nobody here wrote.
 */
import { gunzipSync } from 'node:zlib';
import { unzip } from '@gmod/bgzf-filehandle';
import { BgzfWriter } from '../../../src/annotate';
import { rng as seeded } from '../../helpers/prng';

test('BGZF: blocks of at most 64 KiB, each BSIZE right, the EOF block last; gunzip and a BGZF reader give the text back', async () => {
  const rng = seeded(11);
  const parts: string[] = [];
  for (let i = 0; i < 3000; i++) parts.push(`22\t${16050000 + i}\t.\tA\tG\t.\t.\tAFB_AC=${Math.floor(rng() * 1e6)};AFB_AN=5008\n`.repeat(1 + Math.floor(rng() * 3)));
  const w = new BgzfWriter();
  const blocks = [...parts.flatMap((p) => w.push(p)), ...w.end()];
  const all = Buffer.concat(blocks);
  const text = parts.join('');
  expect(gunzipSync(all).toString('utf8')).toBe(text);
  let at = 0;
  let n = 0;
  while (at < all.length) {
    expect([all[at], all[at + 1], all[at + 3]]).toEqual([0x1f, 0x8b, 4]);
    expect(all.subarray(at + 12, at + 14).toString('latin1')).toBe('BC');
    const size = all.readUInt16LE(at + 16) + 1;
    expect(size).toBeLessThanOrEqual(65536);
    at += size;
    n++;
  }
  expect(at).toBe(all.length);
  expect(n).toBeGreaterThan(3);
  expect(all.subarray(all.length - 28).toString('hex')).toBe('1f8b08040000000000ff0600424302001b0003000000000000000000');
  expect(Buffer.from(await unzip(all)).toString('utf8')).toBe(text);
});
