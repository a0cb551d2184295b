import { ACCESS_LEVELS, OPEN_POLICY, type AccessLevel, type AccessPolicy, type LevelPolicy } from '../domain/access';
import { AfbError } from '../domain/errors';
import { GRANULARITIES, type Granularity } from '../domain/lookup';
import { DEFAULT_ALGORITHMS, NO_IDENTITY, type GrantRule, type IdentitySettings, type OidcIssuer, type StaticToken, type VisaIssuer } from '../domain/identity';

/**
 * The config file's `access` section (docs/configuration.md, "Access"): the AccessPolicy of each
 * level (and per dataset), and how callers are recognised (static tokens by SHA-256, OIDC issuers,
 * trusted visa issuers). No section: OPEN_POLICY and no identification, as afb was before.
 */
export interface AccessConfig {
  /** False when the file has no `access` section (every caller anonymous, everything shown). */
  configured: boolean;
  policy: AccessPolicy;
  identity: IdentitySettings;
}

/** Small-cell thresholds by precedent (DESIGN §9): `"minCount": "ukbiobank"` means 5. */
export const MIN_COUNT_PRESETS: Readonly<Record<string, number>> = {
  open: 1,
  gnomad: 1,
  ukbiobank: 5,
  togovar: 5,
  ons: 10,
  allofus: 20,
};

/** The levels when an `access` section exists: anonymous as the research anchors suggest (k = 5 after UK Biobank/TogoVar; 30 req/min, 1,000 per batch after gnomAD/Bravo; 250 kb regions after Bravo), the others exact. */
export const ACCESS_DEFAULTS: Readonly<Record<AccessLevel, LevelPolicy>> = {
  anonymous: { granularity: 'record', minCount: 5, requestsPerMinute: 30, maxBatch: 1000, maxRangeBases: 250_000 },
  registered: { granularity: 'record', minCount: 1 },
  controlled: { granularity: 'record', minCount: 1 },
};

const LEVEL_KEYS = ['granularity', 'minCount', 'preset', 'requestsPerMinute', 'maxBatch', 'maxRangeBases'] as const;
const SECTION_KEYS = ['levels', 'datasets', 'tokens', 'oidc', 'visaIssuers', 'grants', 'clockSkewSeconds'] as const;

/** `file` is the parsed config file, `where` names it in messages (its path). */
export function loadAccessConfig(file: Record<string, unknown>, where = 'config'): AccessConfig {
  const raw = file.access;
  if (raw === undefined) return { configured: false, policy: OPEN_POLICY, identity: NO_IDENTITY };
  const at = (path: string) => `${where}: access${path}`;
  const section = object(raw, at(''), '{"levels": {"anonymous": {"minCount": 5}}, "tokens": [...], "oidc": [...], "visaIssuers": [...]}');
  unknownKeys(section, SECTION_KEYS, at(''));

  const levelsRaw = section.levels === undefined ? {} : object(section.levels, at('.levels'), '{"anonymous": {...}, "registered": {...}, "controlled": {...}}');
  unknownKeys(levelsRaw, ACCESS_LEVELS, at('.levels'));
  const levels = {} as Record<AccessLevel, LevelPolicy>;
  for (const level of ACCESS_LEVELS) {
    const given = levelsRaw[level] === undefined ? {} : levelPart(levelsRaw[level], at(`.levels.${level}`));
    levels[level] = withoutNulls({ ...ACCESS_DEFAULTS[level], ...given }) as LevelPolicy;
  }

  const datasets: AccessPolicy['datasets'] = {};
  if (section.datasets !== undefined) {
    const ds = object(section.datasets, at('.datasets'), '{"<dataset id>": {"anonymous": {"minCount": 10}}}');
    for (const [id, perLevel] of Object.entries(ds)) {
      const o = object(perLevel, at(`.datasets.${id}`), '{"anonymous": {"minCount": 10}}');
      unknownKeys(o, ACCESS_LEVELS, at(`.datasets.${id}`));
      datasets[id] = Object.fromEntries(Object.entries(o).map(([level, v]) => [level, withoutNulls(levelPart(v, at(`.datasets.${id}.${level}`)))]));
    }
  }

  const skew = section.clockSkewSeconds === undefined ? NO_IDENTITY.clockSkewSeconds : int(section.clockSkewSeconds, at('.clockSkewSeconds'), 0, 600);
  const tokens = list(section.tokens, at('.tokens')).map((t, i) => staticToken(t, at(`.tokens[${i}]`)));
  const seen = new Set<string>();
  tokens.forEach((t, i) => {
    if (seen.has(t.id) || seen.has(t.sha256)) throw new AfbError('INVALID_OPTION', `${at(`.tokens[${i}]`)}: id '${t.id}' or its sha256 appears twice; each token needs its own id and hash`);
    seen.add(t.id);
    seen.add(t.sha256);
  });
  const oidc = list(section.oidc, at('.oidc')).map((x, i) => oidcIssuer(x, at(`.oidc[${i}]`)));
  const visaIssuers = list(section.visaIssuers, at('.visaIssuers')).map((x, i) => visaIssuer(x, at(`.visaIssuers[${i}]`)));
  const grants = list(section.grants, at('.grants')).map((x, i) => grantRule(x, at(`.grants[${i}]`)));
  return { configured: true, policy: { levels, datasets }, identity: { tokens, oidc, visaIssuers, grants, clockSkewSeconds: skew } };
}

