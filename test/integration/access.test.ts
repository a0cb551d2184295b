/**
 * Issue 9 through a real server: callers identified by static tokens and by Passport JWTs from a
 * loopback OIDC issuer, the same way through every door; bad tokens 401; budgets (429 with
 * Retry-After, batch and range limits naming the level's limit); granularity capped to the level;
 * one audit line per request and never a token in it; every response schema-valid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { loadAccessConfig } from '../../src/config/access-config';
import { sha256 } from '../../src/access';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { fromWire, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { compareWithTruth } from '../helpers/store-check';
import { responseErrors, schemaErrors } from '../helpers/beacon-schemas';
import { passport, registeredVisas, signJwt, startIssuer, visa, type TestIssuer } from '../helpers/oidc-issuer';
import type { WireRecord } from '../../src/beacon/record';

const AUD = 'afb-it';
const REGISTERED_TOKEN = 'lab-a-7f3c9e1d2b4a6058';
const tmp = tempDir();
const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
const ids = truth.rows.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
const carried = ids[truth.rows.findIndex((r) => Number(r.AC) > 0)]!;
let db: string;
let broker: TestIssuer;
let visas: TestIssuer;

function accessSection(anonymous: Record<string, unknown>) {
  return {
    access: {
      levels: { anonymous, registered: { minCount: 1, requestsPerMinute: null, maxBatch: 1000 }, controlled: { minCount: 1, requestsPerMinute: null } },
      tokens: [{ id: 'lab-a', sha256: sha256(REGISTERED_TOKEN), level: 'registered' }],
      oidc: [{ issuer: broker.issuer, jwksUri: broker.jwksUri, audience: AUD }],
      visaIssuers: [{ issuer: visas.issuer, jwksUri: visas.jwksUri }],
    },
  };
}

function start(anonymous: Record<string, unknown>, o: { auditLog?: string; now?: () => number } = {}): Promise<TestNode> {
  return startNode(db, { auditLog: o.auditLog ?? '' }, { access: loadAccessConfig(accessSection(anonymous), 'test.json'), now: o.now });
}

async function call(url: string, token?: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* TSV */
  }
  return { status: res.status, body, headers: res.headers };
}

beforeAll(async () => {
  db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', name: '1000 Genomes 2010', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  broker = await startIssuer('broker');
  visas = await startIssuer('visas');
});
afterAll(async () => {
  await Promise.all([broker.close(), visas.close()]);
  tmp.cleanup();
});

test('registered and controlled passports and a static token: their level, and exact counts equal to the truth', async () => {
  const node = await start({ minCount: 5, maxBatch: 3 });
  try {
    const registered = await passport(broker, AUD, await registeredVisas(visas));
    const controlled = await passport(broker, AUD, [...(await registeredVisas(visas)), await visa(visas, 'ControlledAccessGrants', 'https://dac.example.org/datasets/kg')], { sub: 'dac-member' });
    for (const [token, level] of [[registered, 'registered'], [controlled, 'controlled'], [REGISTERED_TOKEN, 'registered'], [undefined, 'anonymous']] as const) {
      const r = await call(`${node.api}/g_variants/${carried}`, token);
      expect({ token: level, status: r.status, errors: responseErrors(r.body) }).toEqual({ token: level, status: 200, errors: [] });
      expect(r.body.info.afb.caller.level).toBe(level);
    }
    // Every truth row through a registered caller's batch: exact counts.
    const b = await call(`${node.api}/batch`, registered, { body: { assemblyId: 'GRCh37', variants: ids } });
    expect(b.status).toBe(200);
    expect(b.body.info.afb.caller).toEqual({ level: 'registered', via: 'oidc' });
    const records = (b.body.results as { record?: WireRecord }[]).map((x) => fromWire(x.record));
    expect(compareWithTruth(truth, records, 'kg')).toEqual([]);
  } finally {
    await node.close();
  }
});

