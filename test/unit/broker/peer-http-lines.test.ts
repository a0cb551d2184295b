import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PeerHttp } from '../../../src/broker/peer-http';
import type { Peer } from '../../../src/broker/peers';

/**
 * Line mode of the broker's peer client (afb-counts/1 answers are read line by line as they come):
 * the lines must come out whole and in order however the body is cut into chunks, a line split
 * across several chunks (one holding no newline at all), empty lines, a last line with no newline,
 * and multi-byte characters cut in the middle. A real server on port 0 writes the chunks with a
 * pause between them, so each arrives as its own read.
 */
let server: Server;
let chunks: Buffer[] = [];

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    // One chunk at a time, 5 ms apart.
    const send = (i: number): void => {
      if (i === chunks.length) return void res.end();
      res.write(chunks[i]);
      setTimeout(() => send(i + 1), 5);
    };
    send(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function peer(): Peer {
  return { id: 'p', name: 'p', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, assemblies: ['GRCh38'], timeoutMs: 5000, kind: 'afb' } as Peer;
}

async function read(parts: string[] | Buffer[]): Promise<string[]> {
  chunks = parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
  const http = new PeerHttp();
  const lines: string[] = [];
  try {
    await http.lines(peer(), { method: 'GET', path: '/x', signal: new AbortController().signal, maxBytes: 1 << 20 }, (l) => lines.push(l));
  } finally {
    await http.close();
  }
  return lines;
}

test.each([
  ['one chunk', ['a\nbb\nccc\n']],
  ['a line across three chunks, the middle one without a newline', ['a\nb', 'bbb', 'b\nc\n']],
  ['a chunk that is only a newline, then empty lines', ['a', '\n', '\n\nb\n']],
  ['the last line without a newline', ['a\nb', 'c']],
  ['a chunk ending exactly at a newline, then one starting with one', ['a\n', '\nb\n']],
])('%s', async (_what, parts) => {
  const text = parts.join('');
  const want = text.split('\n');
  if (want[want.length - 1] === '') want.pop();
  expect(await read(parts)).toEqual(want);
});

test('a multi-byte character cut between chunks is read whole', async () => {
  const body = Buffer.from('["G",0,"FI","Suomi – Å",null]\nx\n');
  const cut = body.indexOf(Buffer.from('Å')) + 1;
  expect(await read([body.subarray(0, cut), body.subarray(cut)])).toEqual(['["G",0,"FI","Suomi – Å",null]', 'x']);
});
