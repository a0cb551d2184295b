/**
 * A real OIDC issuer and visa issuer for tests, on loopback: RSA keys made with jose, the JWKS
 * served over HTTP on port 0, and helpers that sign access tokens, Passport JWTs and visas.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

export interface TestKey {
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}

export async function newKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

export interface TestIssuer {
  /** The `iss` value (the loopback base URL plus a path). */
  issuer: string;
  jwksUri: string;
  key: TestKey;
  /** Keys the JWKS serves now (a test may add one: rotation). */
  keys: TestKey[];
  /** How many times the JWKS was fetched. */
  fetches(): number;
  close(): Promise<void>;
}

export async function startIssuer(name: string): Promise<TestIssuer> {
  const key = await newKey(`${name}-1`);
  const keys = [key];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer: `${base}/${name}`,
    jwksUri: `${base}/jwks`,
    key,
    keys,
    fetches: () => fetches,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const now = () => Math.floor(Date.now() / 1000);

export interface SignOptions {
  key?: TestKey;
  kid?: string;
  iss?: string;
  aud?: string;
  sub?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  claims?: Record<string, unknown>;
}

/** An RS256 JWT from `issuer` (or as `o` overrides: another key, kid, iss, aud, times). */
export async function signJwt(issuer: TestIssuer, o: SignOptions = {}): Promise<string> {
  const key = o.key ?? issuer.key;
  const jwt = new SignJWT({ ...(o.claims ?? {}) })
    .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(o.iss ?? issuer.issuer)
    .setSubject(o.sub ?? 'researcher-1')
    .setIssuedAt(o.iat ?? now() - 10)
    .setExpirationTime(o.exp ?? now() + 600);
  if (o.aud !== undefined) jwt.setAudience(o.aud);
  if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
  return jwt.sign(key.privateKey);
}

export type VisaType = 'AcceptedTermsAndPolicies' | 'ResearcherStatus' | 'ControlledAccessGrants' | 'AffiliationAndRole' | 'LinkedIdentities';

/** One GA4GH visa JWT from a visa issuer. */
export function visa(issuer: TestIssuer, type: VisaType, value: string, o: SignOptions = {}): Promise<string> {
  return signJwt(issuer, { ...o, claims: { ga4gh_visa_v1: { type, value, source: 'https://dac.example.org', by: 'dac', asserted: now() - 3600 } } });
}

/** A Passport JWT (the bearer token) from `broker`, for audience `aud`, carrying `visas`. */
export function passport(broker: TestIssuer, aud: string, visas: string[], o: SignOptions = {}): Promise<string> {
  return signJwt(broker, { aud, ...o, claims: { ga4gh_passport_v1: visas, ...(o.claims ?? {}) } });
}

/** The two visas that make a registered researcher. */
export async function registeredVisas(visas: TestIssuer, o: SignOptions = {}): Promise<string[]> {
  return [await visa(visas, 'AcceptedTermsAndPolicies', 'https://doi.org/10.1038/s41431-018-0219-y', o), await visa(visas, 'ResearcherStatus', 'https://doi.org/10.1038/s41431-018-0219-y', o)];
}

/** A token with `alg: none` (unsigned). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The RS/HS confusion: an HS256 token whose HMAC secret is the issuer's RSA public key (PEM). */
export async function hs256WithPublicKey(issuer: TestIssuer, claims: Record<string, unknown>): Promise<string> {
  const pem = await exportSPKI(issuer.key.publicKey);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: issuer.key.kid }).sign(new TextEncoder().encode(pem));
}
