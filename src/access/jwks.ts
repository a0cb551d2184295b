import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

/**
 * JWT verification for src/access/, the one place the JOSE library is used. Each issuer's JWKS is
 * fetched over HTTP(S) on first use, cached, and fetched again when a token names a `kid` the
 * cache does not hold (at most once per cooldown, so random kids cannot make afb hammer an issuer).
 */
export interface VerifyRule {
  issuer: string;
  audience?: readonly string[];
  algorithms: readonly string[];
  clockSkewSeconds: number;
  required: string[];
}

export type KeySource = ReturnType<typeof createRemoteJWKSet>;

export interface JwksOptions {
  /** Least time between two fetches of one JWKS (default 10 s). */
  cooldownMs?: number;
  /** A JWKS is refetched after this long even when its kids all match (default 10 min). */
  maxAgeMs?: number;
  /** One JWKS fetch may take this long (default 5 s). */
  timeoutMs?: number;
}

export function remoteKeys(jwksUri: string, o: JwksOptions = {}): KeySource {
  return createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: o.cooldownMs ?? 10_000,
    cacheMaxAge: o.maxAgeMs ?? 600_000,
    timeoutDuration: o.timeoutMs ?? 5_000,
  });
}

/** A JWT's claims and header, unverified: only to choose the issuer whose keys will verify it. */
export function peek(jwt: string): { alg?: string; kid?: string; iss?: string } | undefined {
  try {
    const h = decodeProtectedHeader(jwt);
    const p = decodeJwt(jwt);
    return { alg: h.alg, kid: h.kid, iss: typeof p.iss === 'string' ? p.iss : undefined };
  } catch {
    return undefined;
  }
}

/** The verified claims, or an Error whose message says in plain words what was wrong. */
export async function verify(jwt: string, keys: KeySource, rule: VerifyRule): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(jwt, keys, {
      issuer: rule.issuer,
      ...(rule.audience && rule.audience.length > 0 ? { audience: [...rule.audience] } : {}),
      algorithms: [...rule.algorithms],
      clockTolerance: rule.clockSkewSeconds,
      requiredClaims: rule.required,
    });
    return payload;
  } catch (e) {
    throw new Error(reason(e, jwt, rule), { cause: e });
  }
}

function reason(e: unknown, jwt: string, rule: VerifyRule): string {
  const code = (e as { code?: string }).code;
  const claim = (e as { claim?: string }).claim;
  const p = peek(jwt);
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'nbf') return 'is not yet valid (nbf is in the future)';
      if (claim === 'iat') return 'is issued in the future (iat)';
      if (claim === 'aud') return `is for another audience; this beacon accepts aud ${rule.audience?.join(' or ')}`;
      if (claim === 'iss') return `names issuer ${String(p?.iss)}, expected ${rule.issuer}`;
      return `fails the ${String(claim)} check (${(e as Error).message})`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `is signed with alg ${String(p?.alg)}; allowed: ${rule.algorithms.join(', ')}`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'has a signature that does not verify';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return `names key ${p?.kid === undefined ? '(no kid)' : `kid ${p.kid}`}, which ${rule.issuer}'s JWKS does not hold (or holds none for alg ${String(p?.alg)})`;
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return `names no kid and ${rule.issuer}'s JWKS holds several keys for alg ${String(p?.alg)}`;
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return `cannot be checked: ${rule.issuer}'s JWKS could not be fetched (${(e as Error).message})`;
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return `is not a valid JWT (${(e as Error).message})`;
    case 'ERR_JOSE_NOT_SUPPORTED':
      return `uses something this beacon does not support (${(e as Error).message})`;
    default:
      return `cannot be checked (${(e as Error).message})`;
  }
}