/** The policy a node reports (`/api/info` info.afb.access): per level granularity, minCount and budgets; per dataset overrides. Never a token or its hash. */
export function publicPolicy(c: AccessConfig): Record<string, unknown> {
  return {
    configured: c.configured,
    levels: c.policy.levels,
    ...(Object.keys(c.policy.datasets).length > 0 ? { datasets: c.policy.datasets } : {}),
    authentication: {
      apiTokens: c.identity.tokens.length > 0,
      oidcIssuers: c.identity.oidc.map((i) => i.issuer),
      visaIssuers: c.identity.visaIssuers.map((i) => i.issuer),
    },
  };
}

function levelPart(raw: unknown, where: string): Partial<Record<keyof LevelPolicy, unknown>> {
  const o = object(raw, where, '{"granularity": "record", "minCount": 5, "requestsPerMinute": 30, "maxBatch": 1000, "maxRangeBases": 250000}');
  unknownKeys(o, LEVEL_KEYS, where);
  const out: Partial<Record<keyof LevelPolicy, unknown>> = {};
  if (o.granularity !== undefined) {
    if (!GRANULARITIES.includes(o.granularity as Granularity)) throw new AfbError('INVALID_OPTION', `${where}.granularity: ${JSON.stringify(o.granularity)} must be one of ${GRANULARITIES.join(', ')}`);
    out.granularity = o.granularity;
  }
  if (o.preset !== undefined && o.minCount !== undefined) throw new AfbError('INVALID_OPTION', `${where}: give minCount or preset, not both`);
  if (o.preset !== undefined || o.minCount !== undefined) out.minCount = minCount(o.preset ?? o.minCount, `${where}.${o.preset !== undefined ? 'preset' : 'minCount'}`);
  for (const k of ['requestsPerMinute', 'maxBatch', 'maxRangeBases'] as const) {
    // null removes a default limit.
    if (o[k] === null) out[k] = null;
    else if (o[k] !== undefined) out[k] = int(o[k], `${where}.${k}`, 1, k === 'maxRangeBases' ? 1e10 : 10_000_000);
  }
  return out;
}

/** k: an integer ≥ 1 except 2 (a withheld count would then always be exactly 1), or a preset name. */
export function minCount(raw: unknown, where: string): number {
  const valid = `an integer 1 or 3..1000, or a preset: ${Object.entries(MIN_COUNT_PRESETS).map(([n, k]) => `"${n}" (${k})`).join(', ')}`;
  if (typeof raw === 'string') {
    const k = MIN_COUNT_PRESETS[raw.toLowerCase().replace(/[\s_-]/g, '')];
    if (k === undefined) throw new AfbError('INVALID_OPTION', `${where}: '${raw}' is not a preset; valid: ${valid}`);
    return k;
  }
  if (raw === 2) throw new AfbError('INVALID_OPTION', `${where}: 2 is refused: with k = 2 every withheld count is exactly 1, so withholding it reveals it; valid: ${valid}`);
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 1 || raw > 1000) throw new AfbError('INVALID_OPTION', `${where}: ${JSON.stringify(raw)} must be ${valid}`);
  return raw;
}

