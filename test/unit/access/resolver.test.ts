/**
 * Issue 9, who is asking: static tokens, OIDC JWTs verified against a real JWKS served on loopback,
 * and GA4GH Passport visas. Each bad token is a 401 naming what was wrong; none gives a higher level.
 */
import { SignJWT } from 'jose';
import { createCallerResolver, sha256 } from '../../../src/access';
import type { Caller } from '../../../src/domain/access';
import { isAfbError, type AfbError } from '../../../src/domain/errors';
import { DEFAULT_ALGORITHMS, type IdentitySettings } from '../../../src/domain/identity';
import { hs256WithPublicKey, newKey, passport, registeredVisas, signJwt, startIssuer, unsignedJwt, visa, type TestIssuer } from '../../helpers/oidc-issuer';

const AUD = 'afb-test';
let broker: TestIssuer;
let visas: TestIssuer;
let stranger: TestIssuer;
let settings: IdentitySettings;
let resolve: (h: { authorization?: string; clientIp?: string }) => Promise<Caller>;

beforeAll(async () => {
  broker = await startIssuer('broker');
  visas = await startIssuer('visas');
  stranger = await startIssuer('stranger');
  settings = {
    tokens: [
      { id: 'lab-a', sha256: sha256('secret-registered-token'), level: 'registered', datasets: [] },
      { id: 'dac-kg', sha256: sha256('secret-controlled-token'), level: 'controlled', datasets: ['kg'] },
    ],
    oidc: [{ issuer: broker.issuer, jwksUri: broker.jwksUri, audience: [AUD], algorithms: DEFAULT_ALGORITHMS }],
    visaIssuers: [{ issuer: visas.issuer, jwksUri: visas.jwksUri, algorithms: DEFAULT_ALGORITHMS }],
    clockSkewSeconds: 30,
  };
  resolve = createCallerResolver(settings, { cooldownMs: 0 });
});
afterAll(async () => {
  await Promise.all([broker.close(), visas.close(), stranger.close()]);
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}`, clientIp: '10.0.0.7' });
const now = () => Math.floor(Date.now() / 1000);

async function refused(h: { authorization?: string }): Promise<AfbError> {
  try {
    const c = await resolve(h);
    throw new Error(`expected a 401, got level ${c.level}`);
  } catch (e) {
    if (!isAfbError(e)) throw e;
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.httpStatus).toBe(401);
    expect(e.headers?.['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
    return e;
  }
}

test('no Authorization header: anonymous, counted by IP', async () => {
  expect(await resolve({ clientIp: '10.0.0.7' })).toEqual({ level: 'anonymous', controlledDatasets: [], clientId: 'ip:10.0.0.7', via: 'none' });
});

test('static tokens: the right token gives its level (the config holds only its hash), a wrong one is a 401', async () => {
  expect(await resolve(bearer('secret-registered-token'))).toEqual({ level: 'registered', controlledDatasets: [], clientId: 'token:lab-a', via: 'token' });
  expect(await resolve(bearer('secret-controlled-token'))).toEqual({ level: 'controlled', controlledDatasets: ['kg'], clientId: 'token:dac-kg', via: 'token' });
  expect((await refused(bearer('secret-registered-tokeN'))).message).toMatch(/not an API token this beacon knows/);
  expect(JSON.stringify(settings)).not.toContain('secret-registered-token');
  expect((await refused({ authorization: 'Basic dXNlcjpwYXNz' })).message).toMatch(/Bearer <token>/);
});

test('a Passport with AcceptedTermsAndPolicies + ResearcherStatus: registered, client iss#sub', async () => {
  const c = await resolve(bearer(await passport(broker, AUD, await registeredVisas(visas))));
  expect(c).toEqual({ level: 'registered', controlledDatasets: [], clientId: `sub:${broker.issuer}#researcher-1`, via: 'oidc' });
});