test('bad tokens: 401, a Beacon error naming the problem, WWW-Authenticate; never an answer', async () => {
  const node = await start({ minCount: 5 });
  try {
    const now = Math.floor(Date.now() / 1000);
    const bad: Record<string, string> = {
      'unknown API token': 'not-the-token',
      expired: await passport(broker, AUD, await registeredVisas(visas), { exp: now - 300, iat: now - 900 }),
      'wrong audience': await passport(broker, 'other', await registeredVisas(visas)),
      'untrusted issuer': await signJwt(visas, { aud: AUD }),
    };
    for (const [name, token] of Object.entries(bad)) {
      for (const url of [`${node.api}/g_variants/${carried}`, `${node.api}/g_variants/${carried}?requestedGranularity=record`]) {
        const r = await call(url, token);
        expect({ name, url, status: r.status, code: r.body.error?.errorCode, errors: responseErrors(r.body) }).toEqual({ name, url, status: 401, code: 401, errors: [] });
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
        expect(r.body.error.errorCodeName).toBe('UNAUTHORIZED');
        expect(r.body.response).toBeUndefined();
      }
    }
  } finally {
    await node.close();
  }
});

test('the fast path and the express routes identify a caller identically (single with and without query string, POST, batch)', async () => {
  const node = await start({ minCount: 5 });
  try {
    const tokens = { anonymous: undefined, registered: await passport(broker, AUD, await registeredVisas(visas)), token: REGISTERED_TOKEN };
    for (const [name, token] of Object.entries(tokens)) {
      const levels = {
        fast: (await call(`${node.api}/g_variants/${carried}`, token)).body.info.afb.caller,
        fastQuery: (await call(`${node.api}/g_variants/${carried}?requestedGranularity=record`, token)).body.info.afb.caller,
        // A trailing slash is left to express by the fast path.
        express: (await call(`${node.api}/g_variants/${carried}/?requestedGranularity=record`, token)).body.info.afb.caller,
        post: (await call(`${node.api}/g_variants/${carried}`, token, { body: {} })).body.info.afb.caller,
        batch: (await call(`${node.api}/batch`, token, { body: { variants: [carried] } })).body.info.afb.caller,
      };
      expect({ name, levels }).toEqual({ name, levels: { fast: levels.fast, fastQuery: levels.fast, express: levels.fast, post: levels.fast, batch: levels.fast } });
    }
  } finally {
    await node.close();
  }
});

test('budgets: the (n+1)th request in a minute is 429 with Retry-After, per client, through the fast path and express alike', async () => {
  let t = 1_000_000;
  const node = await start({ minCount: 5, requestsPerMinute: 3 }, { now: () => t });
  try {
    expect((await call(`${node.api}/g_variants/${carried}`)).status).toBe(200);
    t += 10_000;
    expect((await call(`${node.api}/g_variants/${carried}?requestedGranularity=count`)).status).toBe(200);
    expect((await call(`${node.api}/batch`, undefined, { body: { variants: [carried] } })).status).toBe(200);
    const over = await call(`${node.api}/g_variants/${carried}`);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('50');
    expect(over.body.error.errorCodeName).toBe('RATE_LIMITED');
    expect(over.body.error.errorMessage).toMatch(/more than 3 requests in a minute at the anonymous access level/);
    expect(responseErrors(over.body)).toEqual([]);
    expect((await call(`${node.api}/g_variants/${carried}?requestedGranularity=record`)).status).toBe(429);
    // Guessing tokens costs the address its anonymous budget too: over it, a wrong token is a 429, not another try.
    expect((await call(`${node.api}/g_variants/${carried}`, 'guess-1')).status).toBe(429);
    // Another client (a registered token) has its own budget (none at that level here).
    expect((await call(`${node.api}/g_variants/${carried}`, REGISTERED_TOKEN)).status).toBe(200);
    t += 50_000;
    expect((await call(`${node.api}/g_variants/${carried}`)).status).toBe(200);
    t += 10_000;
    expect((await call(`${node.api}/g_variants/${carried}`, 'guess-2')).status).toBe(401);
  } finally {
    await node.close();
  }
});

