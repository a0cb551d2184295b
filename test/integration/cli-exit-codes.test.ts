/**
 * Exit codes of the built CLI (bin/afb.js, as an operator runs it): 2 only when the command line is
 * wrong (unknown command, unknown flag: INVALID_OPTION), 1 when a valid command fails while running
 * (here: a port already in use, LISTEN_FAILED).
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';

const tmp = tempDir();
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  tmp.cleanup();
});

test('an unknown command exits 2 with the usage of every command', () => {
  const r = runAfb(['frobnicate']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  expect(r.stderr).toMatch(/afb serve {2}--db FILE \[--port 8080\]/);
  expect(r.stderr).toMatch(/afb broker --peers FILE \[--port 8090\]/);
});

test('--help prints the same usage on stdout and exits 0', () => {
  const r = runAfb(['--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/afb ingest --db FILE/);
  expect(r.stdout).toMatch(/afb broker --peers FILE/);
});

test('an unknown flag exits 2 (INVALID_OPTION) for each command', () => {
  for (const cmd of ['ingest', 'serve', 'broker']) {
    const r = runAfb([cmd, '--no-such-flag', 'x']);
    expect([cmd, r.status]).toEqual([cmd, 2]);
    expect(r.stderr).toMatch(new RegExp(`afb ${cmd}: error INVALID_OPTION: unknown option --no-such-flag`));
  }
});

test('serve on a port already in use exits 1 (LISTEN_FAILED), naming the address', () => {
  const db = join(tmp.dir, 'node.db');
  const ingest = runAfb(['ingest', '--db', db, '--dataset', 'kg', '--assembly', 'GRCh37', realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz')]);
  expect(ingest.status).toBe(0);
  const r = runAfb(['serve', '--db', db, '--port', String(busyPort)]);
  expect(r.stderr).toMatch(new RegExp(`afb serve: error LISTEN_FAILED: cannot listen on 127\\.0\\.0\\.1:${busyPort}: .*EADDRINUSE`));
  expect(r.status).toBe(1);
});

test('broker on a port already in use exits 1 (LISTEN_FAILED) too', () => {
  const peers = join(tmp.dir, 'peers.json');
  writeFileSync(peers, JSON.stringify({ peers: [{ id: 'fi', url: 'http://127.0.0.1:1/api', assemblies: ['GRCh37'] }] }));
  const r = runAfb(['broker', '--peers', peers, '--port', String(busyPort)]);
  expect(r.stderr).toMatch(/afb broker: error LISTEN_FAILED: cannot listen on 127\.0\.0\.1:\d+/);
  expect(r.status).toBe(1);
});
