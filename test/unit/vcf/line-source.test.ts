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

test.each([
  ['plain', (b: Buffer) => b],
  ['gzip', (b: Buffer) => gzipSync(b)],
])('%s: with runs, exactly the kept lines, with their own line numbers, across read boundaries', async (kind, encode) => {
  // ~30,000 lines of varied length (2.4 MiB: runs cross the 1 MiB reads), CRLF on some, no final newline.
  const all: string[] = [];
  for (let i = 0; i < 30_000; i++) all.push(`${i}\t${'z'.repeat((i * 37) % 150)}${i % 7 === 0 ? '\r' : ''}`);
  const path = join(dir, `runs-${kind}`);
  writeFileSync(path, encode(Buffer.from(all.join('\n'), 'utf8')));
  const expected = all.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  // Runs of 1,000 lines from line 1, every third one kept; the first 5 lines asked one at a time.
  const asked: number[] = [];
  const runs = (lineNo: number): { skip: boolean; lines: number } => {
    asked.push(lineNo);
    if (lineNo <= 5) return { skip: false, lines: 1 };
    const r = Math.floor((lineNo - 1) / 1000);
    return { skip: r % 3 !== 0, lines: 1000 - ((lineNo - 1) % 1000) };
  };
  const got = new Map<number, string>();
  for await (const c of readLineChunks(path, undefined, undefined, runs)) c.lines.forEach((l, i) => got.set(c.firstLine + i, l));
  const want = new Map<number, string>();
  expected.forEach((l, i) => {
    if (i < 5 || Math.floor(i / 1000) % 3 === 0) want.set(i + 1, l);
  });
  expect(got).toEqual(want);
  // Each run is asked for once, at its first line.
  expect(asked).toEqual([1, 2, 3, 4, 5, 6, ...Array.from({ length: 29 }, (_, k) => (k + 1) * 1000 + 1)]);
});
