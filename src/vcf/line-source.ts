import { createReadStream, open, promises as fsp } from 'node:fs';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AfbError } from '../domain/errors';
import { isUrl, openFilehandle } from './file-handle';

/** A run of consecutive lines; `firstLine` is the 1-based line number of `lines[0]`. */
export interface LineChunk {
  firstLine: number;
  lines: string[];
}


/** The raw bytes of a local path or an http(s) URL (streamed, never read whole). */
async function openByteStream(input: string): Promise<Readable> {
  if (isUrl(input)) {
    let res: Response;
    try {
      res = await fetch(input);
    } catch (e) {
      throw new AfbError('INVALID_INPUT_FILE', `${input}: cannot fetch: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok || !res.body) throw new AfbError('INVALID_INPUT_FILE', `${input}: HTTP ${res.status} fetching the VCF`);
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }
  let isFifo: boolean;
  try {
    await fsp.access(input);
    isFifo = (await fsp.stat(input)).isFIFO();
  } catch (e) {
    throw new AfbError('INVALID_INPUT_FILE', `${input}: no such file or not readable`, { cause: e });
  }
  if (isFifo) {
    // A named pipe is read like a socket (non-blocking, polled), not with blocking reads on the
    // thread pool: a blocking read of a stalled pipe cannot be cancelled, and would keep an
    // interrupted ingest's parser thread, and so the process, alive until the writer sends more.
    const fd = await new Promise<number>((resolve, reject) => open(input, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
    return new Socket({ fd, readable: true, writable: false });
  }
  return createReadStream(input, { highWaterMark: 1 << 20 });
}

/**
 * Decompress when the stream starts with the gzip magic (gzip and BGZF alike: BGZF is a series
 * of gzip members, which node's gunzip reads one after another); pass plain text through.
 */
async function* decompressed(bytes: Readable, input: string, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  const it = bytes[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value as Buffer;
  onBytes?.(head.length);
  const rest = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        onBytes?.((n.value as Buffer).length);
        yield n.value as Buffer;
      }
    })(),
  );
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    rest.on('error', (e) => gunzip.destroy(e));
    rest.pipe(gunzip);
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (e) {
      const msg = (e as Error).message;
      throw new AfbError(
        'INVALID_INPUT_FILE',
        `${input}: the compressed data is damaged or truncated (${msg}); check the download or re-run bgzip`,
        { cause: e },
      );
    }
  } else {
    for await (const chunk of rest) yield chunk as Buffer;
  }
}

/** The longest line read by default: 64 MiB (a 2,500-sample genotype line is ~10 kB, a gnomAD INFO ~20 kB). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Which lines a reader wants decoded: asked at the start of each run of lines, it answers how
 * many lines from `lineNo` on form the run and whether they are stepped over. Parser threads
 * that share a file (ingest/file-parser.ts Share) each want only their own blocks: the others'
 * lines are counted (for exact line numbers) but never turned into strings.
 */
export type LineRuns = (lineNo: number) => { skip: boolean; lines: number };

/**
 * Lines of a VCF (plain, gzip or BGZF; path or URL) in chunks, without line terminators.
 * With `runs`, the lines of skipped runs are left out of the chunks (each chunk's lines are
 * still consecutive, and `firstLine` exact).
 * CRLF files work: the '\r' is removed here so it never ends up inside the last field.
 *
 * Linear in the input: each byte is scanned for '\n' once, a partial line waits as a list of
 * buffers (joined once, when its end arrives), and a line longer than `maxLineBytes` stops the
 * read with an error naming file and line instead of growing without bound.
 */
export async function* readLineChunks(
  input: string,
  onBytes?: (compressedBytes: number) => void,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  runs?: LineRuns,
): AsyncGenerator<LineChunk> {
  const bytes = await openByteStream(input);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 1;
  // The run being read when `runs` is given; it may continue past a chunk's end.
  const run: RunState = { next: 1, left: 0, skip: false };
  const tooLong = (line = lineNo): AfbError =>
    new AfbError(
      'INVALID_VCF',
      `${input}:${line}: the line is longer than ${maxLineBytes} bytes (the limit; --max-line-bytes raises it); a VCF line this long is almost certainly damaged or not a VCF`,
    );
  try {
    for await (const buf of decompressed(bytes, input, onBytes)) {
      const lastNl = buf.lastIndexOf(10);
      if (lastNl < 0) {
        pendingBytes += buf.length;
        if (pendingBytes > maxLineBytes) throw tooLong();
        pending.push(buf);
        continue;
      }
      if (pendingBytes > 0 && pendingBytes + buf.indexOf(10) > maxLineBytes) throw tooLong();
      // Split on the '\n' byte: it never occurs inside a multi-byte UTF-8 character, so each piece decodes on its own.
      const head = pendingBytes > 0 ? Buffer.concat([...pending, buf.subarray(0, lastNl)]) : buf.subarray(0, lastNl);
      if (head.length > maxLineBytes) {
        // Only a piece longer than the limit can hold a line that is: find it (memchr, linear).
        for (let from = 0, n = lineNo; from <= head.length; n++) {
          const nl = head.indexOf(10, from);
          const end = nl < 0 ? head.length : nl;
          if (end - from > maxLineBytes) throw tooLong(n);
          from = end + 1;
        }
      }
      if (runs) {
        for (const chunk of runChunks(head, lineNo, runs, run)) yield chunk;
        lineNo = run.next;
      } else {
        const lines = decodeLines(head, 0, head.length);
        yield { firstLine: lineNo, lines };
        lineNo += lines.length;
      }
      const rest = buf.subarray(lastNl + 1);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
      if (pendingBytes > maxLineBytes) throw tooLong();
    }
  } finally {
    bytes.destroy();
  }
  if (pendingBytes > 0) {
    if (runs) {
      for (const chunk of runChunks(Buffer.concat(pending), lineNo, runs, run)) yield chunk;
      return;
    }
    const carry = Buffer.concat(pending).toString('utf8');
    const l = carry.charCodeAt(carry.length - 1) === 13 ? carry.slice(0, -1) : carry;
    yield { firstLine: lineNo, lines: [l] };
  }
}

/** `bytes[from, to)` (whole lines, '\n' between them) as strings, without a trailing '\r' each. */
function decodeLines(bytes: Buffer, from: number, to: number): string[] {
  const lines = bytes.toString('utf8', from, to).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

interface RunState {
  /** The line number of the next line. */
  next: number;
  /** Lines left in the current run, and whether it is skipped. */
  left: number;
  skip: boolean;
}

/**
 * The chunks of `head` (whole lines, the first numbered `firstLine`) that `runs` wants decoded.
 * A skipped run is stepped over with indexOf ('\n' found by memchr), never decoded.
 */
function* runChunks(head: Buffer, firstLine: number, runs: LineRuns, run: RunState): Generator<LineChunk> {
  run.next = firstLine;
  let pos = 0;
  while (pos <= head.length) {
    if (run.left <= 0) {
      const r = runs(run.next);
      run.left = Math.max(1, r.lines);
      run.skip = r.skip;
    }
    // The end of the run's lines in this piece: after `n` lines, or at the piece's end.
    let end = pos;
    let n = 0;
    while (n < run.left && end <= head.length) {
      const nl = head.indexOf(10, end);
      end = nl < 0 ? head.length + 1 : nl + 1;
      n++;
    }
    if (!run.skip) yield { firstLine: run.next, lines: decodeLines(head, pos, end - 1) };
    run.next += n;
    run.left -= n;
    pos = end;
  }
}

/** Size in bytes of a local file or a URL (Content-Length), for the progress bar; undefined when unknown. */
export async function inputSize(input: string): Promise<number | undefined> {
  try {
    if (isUrl(input)) {
      const res = await fetch(input, { method: 'HEAD' });
      const n = Number(res.headers.get('content-length'));
      return Number.isFinite(n) && n > 0 ? n : undefined;
    }
    return (await openFilehandle(input).stat()).size;
  } catch {
    return undefined;
  }
}
