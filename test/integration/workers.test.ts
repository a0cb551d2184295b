/**
 * Issue 11, every core: `afb serve --workers N` and `afb broker --workers N` as an operator runs
 * them (real processes on port 0). Two workers answer exactly as one; both take requests; /metrics
 * sums them; the request budget of a client holds across workers under attack (one budget, not
 * one per worker) and every worker writes whole audit lines to the one log; a re-ingest is seen by
 * every worker, whole; a worker that dies is restarted and logged, at most 5 times a minute; a
 * worker that cannot listen stops the server; SIGTERM drains the requests in flight and exits 0,
 * also while workers still start, and Ctrl-C (SIGINT to every process) stops once; a broker runs
 * on two workers too, polling its peers N times less often per worker.
 */
import { join } from 'node:path';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { ingestVcf } from '../../src/ingest';
import { sha256 } from '../../src/access';
import { readTruth, tempDir } from '../helpers/fixtures';
import { AFB, startAfb } from '../helpers/cli';
import { rawPost, responseBody } from '../helpers/raw-http';
import { until } from '../helpers/federation';

const tmp = tempDir();
const DATA = join(__dirname, '..', '..', 'data', '1kg');
const TOKEN = 'workers-token-5e6f7a8b';
const BUDGET = 12;
const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv').rows;
// Variants seen in the cohort first (the fixture opens with sites of AN = 0).
const ids = [...truth.filter((r) => Number(r.AN) > 0), ...truth.filter((r) => !(Number(r.AN) > 0))].map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
// Anonymous callers have a budget (the attack); the token's registered level has none (everything else).
const CONFIG = (auditLog: string) => ({ auditLog, access: { levels: { anonymous: { granularity: 'record', minCount: 1, requestsPerMinute: BUDGET } }, tokens: [{ id: 'ops', sha256: sha256(TOKEN), level: 'registered' }] } });
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Serving {
  child: ChildProcess;
  url: string;
  lines(): Record<string, any>[];
  exited: Promise<number | null>;
}

/** Start `afb ...`, resolve once it says it listens (every worker, under --workers N). */
async function serving(args: string[]): Promise<Serving> {
  const child = startAfb(args);
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const workers = Number(args[args.indexOf('--workers') + 1]);
  const ready = workers > 1 ? /"msg":"all workers listening"/ : /"msg":"listening"/;
  await until(() => ready.test(out) || child.exitCode !== null, 20_000, `${args.join(' ')} to listen`);
  if (child.exitCode !== null) throw new Error(`afb ${args[0]} exited ${child.exitCode}: ${err}`);
  const port = /"port":(\d+)/.exec(out)?.[1] ?? /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out)![1];
  const lines = (): Record<string, any>[] =>
    out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
  return { child, url: `http://127.0.0.1:${port}`, lines, exited };
}

