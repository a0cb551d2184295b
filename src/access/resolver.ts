import { createHash } from 'node:crypto';
import type { Caller } from '../domain/access';
import { AfbError } from '../domain/errors';
import type { GrantRule, IdentitySettings, OidcIssuer, StaticToken, VisaIssuer } from '../domain/identity';
import { peek, remoteKeys, verify, type JwksOptions, type KeySource } from './jwks';

/** What the identify step is given of a request (the pipeline's RequestHeaders has these fields). */
export interface IdentifyInput {
  authorization?: string;
  clientIp?: string;
}

/** Most visas read from one passport (each costs a signature check). */
export const MAX_VISAS = 100;

/**
 * Who is asking (DESIGN §9), as a function the pipeline's identify step calls:
 *
 * - no Authorization header: anonymous, counted by IP (`ip:<address>`);
 * - `Bearer <token>` whose SHA-256 is a configured static token: that token's level (`token:<id>`);
 * - `Bearer <JWT>` from a configured OIDC issuer, verified against its JWKS (signature, iss, aud,
 *   exp/nbf with clock skew, allowed algorithms; `none` and HMAC never): `sub:<iss>#<sub>`, at the
 *   level its GA4GH Passport visas (`ga4gh_passport_v1`) give, each visa verified against its own
 *   trusted issuer's JWKS: AcceptedTermsAndPolicies + ResearcherStatus → registered; with those,
 *   ControlledAccessGrants naming a dataset → controlled for it. A verified JWT without them is
 *   anonymous (the documented lower level for a missing visa); visas that do not verify are
 *   ignored and named in `caller.notes`.
 *
 * Anything else (malformed header, unknown token, a JWT that fails any check) is an AfbError
 * UNAUTHORIZED (401) naming what was wrong, with `WWW-Authenticate: Bearer error="invalid_token"`:
 * never a silent change of level.
 */
export interface ResolverOptions extends JwksOptions {
  /** A verified JWT's caller is kept this long (default 60 s), never past the token's or a counted visa's exp. */
  cacheMs?: number;
  /** Most verified JWTs kept (default 10,000; the oldest go first). */
  cacheEntries?: number;
  /** The cache's clock (tests). */
  now?: () => number;
}

export type CallerResolver = ((h: IdentifyInput) => Promise<Caller>) & {
  /** JWTs verified in full, and answered from the cache of verified JWTs. */
  stats: { verified: number; cached: number };
};

export function createCallerResolver(s: IdentitySettings, o: ResolverOptions = {}): CallerResolver {
  const jwks = o;
  const now = o.now ?? Date.now;
  const cacheMs = o.cacheMs ?? 60_000;
  const cacheEntries = o.cacheEntries ?? 10_000;
  // Keyed by the token's SHA-256 (the token itself is not kept). A passport costs a signature check
  // per visa (~0.5 ms for a token and two RS256 visas, several lookups' worth), so a client sending
  // the same JWT again is answered from here until the cache time or the earliest exp that counted.
  const verified = new Map<string, { caller: Caller; until: number }>();
  const stats = { verified: 0, cached: 0 };
  const tokens = new Map<string, StaticToken>(s.tokens.map((t) => [t.sha256.toLowerCase(), t]));
  const keys = new Map<string, KeySource>();
  const keysOf = (uri: string): KeySource => {
    let k = keys.get(uri);
    if (!k) keys.set(uri, (k = remoteKeys(uri, jwks)));
    return k;
  };
  const oidc = new Map<string, OidcIssuer>(s.oidc.map((i) => [i.issuer, i]));
  const visaIssuers = new Map<string, VisaIssuer>(s.visaIssuers.map((i) => [i.issuer, i]));

  const resolve = async (h: IdentifyInput): Promise<Caller> => {
    const ip = `ip:${h.clientIp ?? 'unknown'}`;
    if (h.authorization === undefined || h.authorization === '') return { level: 'anonymous', controlledDatasets: [], clientId: ip, via: 'none' };
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(h.authorization);
    if (!m) throw unauthorized('the Authorization header must be "Bearer <token>" (an API token or an OIDC/Passport JWT)');
    const token = m[1]!;
    const hash = sha256(token);
    const known = tokens.get(hash);
    if (known) {
      return {
        level: known.level,
        controlledDatasets: known.level === 'controlled' ? [...known.datasets] : [],
        clientId: `token:${known.id}`,
        via: 'token',
      };
    }
    const hit = verified.get(hash);
    if (hit && now() < hit.until) {
      stats.cached++;
      return hit.caller;
    }
    if (hit) verified.delete(hash);
    const { caller, expires } = await fromJwt(token);
    stats.verified++;
    const until = Math.min(now() + cacheMs, ...expires.map((e) => e * 1000));
    if (verified.size >= cacheEntries) verified.delete(verified.keys().next().value!);
    verified.set(hash, { caller, until });
    return caller;
  };

  /** A JWT verified in full, with the exp (seconds) of the token and of each visa that counted. */
  const fromJwt = async (token: string): Promise<{ caller: Caller; expires: number[] }> => {
    const head = token.split('.').length === 3 ? peek(token) : undefined;
    if (!head) throw unauthorized('the bearer token is not an API token this beacon knows, nor a JWT');
    const issuer = head.iss === undefined ? undefined : oidc.get(head.iss);
    if (!issuer) {
      const trusted = [...oidc.keys()];
      throw unauthorized(`the JWT's issuer ${shown(head.iss)} is not trusted here; trusted: ${trusted.length > 0 ? trusted.join(', ') : 'none (this beacon takes API tokens only)'}`);
    }
    let claims;
    try {
      claims = await verify(token, keysOf(issuer.jwksUri), { issuer: issuer.issuer, audience: issuer.audience, algorithms: issuer.algorithms, clockSkewSeconds: s.clockSkewSeconds, required: ['exp', 'sub'] });
    } catch (e) {
      throw unauthorized(`the JWT ${(e as Error).message}`);
    }
    const passport = await visasOf(claims.ga4gh_passport_v1, visaIssuers, keysOf, s.clockSkewSeconds, s.grants ?? []);
    const clientId = `sub:${issuer.issuer}#${String(claims.sub)}`;
    const notes = [...passport.notes];
    const expires = [claims.exp!, ...passport.expires];
    if (!passport.registered) {
      if (passport.grants.length > 0) notes.push(`ControlledAccessGrants for ${passport.grants.join(', ')} ignored: they count only with AcceptedTermsAndPolicies and ResearcherStatus visas`);
      else if (notes.length === 0) notes.push('no AcceptedTermsAndPolicies and ResearcherStatus visas: anonymous level');
      return { caller: { level: 'anonymous', controlledDatasets: [], clientId, via: 'oidc', notes }, expires };
    }
    const grants = [...new Set(passport.grants)];
    return { caller: { level: grants.length > 0 ? 'controlled' : 'registered', controlledDatasets: grants, clientId, via: 'oidc', ...(notes.length > 0 ? { notes } : {}) }, expires };
  };
  return Object.assign(resolve, { stats });
}

