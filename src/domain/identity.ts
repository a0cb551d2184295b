import type { AccessLevel } from './access';

/**
 * How a node or broker recognises its callers (the identity half of the config's `access`
 * section; the policy half is AccessPolicy in ./access). Parsed by src/config/access-config.ts,
 * used by src/access/. Holds no secret: static tokens are kept only as SHA-256 hashes.
 */
export interface IdentitySettings {
  tokens: readonly StaticToken[];
  /** OIDC issuers whose bearer JWTs (access tokens or Passport JWTs) are accepted. */
  oidc: readonly OidcIssuer[];
  /** Issuers whose GA4GH Passport visas are trusted. */
  visaIssuers: readonly VisaIssuer[];
  /** Leeway for exp/nbf/iat, in seconds. */
  clockSkewSeconds: number;
  /**
   * Which ControlledAccessGrants visas open which dataset. Empty: a grant whose value is the dataset
   * id, or a URL/URN whose last segment is the id. Given: only the visas listed (value, and source when named).
   */
  grants?: readonly GrantRule[];
}

export interface GrantRule {
  dataset: string;
  /** The visa's `ga4gh_visa_v1.value`, exactly. */
  value: string;
  /** The visa's `ga4gh_visa_v1.source` (the DAC), exactly, when named. */
  source?: string;
}

export interface StaticToken {
  /** Names the client in budgets and the audit log (`token:<id>`). */
  id: string;
  /** Lower-case hex SHA-256 of the token as sent after `Bearer `. */
  sha256: string;
  level: AccessLevel;
  /** For `controlled`: the datasets it opens. */
  datasets: readonly string[];
}

export interface OidcIssuer {
  /** Exact `iss` value. */
  issuer: string;
  jwksUri: string;
  /** `aud` the token must carry (one of). */
  audience: readonly string[];
  /** Allowed `alg` values (asymmetric only; `none` and HS* are never accepted). */
  algorithms: readonly string[];
}

export interface VisaIssuer {
  issuer: string;
  jwksUri: string;
  algorithms: readonly string[];
}

/** Asymmetric JWS algorithms afb accepts by default (no `none`, no HMAC: a public key is never a secret). */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** No `access` section: nobody can authenticate, everyone is anonymous. */
export const NO_IDENTITY: IdentitySettings = { tokens: [], oidc: [], visaIssuers: [], clockSkewSeconds: 30 };
