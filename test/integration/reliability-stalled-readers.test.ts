/**
 * Issue 16, defect 5: a client that never reads its answer must not keep it in server memory
 * forever. Answers are written with back-pressure (the server produces the next part only when the
 * client has taken the last), and a connection that takes nothing for `sendTimeoutMs` is closed.
 */
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { loadServerConfig } from '../../src/config/server-config';
import { startServer, type RunningServer } from '../../src/server';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { rawPost, responseBody } from '../helpers/raw-http';

const tmp = tempDir();
let server: RunningServer;
let closeStore: () => void;
let body: string;

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  const store = openStoreLookup(db);
  closeStore = () => store.close();
  const config = { ...loadServerConfig(undefined, {}, {}), port: 0, logLevel: 'silent' as const, sendTimeoutMs: 1500 };
  server = await startServer({ lookup: store.lookup, config, role: 'node', version: 'test' });
  const ids = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv').rows.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
  body = JSON.stringify({ assemblyId: 'GRCh37', variants: Array.from({ length: 10_000 }, (_, i) => ids[i % ids.length]) });
});
afterAll(async () => {
  await server.close();
  closeStore();
  tmp.cleanup();
});

/** A client that sends a 10,000-variant batch and then reads nothing. */
function stalledClient(): Socket {
  return rawPost(server.url, '/api/batch', body).pause();
}

test('a client that stops reading is cut off after sendTimeoutMs, and the server holds only a window of its answer meanwhile', async () => {
  const clients = Array.from({ length: 8 }, stalledClient);
  // Each socket's kernel buffers fill; the server must not have queued the rest of the 15 MB answers.
  let queued = 0;
  for (let i = 0; i < 50 && queued === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    queued = serverSide().queued;
  }
  expect(queued).toBeGreaterThan(0);
  expect(queued).toBeLessThan(8 * 2 * 1024 * 1024);
  // Then the server lets go of every one of them (polling: no wall-clock assertion).
  while (serverSide().sockets > 0) await new Promise((r) => setTimeout(r, 100));
  // A paused socket only learns of the reset when it reads again: none got its whole answer.
  const got = await Promise.all(
    clients.map(async (c) => {
      let n = 0;
      c.on('data', (d: Buffer) => (n += d.length));
      c.on('error', () => undefined);
      c.resume();
      await once(c, 'close');
      return n;
    }),
  );
  expect(got.every((n) => n > 0 && n < 15_000_000)).toBe(true);
});

test('a reader that reads, however slowly, gets the whole answer', async () => {
  const sock = rawPost(server.url, '/api/batch', body, 'Connection: close\r\n');
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => {
    chunks.push(d);
    sock.pause();
    setTimeout(() => sock.resume(), 1);
  });
  await once(sock, 'close');
  const json = responseBody(Buffer.concat(chunks));
  expect(JSON.parse(json!.toString('utf8')).results).toHaveLength(10_000);
});

/** The server's open client sockets and the bytes they hold that the kernel has not taken (writableLength). */
function serverSide(): { sockets: number; queued: number } {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  let sockets = 0;
  let queued = 0;
  for (const h of handles) {
    const s = h as Socket & { server?: unknown };
    if (s && typeof s === 'object' && 'writableLength' in s && s.server) {
      sockets++;
      queued += s.writableLength;
    }
  }
  return { sockets, queued };
}