function staticToken(raw: unknown, where: string): StaticToken {
  const o = object(raw, where, '{"id": "lab-a", "sha256": "<64 hex digits: sha256 of the token>", "level": "registered"}');
  unknownKeys(o, ['id', 'sha256', 'level', 'datasets'], where);
  if ('token' in o) throw new AfbError('INVALID_OPTION', `${where}: holds a token in clear; keep only its SHA-256 ("sha256": "<hex>", e.g. printf %s "$TOKEN" | sha256sum)`);
  const id = str(o.id, `${where}.id`);
  if (typeof o.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(o.sha256)) throw new AfbError('INVALID_OPTION', `${where}.sha256: must be 64 hex digits, the SHA-256 of the token (printf %s "$TOKEN" | sha256sum)`);
  const level = o.level;
  if (!ACCESS_LEVELS.includes(level as AccessLevel)) throw new AfbError('INVALID_OPTION', `${where}.level: ${JSON.stringify(level)} must be one of ${ACCESS_LEVELS.join(', ')}`);
  const datasets = o.datasets === undefined ? [] : list(o.datasets, `${where}.datasets`).map((d, i) => str(d, `${where}.datasets[${i}]`));
  if (level === 'controlled' && datasets.length === 0) throw new AfbError('INVALID_OPTION', `${where}.datasets: a controlled token names the datasets it opens, e.g. ["kg"]`);
  return { id, sha256: o.sha256.toLowerCase(), level: level as AccessLevel, datasets };
}

function oidcIssuer(raw: unknown, where: string): OidcIssuer {
  const o = object(raw, where, '{"issuer": "https://login.example.org/", "jwksUri": "https://login.example.org/jwks", "audience": "afb"}');
  unknownKeys(o, ['issuer', 'jwksUri', 'audience', 'algorithms'], where);
  const audience = typeof o.audience === 'string' ? [o.audience] : list(o.audience, `${where}.audience`).map((a, i) => str(a, `${where}.audience[${i}]`));
  if (audience.length === 0) throw new AfbError('INVALID_OPTION', `${where}.audience: required: the aud this beacon's tokens carry, e.g. "afb"`);
  return { issuer: str(o.issuer, `${where}.issuer`), jwksUri: url(o.jwksUri, `${where}.jwksUri`), audience, algorithms: algorithms(o.algorithms, `${where}.algorithms`) };
}

function visaIssuer(raw: unknown, where: string): VisaIssuer {
  const o = object(raw, where, '{"issuer": "https://visas.example.org/", "jwksUri": "https://visas.example.org/jwks"}');
  unknownKeys(o, ['issuer', 'jwksUri', 'algorithms'], where);
  return { issuer: str(o.issuer, `${where}.issuer`), jwksUri: url(o.jwksUri, `${where}.jwksUri`), algorithms: algorithms(o.algorithms, `${where}.algorithms`) };
}

function grantRule(raw: unknown, where: string): GrantRule {
  const o = object(raw, where, '{"dataset": "kg", "value": "https://ega-archive.org/datasets/EGAD00000000001", "source": "https://ega-archive.org/dacs/EGAC00000000001"}');
  unknownKeys(o, ['dataset', 'value', 'source'], where);
  return { dataset: str(o.dataset, `${where}.dataset`), value: str(o.value, `${where}.value`), ...(o.source === undefined ? {} : { source: str(o.source, `${where}.source`) }) };
}

function algorithms(raw: unknown, where: string): readonly string[] {
  if (raw === undefined) return DEFAULT_ALGORITHMS;
  const algs = list(raw, where).map((a, i) => str(a, `${where}[${i}]`));
  const bad = algs.filter((a) => !DEFAULT_ALGORITHMS.includes(a));
  if (bad.length > 0 || algs.length === 0) throw new AfbError('INVALID_OPTION', `${where}: ${bad.join(', ') || '[]'} not allowed; valid (asymmetric only, never none or HS*): ${DEFAULT_ALGORITHMS.join(', ')}`);
  return algs;
}

function url(raw: unknown, where: string): string {
  const s = str(raw, where);
  if (!/^https?:\/\//.test(s)) throw new AfbError('INVALID_OPTION', `${where}: '${s}' must be an http(s) URL`);
  return s;
}

function object(raw: unknown, where: string, example: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AfbError('INVALID_OPTION', `${where}: must be an object such as ${example}`);
  return raw as Record<string, unknown>;
}

function list(raw: unknown, where: string): unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new AfbError('INVALID_OPTION', `${where}: must be an array`);
  return raw;
}

function str(raw: unknown, where: string): string {
  if (typeof raw !== 'string' || raw === '') throw new AfbError('INVALID_OPTION', `${where}: must be a non-empty string`);
  return raw;
}

function int(raw: unknown, where: string, min: number, max: number): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < min || raw > max) throw new AfbError('INVALID_OPTION', `${where}: ${JSON.stringify(raw)} must be an integer in ${min}..${max}`);
  return raw;
}

function unknownKeys(o: Record<string, unknown>, known: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !known.includes(k) && !(k === 'token' && where.includes('.tokens[')));
  if (extra.length > 0) throw new AfbError('INVALID_OPTION', `${where}: unknown key ${extra.join(', ')}; valid keys: ${known.join(', ')}`);
}

function withoutNulls<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;
}