test('ControlledAccessGrants naming a dataset: controlled for that dataset', async () => {
  const grant = await visa(visas, 'ControlledAccessGrants', 'https://ega-archive.org/datasets/kg');
  const c = await resolve(bearer(await passport(broker, AUD, [...(await registeredVisas(visas)), grant])));
  expect(c.level).toBe('controlled');
  expect(c.controlledDatasets).toEqual(['kg']);
});

test('a valid JWT without visas is the documented lower level: anonymous, with a note', async () => {
  const c = await resolve(bearer(await signJwt(broker, { aud: AUD })));
  expect(c.level).toBe('anonymous');
  expect(c.clientId).toBe(`sub:${broker.issuer}#researcher-1`);
  expect(c.notes?.join(' ')).toMatch(/no AcceptedTermsAndPolicies and ResearcherStatus/);
});

test('a grant without the registered visas is ignored (never more than registered would give)', async () => {
  const grant = await visa(visas, 'ControlledAccessGrants', 'kg');
  const c = await resolve(bearer(await passport(broker, AUD, [grant])));
  expect(c.level).toBe('anonymous');
  expect(c.notes?.join(' ')).toMatch(/ControlledAccessGrants for kg ignored/);
});

const BAD_TOKENS: [string, () => Promise<string>, RegExp][] = [
  ['expired', () => passport(broker, AUD, [], { exp: now() - 120, iat: now() - 600 }), /expired/],
  ['not yet valid', () => passport(broker, AUD, [], { nbf: now() + 600 }), /not yet valid/],
  ['wrong aud', () => passport(broker, 'someone-else', []), /another audience/],
  ['wrong iss', () => signJwt(stranger, { aud: AUD }), /not trusted here/],
  ['iss of a trusted issuer, signed by another key with its kid', async () => signJwt(broker, { aud: AUD, key: { ...(await newKey(broker.key.kid)) } }), /signature/],
  ['unknown kid', async () => signJwt(broker, { aud: AUD, key: await newKey('nobody-knows-me') }), /kid nobody-knows-me/],
  ['alg none', async () => unsignedJwt({ iss: broker.issuer, aud: AUD, sub: 'x', exp: now() + 600 }), /alg none/],
  ['HS256 signed with the RSA public key as secret', () => hs256WithPublicKey(broker, { iss: broker.issuer, aud: AUD, sub: 'x', exp: now() + 600 }), /alg HS256/],
  ['no sub', () => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: broker.key.kid }).setIssuer(broker.issuer).setAudience(AUD).setExpirationTime(now() + 60).sign(broker.key.privateKey), /sub/],
  ['garbage', async () => 'a.b.c', /not an API token|not a JWT/],
];
test.each(BAD_TOKENS)('%s: 401 naming the problem', async (_name, make, message) => {
  const e = await refused(bearer(await make()));
  expect(e.message).toMatch(message);
});

test('a visa from an untrusted issuer or an expired visa is ignored: never a higher level', async () => {
  const untrusted = await resolve(bearer(await passport(broker, AUD, await registeredVisas(stranger))));
  expect(untrusted.level).toBe('anonymous');
  expect(untrusted.notes?.join(' ')).toMatch(/not a trusted visa issuer/);
  const expired = await resolve(bearer(await passport(broker, AUD, await registeredVisas(visas, { exp: now() - 120, iat: now() - 900 }))));
  expect(expired.level).toBe('anonymous');
  expect(expired.notes?.join(' ')).toMatch(/has expired: ignored/);
  // One good and one expired: still not registered (both are needed).
  const [terms] = await registeredVisas(visas);
  const [, oldStatus] = await registeredVisas(visas, { exp: now() - 120, iat: now() - 900 });
  expect((await resolve(bearer(await passport(broker, AUD, [terms!, oldStatus!])))).level).toBe('anonymous');
});

test('a visa signed by the broker instead of the visa issuer (forged) is ignored', async () => {
  const forged = await signJwt(broker, { iss: visas.issuer, kid: visas.key.kid, claims: { ga4gh_visa_v1: { type: 'ResearcherStatus', value: 'x' } } });
  const [terms] = await registeredVisas(visas);
  const c = await resolve(bearer(await passport(broker, AUD, [terms!, forged])));
  expect(c.level).toBe('anonymous');
  expect(c.notes?.join(' ')).toMatch(/signature/);
});