interface Passport {
  registered: boolean;
  grants: string[];
  notes: string[];
  /** exp (seconds) of each visa read. */
  expires: number[];
}

/** The passport's visas that verify, read; those that do not, named in notes and ignored. */
async function visasOf(raw: unknown, issuers: Map<string, VisaIssuer>, keysOf: (uri: string) => KeySource, skew: number, rules: readonly GrantRule[]): Promise<Passport> {
  const out: Passport = { registered: false, grants: [], notes: [], expires: [] };
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) {
    out.notes.push('ga4gh_passport_v1 is not an array of visa JWTs: ignored');
    return out;
  }
  if (raw.length > MAX_VISAS) out.notes.push(`ga4gh_passport_v1 holds ${raw.length} visas; only the first ${MAX_VISAS} were read`);
  const types = new Set<string>();
  await Promise.all(
    raw.slice(0, MAX_VISAS).map(async (visa: unknown, i) => {
      const where = `visa ${i + 1}`;
      if (typeof visa !== 'string') return void out.notes.push(`${where} is not a JWT: ignored`);
      const head = peek(visa);
      if (!head) return void out.notes.push(`${where} is not a JWT: ignored`);
      const issuer = head.iss === undefined ? undefined : issuers.get(head.iss);
      if (!issuer) return void out.notes.push(`${where} is from ${shown(head.iss)}, not a trusted visa issuer: ignored`);
      let claims;
      try {
        claims = await verify(visa, keysOf(issuer.jwksUri), { issuer: issuer.issuer, algorithms: issuer.algorithms, clockSkewSeconds: skew, required: ['exp', 'ga4gh_visa_v1'] });
      } catch (e) {
        return void out.notes.push(`${where} from ${issuer.issuer} ${(e as Error).message}: ignored`);
      }
      const v = claims.ga4gh_visa_v1 as { type?: unknown; value?: unknown; source?: unknown } | undefined;
      if (!v || typeof v.type !== 'string') return void out.notes.push(`${where} has no ga4gh_visa_v1.type: ignored`);
      out.expires.push(claims.exp!);
      types.add(v.type);
      if (v.type === 'ControlledAccessGrants') {
        const ids = grantedDatasets(v.value, v.source, rules);
        if (ids.length > 0) out.grants.push(...ids);
        else out.notes.push(`${where} (ControlledAccessGrants ${typeof v.value === 'string' ? shown(v.value) : '(no value)'}) opens no dataset here: ignored`);
      }
    }),
  );
  out.registered = types.has('AcceptedTermsAndPolicies') && types.has('ResearcherStatus');
  return out;
}

/** The datasets one ControlledAccessGrants visa opens: by the configured rules, else by its value's last segment. */
function grantedDatasets(value: unknown, source: unknown, rules: readonly GrantRule[]): string[] {
  if (typeof value !== 'string') return [];
  if (rules.length === 0) {
    const id = datasetOf(value);
    return id ? [id] : [];
  }
  return rules.filter((r) => r.value === value && (r.source === undefined || r.source === source)).map((r) => r.dataset);
}

/** A grant's value names the dataset: its id itself, or a URL/URN whose last segment is the id. */
export function datasetOf(value: string): string | undefined {
  const last = value.replace(/[/#?]+$/, '').split(/[/:#]/).pop();
  return last && last.length > 0 ? last : undefined;
}

/** An issuer named by an unverified token, as a message may show it (bounded). */
function shown(iss: string | undefined): string {
  if (iss === undefined) return '(no iss)';
  return iss.length > 200 ? `${iss.slice(0, 200)}…` : iss;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function unauthorized(message: string): AfbError {
  return new AfbError('UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${message.replace(/[^\x20-\x7e]|["\\]/g, "'")}"` } });
}
