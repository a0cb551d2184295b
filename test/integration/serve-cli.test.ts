/**
 * `afb serve` as an operator runs it: JSON log lines on stdout, answers on the port it was given,
 * a clear error for a missing store, and a graceful stop (exit 0) on SIGTERM.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ingestVcf } from '../../src/ingest';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb, startAfb } from '../helpers/cli';
import { freePort } from '../helpers/federation';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test('serves, logs JSON lines with request ids, and stops cleanly on SIGTERM', async () => {
  const db = join(tmp.dir, 'n.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  const port = await freePort();
  const child = startAfb(['serve', '--db', db, '--port', String(port)]);
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 100 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 50));
  const res = await fetch(`http://127.0.0.1:${port}/api/g_variants/2-10038-C-A`, { headers: { 'x-request-id': 'test-req-1' } });
  expect(res.status).toBe(200);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.some((l) => l.reqId === 'test-req-1' && l.status === 200 && l.route === '/api/g_variants/:id')).toBe(true);
  expect(lines[lines.length - 1]!.msg).toBe('stopped');
});

test('a missing store and a bad setting are refused with a message and exit code 2', () => {
  const r = runAfb(['serve', '--db', join(tmp.dir, 'none.db')]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--db .*none\.db: no such store; create it with afb ingest/);
});

test('afb broker refuses a missing or malformed peers file with the file and the field', () => {
  const missing = runAfb(['broker', '--peers', join(tmp.dir, 'nope.json')]);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/--peers .*nope\.json: not a readable JSON file/);
  const bad = join(tmp.dir, 'peers.json');
  writeFileSync(bad, JSON.stringify({ peers: [{ id: 'fi', url: 'ftp://x' }] }));
  const r = runAfb(['broker', '--peers', bad]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/peers\[0\]\.url 'ftp:\/\/x' must be an http\(s\) URL/);
});