test('JWKS: cached, and fetched again when a token names a kid it does not hold (key rotation)', async () => {
  const before = broker.fetches();
  await resolve(bearer(await passport(broker, AUD, [])));
  expect(broker.fetches()).toBe(before); // cached
  const rotated = await newKey('broker-2');
  broker.keys.push(rotated);
  const c = await resolve(bearer(await passport(broker, AUD, await registeredVisas(visas), { key: rotated })));
  expect(c.level).toBe('registered');
  expect(broker.fetches()).toBe(before + 1);
});

test('configured grant rules: only the listed visa value (and DAC source) opens a dataset', async () => {
  const strict = createCallerResolver({ ...settings, grants: [{ dataset: 'kg', value: 'https://ega-archive.org/datasets/EGAD00000000001', source: 'https://dac.example.org' }] }, { cooldownMs: 0 });
  const reg = await registeredVisas(visas);
  const listed = await visa(visas, 'ControlledAccessGrants', 'https://ega-archive.org/datasets/EGAD00000000001');
  expect((await strict(bearer(await passport(broker, AUD, [...reg, listed])))).controlledDatasets).toEqual(['kg']);
  // Named by its last segment but not listed: with rules configured, that is not enough.
  const byName = await visa(visas, 'ControlledAccessGrants', 'https://elsewhere.example.org/datasets/kg');
  const c = await strict(bearer(await passport(broker, AUD, [...reg, byName])));
  expect(c).toMatchObject({ level: 'registered', controlledDatasets: [] });
  expect(c.notes?.join(' ')).toMatch(/opens no dataset here: ignored/);
  // The listed value from another DAC: ignored.
  const otherDac = await signJwt(visas, { claims: { ga4gh_visa_v1: { type: 'ControlledAccessGrants', value: 'https://ega-archive.org/datasets/EGAD00000000001', source: 'https://other-dac.example.org', by: 'dac' } } });
  expect((await strict(bearer(await passport(broker, AUD, [...reg, otherDac])))).controlledDatasets).toEqual([]);
});

test("an issuer whose JWKS cannot be fetched: 401 saying the token could not be checked (never accepted unchecked)", async () => {
  const gone = await startIssuer('gone');
  const jwt = await signJwt(gone, { aud: AUD });
  await gone.close();
  const r = createCallerResolver({ ...settings, oidc: [{ issuer: gone.issuer, jwksUri: gone.jwksUri, audience: [AUD], algorithms: DEFAULT_ALGORITHMS }] }, { cooldownMs: 0, timeoutMs: 1000 });
  await expect(r(bearer(jwt))).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/cannot be checked/) });
});

test('a verified JWT is answered from a cache (keyed by its hash) until the cache time or the earliest exp that counted', async () => {
  let t = Date.now();
  const r = createCallerResolver(settings, { cooldownMs: 0, cacheMs: 60_000, now: () => t });
  const visaExp = Math.floor(t / 1000) + 20;
  const jwt = await passport(broker, AUD, await registeredVisas(visas, { exp: visaExp }));
  expect((await r(bearer(jwt))).level).toBe('registered');
  expect((await r(bearer(jwt))).level).toBe('registered');
  expect(r.stats).toEqual({ verified: 1, cached: 1 });
  // Past the visas' exp the cached caller is not used: the JWT is verified again.
  t = visaExp * 1000 + 1;
  await r(bearer(jwt));
  expect(r.stats).toEqual({ verified: 2, cached: 1 });
  // Failures are never cached: each bad token is checked (and rate limited by the pipeline).
  await expect(r(bearer(await signJwt(broker, { aud: 'other' })))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  await expect(r(bearer(await signJwt(broker, { aud: 'other' })))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  expect(r.stats.cached).toBe(1);
});
