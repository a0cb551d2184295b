import { AfbError } from '../domain/errors';

/** The `broker` section of the config file (or AFB_BROKER_* environment); see docs/network-operators.md. */
export interface BrokerConfig {
  /** One answer never takes longer than this, whatever the peers do. */
  deadlineMs: number;
  /** Most broker ids an X-Afb-Visited chain may hold before a broker stops fanning out. */
  maxDepth: number;
  /** A peer answer larger than this is dropped (invalid_answer). */
  maxResponseBytes: number;
  healthIntervalMs: number;
  /** Failures in a row before a peer is skipped as down, and how long it stays skipped. */
  failureThreshold: number;
  cooldownMs: number;
  /** Answers are cached this long, keyed on the query and the peers' data versions (0 = off). */
  cacheTtlMs: number;
  cacheEntries: number;
  /** Optional TSV `population<TAB>canonical code`: how this broker pools other vocabularies. */
  populationsFile?: string;
}

export const BROKER_KEYS: { key: keyof BrokerConfig; env: string; min: number; max: number; default: number; doc: string }[] = [
  { key: 'deadlineMs', env: 'AFB_BROKER_DEADLINE_MS', min: 10, max: 600_000, default: 3000, doc: 'overall answer deadline' },
  { key: 'maxDepth', env: 'AFB_BROKER_MAX_DEPTH', min: 1, max: 50, default: 4, doc: 'longest broker chain (X-Afb-Visited)' },
  { key: 'maxResponseBytes', env: 'AFB_BROKER_MAX_RESPONSE_BYTES', min: 1024, max: 2e9, default: 64 * 1024 * 1024, doc: 'largest peer answer' },
  { key: 'healthIntervalMs', env: 'AFB_BROKER_HEALTH_INTERVAL_MS', min: 100, max: 3_600_000, default: 15_000, doc: 'how often each peer service-info is polled' },
  { key: 'failureThreshold', env: 'AFB_BROKER_FAILURE_THRESHOLD', min: 1, max: 1000, default: 3, doc: 'failures in a row before a peer is skipped as down' },
  { key: 'cooldownMs', env: 'AFB_BROKER_COOLDOWN_MS', min: 100, max: 3_600_000, default: 30_000, doc: 'how long a down peer is skipped before one retry' },
  { key: 'cacheTtlMs', env: 'AFB_BROKER_CACHE_TTL_MS', min: 0, max: 3_600_000, default: 10_000, doc: 'answer cache lifetime (0 = off)' },
  { key: 'cacheEntries', env: 'AFB_BROKER_CACHE_ENTRIES', min: 0, max: 10_000_000, default: 10_000, doc: 'answer cache size' },
];

export function loadBrokerConfig(file: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const section = (file.broker ?? {}) as Record<string, unknown>;
  if (typeof section !== 'object' || Array.isArray(section)) throw new AfbError('INVALID_OPTION', 'config: broker must be an object such as {"deadlineMs": 3000}');
  const out: Record<string, unknown> = {};
  for (const k of BROKER_KEYS) {
    let v: unknown = k.default;
    let where = 'default';
    if (section[k.key] !== undefined) [v, where] = [section[k.key], `config broker.${k.key}`];
    if (env[k.env] !== undefined && env[k.env] !== '') [v, where] = [env[k.env], `environment ${k.env}`];
    const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < k.min || n > k.max) throw new AfbError('INVALID_OPTION', `${where}: '${String(v)}' must be an integer in ${k.min}..${k.max}`);
    out[k.key] = n;
  }
  const pf = section.populationsFile ?? env.AFB_BROKER_POPULATIONS_FILE;
  if (pf !== undefined && pf !== '') {
    if (typeof pf !== 'string') throw new AfbError('INVALID_OPTION', 'config broker.populationsFile must be a file path');
    out.populationsFile = pf;
  }
  return out as unknown as BrokerConfig;
}