test("over-limit batch and range: refused naming the level's limit; the registered level has its own", async () => {
  const node = await start({ minCount: 5, maxBatch: 3, maxRangeBases: 1000 });
  try {
    const batch = await call(`${node.api}/batch`, undefined, { body: { variants: ids.slice(0, 4) } });
    expect(batch.status).toBe(413);
    expect(batch.body.error.errorMessage).toMatch(/the anonymous access level takes at most 3 per batch/);
    expect(responseErrors(batch.body)).toEqual([]);
    const range = await call(`${node.api}/g_variants?referenceName=2&start=10000&end=20000&requestedGranularity=count`);
    expect(range.status).toBe(400);
    expect(range.body.error.errorMessage).toMatch(/the range spans 10000 bases; the anonymous access level allows at most 1000/);
    expect(responseErrors(range.body)).toEqual([]);
    expect((await call(`${node.api}/batch`, REGISTERED_TOKEN, { body: { variants: ids.slice(0, 4) } })).status).toBe(200);
    expect((await call(`${node.api}/g_variants?referenceName=2&start=10000&end=20000&requestedGranularity=count`, REGISTERED_TOKEN)).status).toBe(200);
  } finally {
    await node.close();
  }
});

test('a request asking more than the level allows is answered at the allowed granularity, and meta says so', async () => {
  const node = await start({ minCount: 5, granularity: 'count' });
  try {
    const anon = await call(`${node.api}/g_variants/${carried}?requestedGranularity=record`);
    expect(anon.status).toBe(200);
    expect(anon.body.meta.returnedGranularity).toBe('count');
    expect(anon.body.meta.receivedRequestSummary.requestedGranularity).toBe('record');
    expect(anon.body.response).toBeUndefined();
    expect(anon.body.responseSummary).toEqual({ exists: true, numTotalResults: 1 });
    expect(responseErrors(anon.body)).toEqual([]);
    const fast = await call(`${node.api}/g_variants/${carried}`);
    expect(fast.body.meta.returnedGranularity).toBe('count');
    expect((await call(`${node.api}/batch`, undefined, { body: { variants: [carried] } })).status).toBe(400);
    const reg = await call(`${node.api}/g_variants/${carried}?requestedGranularity=record`, REGISTERED_TOKEN);
    expect(reg.body.meta.returnedGranularity).toBe('record');
    expect(recordsOf(reg.body)).toHaveLength(1);
  } finally {
    await node.close();
  }
});

test('the audit log: one JSON line per request (401 and 429 included), client and level, never a token or its hash', async () => {
  const auditLog = join(tmp.dir, 'audit.jsonl');
  const jwt = await passport(broker, AUD, await registeredVisas(visas));
  const node = await start({ minCount: 5, requestsPerMinute: 3 }, { auditLog });
  let requests = 0;
  try {
    const go = async (url: string, token?: string, body?: unknown) => {
      requests++;
      return call(url, token, body === undefined ? {} : { body });
    };
    await go(`${node.api}/g_variants/${carried}`);
    await go(`${node.api}/g_variants?referenceName=2&start=10000&end=20000&requestedGranularity=count`, REGISTERED_TOKEN);
    await go(`${node.api}/batch`, jwt, { variants: ids.slice(0, 3) });
    await go(`${node.api}/g_variants/${carried}`, 'wrong-token');
    await go(`${node.api}/g_variants/${carried}`);
    expect((await go(`${node.api}/g_variants/${carried}?requestedGranularity=record`)).status).toBe(429);
  } finally {
    await node.close();
  }
  const text = readFileSync(auditLog, 'utf8');
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(requests);
  expect(lines.map((l) => [l.level, l.kind, l.status])).toEqual([
    ['anonymous', 'g_variant', 200],
    ['registered', 'g_variants:range', 200],
    ['registered', 'batch', 200],
    ['unidentified', 'g_variant', 401],
    ['anonymous', 'g_variant', 200],
    ['anonymous', 'g_variant', 429],
  ]);
  expect(lines[0].client).toMatch(/^ip:/);
  for (const l of lines) expect(l.requestId).toMatch(/^[\w.-]+$/);
  expect(lines[1].client).toBe('token:lab-a');
  expect(lines[2].client).toBe(`sub:${broker.issuer}#researcher-1`);
  expect(lines[2].variants).toEqual(ids.slice(0, 3));
  // The access section's small-cell rule runs (k = 5 for anonymous): registered callers are shown everything.
  expect([lines[1].withheldCells, lines[2].withheldCells]).toEqual([0, 0]);
  for (const l of lines) expect(typeof l.withheldCells).toBe('number');
  for (const secret of [REGISTERED_TOKEN, sha256(REGISTERED_TOKEN), jwt, jwt.split('.')[2]!, 'wrong-token']) expect(text).not.toContain(secret);
});

