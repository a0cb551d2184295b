/**
 * Issue 9 as an operator meets it: `afb serve` says at start which access policy is in force (the
 * open one when the config has no `access` section), refuses a bad access section with the file,
 * the JSON path and the valid form (exit 2), and logs one audit line per request (no token).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ingestVcf } from '../../src/ingest';
import { sha256 } from '../../src/access';
import { realFile, tempDir } from '../helpers/fixtures';
import { runAfb, startAfb } from '../helpers/cli';
import { freePort } from '../helpers/federation';

const tmp = tempDir();
const TOKEN = 'cli-token-0a9b8c7d';
let db: string;

beforeAll(async () => {
  db = join(tmp.dir, 'n.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
});
afterAll(() => tmp.cleanup());

/** Serve with `config`, make the requests, stop; the JSON log lines. */
async function serveAndLog(config: unknown, requests: (port: number) => Promise<void>): Promise<Record<string, any>[]> {
  const file = join(tmp.dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const port = await freePort();
  const child = startAfb(['serve', '--db', db, '--port', String(port), '--config', file]);
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 200 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 50));
  await requests(port);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(out).not.toContain(TOKEN);
  expect(out).not.toContain(sha256(TOKEN));
  return out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
}

test('no access section: the open policy, said at start', async () => {
  const lines = await serveAndLog({}, async (port) => {
    const r = await fetch(`http://127.0.0.1:${port}/api/g_variants/2-10038-C-A`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
  });
  expect(lines.some((l) => /no access section in the config: open policy/.test(l.msg))).toBe(true);
  expect(lines.filter((l) => l.audit).map((l) => l.audit.level)).toEqual(['anonymous']);
});

test('an access section: the policy logged at start, tokens recognised, one audit line per request in the log', async () => {
  const lines = await serveAndLog({ access: { levels: { anonymous: { preset: 'ons' } }, tokens: [{ id: 'ops', sha256: sha256(TOKEN), level: 'registered' }] } }, async (port) => {
    const ok = (await (await fetch(`http://127.0.0.1:${port}/api/g_variants/2-10038-C-A`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'cli-req-1' } })).json()) as { info: { afb: { caller: { level: string } } } };
    expect(ok.info.afb.caller.level).toBe('registered');
    expect((await fetch(`http://127.0.0.1:${port}/api/g_variants/2-10038-C-A?requestedGranularity=count`, { headers: { authorization: 'Bearer wrong', 'x-request-id': 'cli-req-2' } })).status).toBe(401);
  });
  const policy = lines.find((l) => l.msg === 'access policy')!;
  expect(policy.access.anonymous).toMatchObject({ minCount: 10 });
  expect(lines.filter((l) => l.audit).map((l) => [l.audit.requestId, l.audit.client, l.audit.level, l.audit.status])).toEqual([
    ['cli-req-1', 'token:ops', 'registered', 200],
    ['cli-req-2', expect.stringMatching(/^ip:/), 'unidentified', 401],
  ]);
  // The audit line joins the request log line by its id (fast path and express alike).
  expect(lines.filter((l) => l.reqId === 'cli-req-1' || l.reqId === 'cli-req-2').map((l) => [l.reqId, l.status])).toEqual([
    ['cli-req-1', 200],
    ['cli-req-2', 401],
  ]);
});

test('a bad access section stops the server with the file, the JSON path and the valid form (exit 2)', () => {
  const file = join(tmp.dir, 'k2.json');
  writeFileSync(file, JSON.stringify({ access: { levels: { anonymous: { minCount: 2 } } } }));
  const r = runAfb(['serve', '--db', db, '--config', file]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/INVALID_OPTION/);
  expect(r.stderr).toMatch(/k2\.json: access\.levels\.anonymous\.minCount: 2 is refused: with k = 2 every withheld count is exactly 1.*valid: an integer 1 or 3\.\.1000, or a preset/);
});

test('afb token: a new token printed once, and a config entry holding only its hash that the server accepts', async () => {
  const r = runAfb(['token', '--id', 'dac-kg', '--level', 'controlled', '--datasets', 'kg']);
  expect(r.status).toBe(0);
  const token = /afb keeps only its hash\): (\S+)/.exec(r.stdout)![1]!;
  const entry = JSON.parse(/in the config: (\{.*\})/.exec(r.stdout)![1]!);
  expect(entry).toEqual({ id: 'dac-kg', sha256: sha256(token), level: 'controlled', datasets: ['kg'] });
  expect(JSON.stringify(entry)).not.toContain(token);
  await serveAndLog({ access: { tokens: [entry] } }, async (port) => {
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/g_variants/2-10038-C-A`, { headers: { authorization: `Bearer ${token}` } })).json()) as { info: { afb: { caller: unknown } } };
    expect(body.info.afb.caller).toEqual({ level: 'controlled', controlledDatasets: ['kg'], via: 'token' });
  });
  expect(runAfb(['token', '--id', 'x', '--level', 'controlled']).stderr).toMatch(/--level controlled needs --datasets/);
});
