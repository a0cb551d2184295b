import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AfbError } from '../domain/errors';

/** The longest VCF line annotation reads (a 100,000-sample genotype line is ~400 kB). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * The lines of a VCF given as bytes (a file stream, an HTTP request body), plain or gzip/BGZF
 * (recognised by the gzip magic, so a client need not say), in the chunks they arrive in, without
 * terminators. Memory is one chunk plus one partial line; a longer line than `maxLineBytes` stops
 * the read with an error naming `source` and the line, rather than growing without bound.
 */
export async function* vcfLines(bytes: AsyncIterable<Uint8Array>, source: string, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<string[]> {
  let lineNo = 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const tooLong = () => new AfbError('INVALID_VCF', `${source}:${lineNo}: the line is longer than ${maxLineBytes} bytes; a VCF line this long is almost certainly not a VCF`);
  for await (const buf of decompressed(bytes, source)) {
    let from = 0;
    const out: string[] = [];
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      const piece = buf.subarray(from, nl);
      if (pendingBytes + piece.length > maxLineBytes) throw tooLong();
      const line = pendingBytes > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingBytes = 0;
      const text = line.toString('utf8');
      out.push(text.endsWith('\r') ? text.slice(0, -1) : text);
      lineNo++;
      from = nl + 1;
    }
    if (from < buf.length) {
      pendingBytes += buf.length - from;
      if (pendingBytes > maxLineBytes) throw tooLong();
      pending.push(buf.subarray(from));
    }
    if (out.length > 0) yield out;
  }
  if (pendingBytes > 0) {
    const text = Buffer.concat(pending).toString('utf8');
    yield [text.endsWith('\r') ? text.slice(0, -1) : text];
  }
}

/** The bytes, gunzipped when they start with the gzip magic (BGZF is gzip members, read one after another). */
async function* decompressed(bytes: AsyncIterable<Uint8Array>, source: string): AsyncGenerator<Buffer> {
  const it = bytes[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = Buffer.from(first.value);
  const rest = (async function* () {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield Buffer.from(n.value);
  })();
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield* rest;
    return;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  const input = Readable.from(rest);
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (e) {
    if (e instanceof AfbError) throw e;
    throw new AfbError('INVALID_VCF', `${source}: the compressed data is damaged or truncated (${(e as Error).message})`, { cause: e });
  } finally {
    input.destroy();
  }
}