test('/api/info publishes the policy per level (never a hash), /api/configuration the security levels; both schema-valid', async () => {
  const node = await start({ minCount: 'ukbiobank', requestsPerMinute: 30 });
  try {
    const info = await call(`${node.api}/info`);
    expect(schemaErrors('info', info.body)).toEqual([]);
    expect(info.body.response.info.afb.access.levels.anonymous).toMatchObject({ granularity: 'record', minCount: 5, requestsPerMinute: 30 });
    expect(info.body.response.info.afb.access.levels.registered).toMatchObject({ minCount: 1 });
    expect(JSON.stringify(info.body)).not.toContain(sha256(REGISTERED_TOKEN));
    const conf = await call(`${node.api}/configuration`);
    expect(schemaErrors('configuration', conf.body)).toEqual([]);
    expect(conf.body.response.securityAttributes).toEqual({ defaultGranularity: 'record', securityLevels: ['PUBLIC', 'REGISTERED', 'CONTROLLED'] });
  } finally {
    await node.close();
  }
});

test('both doors count a client by the same address (X-Forwarded-For from a loopback proxy, as express trusts it)', async () => {
  const auditLog = join(tmp.dir, 'audit-xff.jsonl');
  const node = await start({ minCount: 5 }, { auditLog });
  try {
    const xff = { 'x-forwarded-for': '203.0.113.9' };
    expect((await fetch(`${node.api}/g_variants/${carried}`, { headers: xff })).status).toBe(200);
    expect((await fetch(`${node.api}/g_variants/${carried}?requestedGranularity=record`, { headers: xff })).status).toBe(200);
    expect((await fetch(`${node.api}/g_variants/${carried}`, { headers: { 'x-forwarded-for': '198.51.100.1, 127.0.0.1' } })).status).toBe(200);
    expect((await fetch(`${node.api}/g_variants/${carried}?requestedGranularity=count`, { headers: { 'x-forwarded-for': '198.51.100.1, 127.0.0.1' } })).status).toBe(200);
  } finally {
    await node.close();
  }
  const clients = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l).client);
  expect(clients).toEqual(['ip:203.0.113.9', 'ip:203.0.113.9', 'ip:198.51.100.1', 'ip:198.51.100.1']);
});

