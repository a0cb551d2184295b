/**
 * Issue 16, defect 2: SIGTERM must not cut answers in flight. A client reading a large batch
 * slowly when the node is told to stop still gets every byte (within the grace period), and the
 * node then exits 0. The real CLI (`afb serve`) and a raw socket that reads at its own pace.
 */
import { join } from 'node:path';
import { once } from 'node:events';
import { ingestVcf } from '../../src/ingest';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { startAfb } from '../helpers/cli';
import { rawPost, responseBody } from '../helpers/raw-http';

const tmp = tempDir();
let db: string;

beforeAll(async () => {
  db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
});
afterAll(() => tmp.cleanup());

/** Resolves with the server's URL once it logs that it listens. */
async function listening(child: ReturnType<typeof startAfb>): Promise<string> {
  let out = '';
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
    if (m) return m[1]!;
  }
  throw new Error(`server did not start: ${out}`);
}

test('a slow reader of a 10,000-variant batch gets the whole answer after SIGTERM; the node then exits 0', async () => {
  const child = startAfb(['serve', '--db', db, '--port', '0']);
  const url = await listening(child);
  const ids = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv').rows.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
  const variants = Array.from({ length: 10_000 }, (_, i) => ids[i % ids.length]);
  const sock = rawPost(url, '/api/batch', JSON.stringify({ assemblyId: 'GRCh37', variants }), 'Connection: close\r\n');
  const chunks: Buffer[] = [];
  let received = 0;
  sock.on('data', (d: Buffer) => {
    chunks.push(d);
    received += d.length;
  });
  // Read the first bytes, then stop reading: the rest waits in the server's buffers.
  while (received < 64 * 1024) await once(sock, 'data');
  sock.pause();
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // Give the node time to misbehave (the defect: it closed the socket 1.6 s in), then read on slowly.
  await new Promise((r) => setTimeout(r, 2000));
  sock.resume();
  await once(sock, 'close');
  const body = responseBody(Buffer.concat(chunks));
  expect(body?.length).toBeGreaterThan(5_000_000);
  expect(JSON.parse(body!.toString('utf8')).results).toHaveLength(10_000);
  const [code] = await exited;
  expect(code).toBe(0);
});
