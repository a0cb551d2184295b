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
 * Lines of a VCF (plain, gzip or BGZF; path or URL) in chunks, without line terminators.
 * CRLF files work: the '\r' is removed here so it never ends up inside the last field.
 *
 * Linear in the input: each byte is scanned for '\n' once, a partial line waits as a list of
 * buffers (joined once, when its end arrives), and a line longer than `maxLineBytes` stops the
 * read with an error naming file and line instead of growing without bound.
 */
export async function* readLineChunks(input: string, onBytes?: (compressedBytes: number) => void, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<LineChunk> {
  const bytes = await openByteStream(input);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 1;
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
      const lines = decodeLines(head);
      yield { firstLine: lineNo, lines };
      lineNo += lines.length;
      const rest = buf.subarray(lastNl + 1);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
      if (pendingBytes > maxLineBytes) throw tooLong();
    }
  } finally {
    bytes.destroy();
  }
  if (pendingBytes > 0) {
    const carry = Buffer.concat(pending).toString('utf8');
    const l = carry.charCodeAt(carry.length - 1) === 13 ? carry.slice(0, -1) : carry;
    yield { firstLine: lineNo, lines: [l] };
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

/** Whole lines as bytes: `lines` lines from line `firstLine` on, each ended by '\n' (the file's last one perhaps not). */
export interface LineBlock {
  firstLine: number;
  lines: number;
  /** Its own ArrayBuffer (never Node's shared pool), so it can be transferred to another thread. */
  bytes: Uint8Array;
}

/**
 * The lines of a VCF (plain, gzip or BGZF; path or URL) as undecoded blocks: first the header
 * (every leading line that starts with '#', perhaps none), then the data lines `blockLines` at a
 * time. What ingest's parser threads are fed from (ingest/parse-runner.ts): the file is read and
 * decompressed once, here, and each thread decodes and parses only its own blocks.
 * A line longer than `maxLineBytes` stops the read with the same error as readLineChunks.
 */
export async function* readLineBlocks(input: string, blockLines: number, onBytes?: (compressedBytes: number) => void, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<LineBlock> {
  const bytes = await openByteStream(input);
  // The block being gathered: whole pieces of decompressed data, and where its lines start.
  let pieces: Buffer[] = [];
  let firstLine = 1;
  let lines = 0;
  let inHeader = true;
  // The line being read: its length so far, and whether the next byte starts a line.
  let lineBytes = 0;
  let atLineStart = true;
  const tooLong = (): AfbError =>
    new AfbError(
      'INVALID_VCF',
      `${input}:${firstLine + lines}: the line is longer than ${maxLineBytes} bytes (the limit; --max-line-bytes raises it); a VCF line this long is almost certainly damaged or not a VCF`,
    );
  const take = (): LineBlock => {
    const block = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) {
      block.set(p, at);
      at += p.length;
    }
    const out = { firstLine, lines, bytes: block };
    firstLine += lines;
    lines = 0;
    pieces = [];
    return out;
  };
  try {
    for await (const buf of decompressed(bytes, input, onBytes)) {
      // Lines [seg, from) of this piece belong to the block being gathered.
      let seg = 0;
      let from = 0;
      while (from < buf.length) {
        if (inHeader && atLineStart && buf[from] !== 0x23) {
          // The first line that is not a header line: the header block ends before it.
          if (from > seg) pieces.push(buf.subarray(seg, from));
          seg = from;
          inHeader = false;
          yield take();
        }
        const nl = buf.indexOf(10, from);
        lineBytes += (nl < 0 ? buf.length : nl) - from;
        if (lineBytes > maxLineBytes) throw tooLong();
        if (nl < 0) {
          from = buf.length;
          atLineStart = false;
          break;
        }
        from = nl + 1;
        atLineStart = true;
        lineBytes = 0;
        lines++;
        if (!inHeader && lines === blockLines) {
          pieces.push(buf.subarray(seg, from));
          seg = from;
          yield take();
        }
      }
      if (from > seg) pieces.push(buf.subarray(seg, from));
    }
  } finally {
    bytes.destroy();
  }
  if (!atLineStart) lines++; // the last line, without its '\n'
  if (inHeader || lines > 0) yield take();
}

/** A block's lines as strings (what readLineChunks would have yielded for them). */
export function blockChunk(block: LineBlock): LineChunk {
  const b = Buffer.from(block.bytes.buffer, block.bytes.byteOffset, block.bytes.byteLength);
  if (block.lines === 0) return { firstLine: block.firstLine, lines: [] };
  return { firstLine: block.firstLine, lines: decodeLines(b[b.length - 1] === 10 ? b.subarray(0, b.length - 1) : b) };
}

/** Whole lines with '\n' between them, as strings without a trailing '\r' each. */
function decodeLines(bytes: Buffer): string[] {
  const lines = bytes.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}