test('every door (fast path, express GET/POST, single, batch, TSV) identifies the same token as the same caller (the audit log says whom)', async () => {
  const auditLog = join(tmp.dir, 'audit-doors.jsonl');
  const node = await start({ minCount: 5 }, { auditLog });
  const jwt = await passport(broker, AUD, await registeredVisas(visas));
  const row = truth.rows.find((r) => Number(r.AC) > 0)!;
  const q = { referenceName: row.CHROM!, start: String(Number(row.POS) - 1), referenceBases: row.REF!, alternateBases: row.ALT! };
  const body = { meta: { apiVersion: 'v2.0' }, query: { requestParameters: { ...q, start: [Number(q.start)] }, requestedGranularity: 'record' } };
  const doors: [string, RequestInit][] = [
    [`/g_variants/${carried}`, {}],
    [`/g_variants/${carried}?requestedGranularity=record`, {}],
    [`/g_variants/${carried}`, { method: 'POST', body: '{}' }],
    [`/g_variants?${new URLSearchParams(q)}`, {}],
    [`/g_variants`, { method: 'POST', body: JSON.stringify(body) }],
    [`/batch`, { method: 'POST', body: JSON.stringify({ variants: [carried] }) }],
    [`/g_variants/${carried}`, { headers: { accept: 'text/tab-separated-values' } }],
    [`/g_variants?${new URLSearchParams(q)}&format=tsv`, {}],
    [`/g_variants`, { method: 'POST', body: JSON.stringify(body), headers: { accept: 'text/tab-separated-values' } }],
    [`/batch?format=tsv`, { method: 'POST', body: JSON.stringify({ variants: [carried] }) }],
  ];
  try {
    for (const [path, init] of doors) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${jwt}`, ...(init.headers as Record<string, string> | undefined) };
      const res = await fetch(`${node.api}${path}`, { ...init, headers });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      await res.text();
    }
  } finally {
    await node.close();
  }
  const lines = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => `${l.client} ${l.level}`)).toEqual(doors.map(() => `sub:${broker.issuer}#researcher-1 registered`));
});

test('a controlled caller gets its level only on its datasets: a request touching another is answered under the registered policy', async () => {
  const two = join(tmp.dir, 'two.db');
  for (const dataset of ['kg', 'kg-copy']) {
    await ingestVcf({ db: two, dataset, assembly: 'GRCh37', name: dataset, panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  }
  const grant = await visa(visas, 'ControlledAccessGrants', 'kg');
  const jwt = await passport(broker, AUD, [...(await registeredVisas(visas)), grant]);
  const section = accessSection({ minCount: 5, granularity: 'boolean' });
  (section.access.levels.registered as Record<string, unknown>).granularity = 'count';
  const node = await startNode(two, {}, { access: loadAccessConfig(section, 'test.json') });
  try {
    const own = await call(`${node.api}/g_variants/${carried}?requestedGranularity=record&datasetIds=kg`, jwt);
    expect([own.body.info.afb.caller.level, own.body.meta.returnedGranularity]).toEqual(['controlled', 'record']);
    expect(responseErrors(own.body)).toEqual([]);
    const both = await call(`${node.api}/g_variants/${carried}?requestedGranularity=record`, jwt);
    expect(both.body.meta.returnedGranularity).toBe('count');
    const other = await call(`${node.api}/g_variants/${carried}?requestedGranularity=record&datasetIds=kg-copy`, jwt);
    expect(other.body.meta.returnedGranularity).toBe('count');
    expect(responseErrors(other.body)).toEqual([]);
  } finally {
    await node.close();
  }
});

test('the contract end to end: the configured k reaches the disclosure step per caller (anonymous k = 5 differs where counts are small, a registered token equals the truth), withheld cells reach the audit', async () => {
  const access = loadAccessConfig(accessSection({ minCount: 'ukbiobank' }), 'test.json');
  const auditLog = join(tmp.dir, 'audit-k.jsonl');
  // No disclosure steps given: the server runs the access section's small-cell rule (disclosureFor(policy)).
  const node = await startNode(db, { auditLog }, { access });
  const small = truth.rows.filter((r) => Number(r.AC) > 0 && Number(r.AC) < 5).map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
  expect(small.length).toBeGreaterThan(0);
  try {
    const anon = await call(`${node.api}/batch`, undefined, { body: { assemblyId: 'GRCh37', variants: ids.slice(0, 1000) } });
    const reg = await call(`${node.api}/batch`, REGISTERED_TOKEN, { body: { assemblyId: 'GRCh37', variants: ids } });
    expect(compareWithTruth(truth, (reg.body.results as { record?: WireRecord }[]).map((x) => fromWire(x.record)), 'kg')).toEqual([]);
    const anonCells = (anon.body.results as { query: string; record?: WireRecord }[]).filter((x) => small.includes(x.query));
    expect(anonCells.length).toBeGreaterThan(0);
    // Withheld (docs/api.md "Withheld counts"): no visible Total allele count, and the withholding named.
    for (const x of anonCells) {
      const visible = (x.record!.frequencyInPopulations ?? []).flatMap((f) => f.frequencies).find((p) => p.population === 'Total' && p.alleleCount !== undefined);
      expect({ query: x.query, visible }).toEqual({ query: x.query, visible: undefined });
      expect(JSON.stringify(x.record)).toMatch(/Withheld/);
    }
    const single = await call(`${node.api}/g_variants/${small[0]}`);
    expect(responseErrors(single.body)).toEqual([]);
  } finally {
    await node.close();
  }
  const lines = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.level)).toEqual(['anonymous', 'registered', 'anonymous']);
  expect(lines[0].withheldCells).toBeGreaterThan(0);
  expect(lines[1].withheldCells).toBe(0);
  expect(lines[2].withheldCells).toBeGreaterThan(0);
});