/** One request on its own connection (node:cluster deals connections, not requests, out to workers). */
function fresh(url: string, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: init.method ?? 'GET', agent: false, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The body so far, undefined while incomplete. */
function body0(chunks: Buffer[]): Buffer | undefined {
  return responseBody(Buffer.concat(chunks));
}

/** A counter's samples from /metrics text: label text → value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) out.set(m[1]!, Number(m[2]));
  return out;
}

async function workerRequests(url: string): Promise<Map<string, number>> {
  const m = samples((await fresh(url, '/metrics')).body, 'afb_worker_requests_total');
  return new Map([...m].map(([labels, v]) => [/worker="(\d+)"/.exec(labels)![1]!, v]));
}

let db: string;
let configFile: string;
let auditLog: string;
let one: Serving;
let two: Serving;

beforeAll(async () => {
  db = join(tmp.dir, 'n.db');
  configFile = join(tmp.dir, 'config.json');
  auditLog = join(tmp.dir, 'audit.log');
  writeFileSync(configFile, JSON.stringify(CONFIG(auditLog)));
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: join(DATA, '1kg.panel.txt'), inputs: [join(DATA, '1kg.vcf.gz')] });
  [one, two] = await Promise.all([
    serving(['serve', '--db', db, '--port', '0', '--workers', '1', '--config', configFile]),
    serving(['serve', '--db', db, '--port', '0', '--workers', '2', '--config', configFile]),
  ]);
}, 60_000);
afterAll(async () => {
  for (const s of [one, two]) if (s && s.child.exitCode === null) s.child.kill('SIGKILL');
  tmp.cleanup();
});

test('two workers answer exactly as one, through every door', async () => {
  const asks: [string, { method?: string; body?: string }][] = [
    [`/api/g_variants/${ids[0]}`, {}],
    [`/api/g_variants/${ids[1]}?requestedGranularity=count`, {}],
    ['/api/g_variants?assemblyId=GRCh37&referenceName=2&start=10000&end=200000&limit=50', {}],
    [`/api/g_variants/${ids[2]}?format=tsv`, {}],
    ['/api/batch', { method: 'POST', body: JSON.stringify({ assemblyId: 'GRCh37', variants: ids.slice(0, 40) }) }],
    ['/api/g_variants/2-10038-C-T', {}],
    ['/api/g_variants?assemblyId=GRCh37&referenceName=2&start=nope', {}],
  ];
  for (const [path, init] of asks) {
    // Twice on fresh connections: once to each worker.
    const a = await fresh(one.url, path, { ...init, headers: AUTH });
    const b1 = await fresh(two.url, path, { ...init, headers: AUTH });
    const b2 = await fresh(two.url, path, { ...init, headers: AUTH });
    expect([b1.status, b1.body]).toEqual([a.status, a.body]);
    expect([b2.status, b2.body]).toEqual([a.status, a.body]);
  }
});

test('both workers take requests, and /metrics sums them', async () => {
  const route = '/api/g_variants/:id';
  const before = samples((await fresh(two.url, '/metrics')).body, 'afb_http_requests_total');
  const byWorkerBefore = await workerRequests(two.url);
  const n = 10;
  for (let i = 0; i < n; i++) expect((await fresh(two.url, `/api/g_variants/${ids[i]}`, { headers: AUTH })).status).toBe(200);
  const after = samples((await fresh(two.url, '/metrics')).body, 'afb_http_requests_total');
  const key = [...after.keys()].find((k) => k.includes(`route="${route}"`) && k.includes('status="200"'))!;
  expect(after.get(key)! - (before.get(key) ?? 0)).toBe(n);
  const byWorker = await workerRequests(two.url);
  expect([...byWorker.keys()].sort()).toEqual(['1', '2']);
  // Each worker answered some of the ten (and of the /metrics requests between them).
  for (const w of ['1', '2']) expect(byWorker.get(w)! - (byWorkerBefore.get(w) ?? 0)).toBeGreaterThan(0);
});

test('under attack over many parallel connections, a client gets one budget across the workers, not one per worker', async () => {
  const attempts = 6 * BUDGET;
  const before = await workerRequests(two.url);
  const statuses = await Promise.all(Array.from({ length: attempts }, (_, i) => fresh(two.url, `/api/g_variants/${ids[i % ids.length]}`).then((r) => r.status)));
  const after = await workerRequests(two.url);
  const allowed = statuses.filter((s) => s === 200).length;
  expect(allowed).toBe(BUDGET);
  expect(statuses.filter((s) => s === 429)).toHaveLength(attempts - BUDGET);
  // The attack reached both workers (otherwise a per-worker budget would have held too).
  for (const w of ['1', '2']) expect(after.get(w)! - (before.get(w) ?? 0)).toBeGreaterThan(BUDGET / 2);
  // Every worker appends to the one audit log: one whole JSON line per request, none lost or torn.
  const anonymous = (): Record<string, any>[] =>
    readFileSync(auditLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>)
      .filter((l) => l.level === 'anonymous');
  await until(() => anonymous().length >= attempts, 10_000, 'the audit lines');
  expect(anonymous().map((l) => l.status).sort()).toEqual([...statuses].sort());
  // The token's level has no budget: it is still served.
  expect((await fresh(two.url, `/api/g_variants/${ids[0]}`, { headers: AUTH })).status).toBe(200);
});

test('a worker that dies is restarted and logged as JSON; the server keeps answering', async () => {
  const victim = two.lines().find((l) => l.msg === 'worker listening' && l.worker === 2)!;
  process.kill(victim.pid as number, 'SIGKILL');
  // (No request until the primary saw the death: node:cluster may hand a new connection to a worker
  // in the instant it dies, and that connection is lost; see docs/configuration.md, workers.)
  await until(() => two.lines().some((l) => l.msg === 'worker died'), 10_000, 'the primary to see the death');
  // Scrapes while the new worker starts are answered at once (a starting worker must not stall them).
  const scrapes: number[] = [];
  await until(
    async () => {
      scrapes.push((await fresh(two.url, '/metrics')).status);
      return two.lines().filter((l) => l.msg === 'worker listening' && l.worker === 2).length === 2;
    },
    20_000,
    'worker 2 to be back',
  );
  expect(new Set(scrapes)).toEqual(new Set([200]));
  const died = two.lines().find((l) => l.msg === 'worker died')!;
  expect(died).toMatchObject({ worker: 2, pid: victim.pid, signal: 'SIGKILL', level: 50 });
  expect(two.lines().some((l) => l.msg === 'restarting worker' && l.worker === 2)).toBe(true);
  for (let i = 0; i < 4; i++) expect((await fresh(two.url, `/api/g_variants/${ids[i]}`, { headers: AUTH })).status).toBe(200);
  expect([...(await workerRequests(two.url)).keys()].sort()).toEqual(['1', '2']);
}, 30_000);

test('broker --workers 2: answers as its peer, health polled N times less often per worker, stops with 0', async () => {
  const peers = join(tmp.dir, 'peers.json');
  writeFileSync(peers, JSON.stringify({ peers: [{ id: 'kg', url: `${one.url}/api`, assemblies: ['GRCh37'], token: TOKEN }] }));
  const broker = await serving(['broker', '--peers', peers, '--port', '0', '--workers', '2']);
  try {
    const counts = (body: string): string[] =>
      // The first result set: the node's dataset, the broker's pooled one (a broker adds one per node after it).
      (JSON.parse(body) as { response: { resultSets: { results?: { frequencyInPopulations: { frequencies: { population: string; alleleCount: number; alleleNumber: number }[] }[] }[] }[] } }).response.resultSets[0]!.results!
        // Through one peer the pooled counts and the peer's own are the same: each population once.
        .flatMap((r) => [...new Set(r.frequencyInPopulations.flatMap((f) => f.frequencies.map((p) => `${p.population}:${p.alleleCount}/${p.alleleNumber}`)))])
        .sort();
    const node = counts((await fresh(one.url, `/api/g_variants/${ids[0]}`, { headers: AUTH })).body);
    expect(node).toContain(`Total:${truth.find((r) => Number(r.AN) > 0)!.AC}/${truth.find((r) => Number(r.AN) > 0)!.AN}`);
    for (let i = 0; i < 2; i++) {
      const r = await fresh(broker.url, `/api/g_variants/${ids[0]}`);
      expect(r.status).toBe(200);
      expect(counts(r.body)).toEqual(node);
    }
    expect([...(await workerRequests(broker.url)).keys()].sort()).toEqual(['1', '2']);
    const network = JSON.parse((await fresh(broker.url, '/api/network')).body) as { checkedEveryMs: number; peers: { state: string }[] };
    expect(network.checkedEveryMs).toBe(2 * 15_000);
    expect(network.peers[0]!.state).toBe('up');
  } finally {
    broker.child.kill('SIGTERM');
  }
  expect(await broker.exited).toBe(0);
}, 30_000);

test('a re-ingest while serving is seen by every worker, each answer whole old or whole new', async () => {
  const db2 = join(tmp.dir, 'reingest.db');
  const ingest = (samples: string) =>
    ingestVcf({ db: db2, dataset: 'kg', assembly: 'GRCh37', panel: join(DATA, '1kg.panel.txt'), samples: join(DATA, samples), inputs: [join(DATA, '1kg.vcf.gz')] });
  await ingest('samples-fi.txt');
  const node = await serving(['serve', '--db', db2, '--port', '0', '--workers', '2']);
  try {
    const batch = JSON.stringify({ assemblyId: 'GRCh37', variants: ids.slice(0, 200) });
    // An answer reduced to what must be whole old or whole new: every population's AC/AN of every variant.
    const ask = async (): Promise<string> => {
      const r = await fresh(node.url, '/api/batch', { method: 'POST', body: batch });
      expect(r.status).toBe(200);
      type Freq = { population: string; alleleCount?: number; alleleNumber?: number };
      const results = (JSON.parse(r.body) as { results: { record?: { frequencyInPopulations: { frequencies: Freq[] }[] } }[] }).results;
      return results.map((x) => x.record?.frequencyInPopulations.flatMap((f) => f.frequencies.map((p) => `${p.population}:${p.alleleCount}/${p.alleleNumber}`)).join(',') ?? '-').join(';');
    };
    const old = new Set([await ask(), await ask()]);
    expect(old.size).toBe(1);
    let ingesting = true;
    const seen: string[] = [];
    const load = (async () => {
      while (ingesting) seen.push(await ask());
    })();
    await ingest('samples-ee.txt');
    ingesting = false;
    await load;
    // Each worker shows a re-ingest within its one-second description memo (src/server/description-cache.ts):
    // ask until six answers in a row, spread over both workers, are all new.
    let streak = 0;
    let before = await workerRequests(node.url);
    let after = before;
    await until(async () => {
      const a = await ask();
      seen.push(a);
      streak = old.has(a) ? 0 : streak + 1;
      if (streak === 1) before = await workerRequests(node.url);
      if (streak < 6) return false;
      after = await workerRequests(node.url);
      return true;
    }, 15_000, 'six new answers in a row');
    // (At least 2: one of the two may count the /metrics request that read `before`.)
    for (const w of ['1', '2']) expect(after.get(w)! - before.get(w)!).toBeGreaterThanOrEqual(2);
    // Whole old or whole new, never a mixture: exactly two distinct answers.
    expect(new Set(seen).size).toBe(2);
  } finally {
    node.child.kill('SIGTERM');
  }
  expect(await node.exited).toBe(0);
}, 30_000);

test('SIGTERM: the answer in flight is finished whole, every worker stops, the server exits 0', async () => {
  const variants = Array.from({ length: 10_000 }, (_, i) => ids[i % ids.length]);
  const sock = rawPost(two.url, '/api/batch', JSON.stringify({ assemblyId: 'GRCh37', variants }), `Authorization: Bearer ${TOKEN}\r\nConnection: close\r\n`);
  const chunks: Buffer[] = [];
  let received = 0;
  sock.on('data', (d: Buffer) => {
    chunks.push(d);
    received += d.length;
  });
  while (received === 0) await once(sock, 'data');
  sock.pause();
  two.child.kill('SIGTERM');
  // Read on only once both workers began to stop: the rest of the answer is sent while its worker drains.
  await until(() => two.lines().filter((l) => l.msg === 'shutting down' && l.worker).length === 2, 10_000, 'the workers to start stopping');
  expect(body0(chunks)).toBeUndefined();
  sock.resume();
  await once(sock, 'close');
  const body = responseBody(Buffer.concat(chunks));
  expect(JSON.parse(body!.toString('utf8')).results).toHaveLength(10_000);
  expect(await two.exited).toBe(0);
  const lines = two.lines();
  expect(lines.filter((l) => l.msg === 'worker stopped' && l.code === 0).map((l) => l.worker).sort()).toEqual([1, 2]);
  expect(lines[lines.length - 1]).toMatchObject({ primary: true, msg: 'stopped' });
}, 30_000);

test('workers that cannot listen stop the server with exit 1, the cause and WORKER_FAILED (no restart loop)', async () => {
  const { createServer } = await import('node:net');
  const taken = createServer().listen(0, '127.0.0.1');
  await once(taken, 'listening');
  const port = (taken.address() as { port: number }).port;
  try {
    const child = startAfb(['serve', '--db', db, '--port', String(port), '--workers', '2']);
    let err = '';
    child.stderr!.on('data', (d) => (err += d.toString()));
    let out = '';
    child.stdout!.on('data', (d) => (out += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err).toMatch(/LISTEN_FAILED: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    expect(err).toMatch(/error WORKER_FAILED: worker \d exited \(code 1, signal null\) before it listened/);
    expect(out).not.toMatch(/restarting worker/);
  } finally {
    taken.close();
  }
}, 20_000);

test('SIGTERM while the workers still start: each stops as soon as it is up, exit 0', async () => {
  const child = startAfb(['serve', '--db', db, '--port', '0', '--workers', '2']);
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  const exited = once(child, 'exit');
  await until(() => out.includes('"msg":"starting workers"'), 20_000, 'the primary to fork');
  child.kill('SIGTERM');
  const [code] = await exited;
  expect(code).toBe(0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  expect(lines.filter((l) => l.msg === 'worker stopped' && l.code === 0)).toHaveLength(2);
}, 20_000);

test('workers that keep dying: restarted at most 5 times a minute, then the server stops with WORKER_FAILED (exit 1)', async () => {
  const child = startAfb(['serve', '--db', db, '--port', '0', '--workers', '2']);
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  const exited = once(child, 'exit');
  const up = (): Record<string, any>[] =>
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>)
      .filter((l) => l.msg === 'worker listening');
  const killed = new Set<number>();
  for (let i = 0; i < 6; i++) {
    // The next worker up that is still alive (the first time: either of the two).
    await until(() => up().some((l) => !killed.has(l.pid)), 20_000, `a worker to kill (${i + 1})`);
    const victim = up().find((l) => !killed.has(l.pid))!.pid as number;
    killed.add(victim);
    process.kill(victim, 'SIGKILL');
    if (i < 5) await until(() => up().length === 2 + i + 1, 20_000, `restart ${i + 1}`);
  }
  const [code] = await exited;
  expect(code).toBe(1);
  expect(out.match(/"msg":"restarting worker"/g)).toHaveLength(5);
  expect(err).toMatch(/error WORKER_FAILED: workers died 6 times within a minute \(at most 5 restarts a minute\)/);
}, 60_000);

test('Ctrl-C in a terminal (SIGINT to the primary and every worker at once): one graceful stop, exit 0', async () => {
  // Its own process group, as a shell gives a foreground job: a signal to the group reaches every process.
  const child = spawn(process.execPath, [AFB, 'serve', '--db', db, '--port', '0', '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  const exited = once(child, 'exit');
  await until(() => out.includes('"msg":"all workers listening"'), 20_000, 'the workers to listen');
  process.kill(-child.pid!, 'SIGINT');
  const [code] = await exited;
  expect(code).toBe(0);
  expect(out).not.toMatch(/second signal/);
}, 20_000);
