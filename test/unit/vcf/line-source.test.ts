import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readLineChunks } from '../../../src/vcf/line-source';

const dir = mkdtempSync(join(tmpdir(), 'afb-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lines(path: string, max?: number): Promise<{ first: number[]; all: string[] }> {
  const first: number[] = [];
  const all: string[] = [];
  for await (const c of readLineChunks(path, undefined, max)) {
    expect(c.firstLine).toBe(all.length + 1);
    first.push(c.firstLine);
    all.push(...c.lines);
  }
  return { first, all };
}

// Reads come in 1 MiB pieces: put a 2-byte character and a CRLF across that boundary.
const BOUNDARY = 1 << 20;
const text = 'a'.repeat(BOUNDARY - 1) + 'é\r\nsecond line\r\n' + 'x'.repeat(3 * BOUNDARY) + '\nlast without newline\r';
const want = ['a'.repeat(BOUNDARY - 1) + 'é', 'second line', 'x'.repeat(3 * BOUNDARY), 'last without newline'];

test.each([
  ['plain', (b: Buffer) => b],
  ['gzip', (b: Buffer) => gzipSync(b)],
])('%s: lines split exactly, UTF-8 and CRLF across read boundaries, numbered from 1', async (kind, encode) => {
  const path = join(dir, `t-${kind}`);
  writeFileSync(path, encode(Buffer.from(text, 'utf8')));
  expect((await lines(path)).all).toEqual(want);
});

test('a line over the limit is an error naming the file and line number', async () => {
  const path = join(dir, 'long');
  writeFileSync(path, 'short\n' + 'y'.repeat(5000) + '\nafter\n');
  await expect(lines(path, 4096)).rejects.toThrow(new RegExp(`${path}:2: the line is longer than 4096 bytes`));
  expect((await lines(path, 5000)).all).toEqual(['short', 'y'.repeat(5000), 'after']);
});
