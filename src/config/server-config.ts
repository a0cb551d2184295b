import { readFileSync } from 'node:fs';
import { AfbError } from '../domain/errors';

export type Granularity = 'boolean' | 'count' | 'record';

/**
 * Everything `afb serve` and `afb broker` can be told. One table in docs/configuration.md lists
 * each key with its environment variable; precedence is command-line flag > environment > file > default.
 */
export interface ServerConfig {
  host: string;
  port: number;
  beaconId: string;
  beaconName: string;
  description: string;
  organizationId: string;
  organizationName: string;
  organizationUrl: string;
  environment: 'prod' | 'test' | 'dev' | 'staging';
  /** Absolute base URL the world reaches this server at (for /api/map); derived from the request when empty. */
  publicUrl: string;
  /** frequencyInPopulations.sourceReference of this node's datasets. */
  sourceReference: string;
  defaultGranularity: Granularity;
  /** Largest page (`limit`); `limit=0` means this many. */
  maxLimit: number;
  /** Most variants in one batch request. */
  maxBatch: number;
  /** Widest range query, in bases. */
  maxRangeBases: number;
  /** Largest request body, in bytes. */
  bodyLimitBytes: number;
  /** Whole-request limit against slow clients (node:http requestTimeout). */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How long a graceful shutdown waits for requests in flight before closing connections. */
  shutdownGraceMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The whole config file, for sections other components read (e.g. `broker`). */
  file: Record<string, unknown>;
}

interface KeySpec {
  key: keyof Omit<ServerConfig, 'file'>;
  env: string;
  type: 'string' | 'int' | 'enum';
  values?: readonly string[];
  min?: number;
  max?: number;
  doc: string;
}

/** The documented table (docs/configuration.md is generated from the same facts). */
export const CONFIG_KEYS: readonly KeySpec[] = [
  { key: 'host', env: 'AFB_HOST', type: 'string', doc: 'interface to listen on' },
  { key: 'port', env: 'AFB_PORT', type: 'int', min: 0, max: 65535, doc: 'TCP port (0 = any free port)' },
  { key: 'beaconId', env: 'AFB_BEACON_ID', type: 'string', doc: 'Beacon id (reverse domain), shown in every meta' },
  { key: 'beaconName', env: 'AFB_BEACON_NAME', type: 'string', doc: 'Beacon name in /api/info' },
  { key: 'description', env: 'AFB_DESCRIPTION', type: 'string', doc: 'description in /api/info' },
  { key: 'organizationId', env: 'AFB_ORG_ID', type: 'string', doc: 'organization id in /api/info' },
  { key: 'organizationName', env: 'AFB_ORG_NAME', type: 'string', doc: 'organization name' },
  { key: 'organizationUrl', env: 'AFB_ORG_URL', type: 'string', doc: 'organization URL (service-info requires one)' },
  { key: 'environment', env: 'AFB_ENVIRONMENT', type: 'enum', values: ['prod', 'test', 'dev', 'staging'], doc: 'Beacon environment' },
  { key: 'publicUrl', env: 'AFB_PUBLIC_URL', type: 'string', doc: 'external base URL, e.g. https://beacon.example.org (default: from the request)' },
  { key: 'sourceReference', env: 'AFB_SOURCE_REFERENCE', type: 'string', doc: 'frequencyInPopulations.sourceReference' },
  { key: 'defaultGranularity', env: 'AFB_DEFAULT_GRANULARITY', type: 'enum', values: ['boolean', 'count', 'record'], doc: 'granularity when a request names none' },
  { key: 'maxLimit', env: 'AFB_MAX_LIMIT', type: 'int', min: 1, max: 100000, doc: 'largest page size' },
  { key: 'maxBatch', env: 'AFB_MAX_BATCH', type: 'int', min: 1, max: 1000000, doc: 'most variants per batch request' },
  { key: 'maxRangeBases', env: 'AFB_MAX_RANGE_BASES', type: 'int', min: 1, max: 1e10, doc: 'widest range query in bases' },
  { key: 'bodyLimitBytes', env: 'AFB_BODY_LIMIT_BYTES', type: 'int', min: 1024, max: 1e9, doc: 'largest request body' },
  { key: 'requestTimeoutMs', env: 'AFB_REQUEST_TIMEOUT_MS', type: 'int', min: 1, max: 3600000, doc: 'whole-request time limit (slow clients)' },
  { key: 'headersTimeoutMs', env: 'AFB_HEADERS_TIMEOUT_MS', type: 'int', min: 1, max: 3600000, doc: 'time limit for request headers' },
  { key: 'keepAliveTimeoutMs', env: 'AFB_KEEP_ALIVE_TIMEOUT_MS', type: 'int', min: 1, max: 3600000, doc: 'idle keep-alive connection lifetime' },
  { key: 'shutdownGraceMs', env: 'AFB_SHUTDOWN_GRACE_MS', type: 'int', min: 0, max: 3600000, doc: 'graceful-shutdown wait for requests in flight' },
  { key: 'logLevel', env: 'AFB_LOG_LEVEL', type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], doc: 'pino log level' },
];

export const DEFAULT_CONFIG: Omit<ServerConfig, 'file'> = {
  host: '127.0.0.1',
  port: 8080,
  beaconId: 'org.afb.node',
  beaconName: 'afb allele-frequency beacon',
  description: 'Aggregate allele counts per population (GA4GH Beacon v2)',
  organizationId: 'afb',
  organizationName: 'afb',
  organizationUrl: 'https://example.org/afb',
  environment: 'dev',
  publicUrl: '',
  sourceReference: 'https://example.org/afb',
  defaultGranularity: 'record',
  maxLimit: 1000,
  maxBatch: 10000,
  maxRangeBases: 10_000_000,
  bodyLimitBytes: 5 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  shutdownGraceMs: 10_000,
  logLevel: 'info',
};

/**
 * Defaults, then the JSON config file, then AFB_* environment variables, then `overrides`
 * (command-line flags). Every bad value names its source and the valid form.
 */
export function loadServerConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof ServerConfig, string | number | undefined>> = {},
  defaults: Partial<Omit<ServerConfig, 'file'>> = {},
): ServerConfig {
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG, ...defaults };
  let doc: Record<string, unknown> = {};
  if (file) {
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new AfbError('INVALID_OPTION', `--config ${file}: not a readable JSON file (${(e as Error).message})`, { cause: e });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new AfbError('INVALID_OPTION', `--config ${file}: expected a JSON object`);
  }
  for (const spec of CONFIG_KEYS) {
    const sources: [unknown, string][] = [
      [doc[spec.key], `${file}: ${spec.key}`],
      [env[spec.env], `environment ${spec.env}`],
      [overrides[spec.key], `--${spec.key}`],
    ];
    for (const [raw, where] of sources) {
      if (raw === undefined || raw === '') continue;
      out[spec.key] = coerce(spec, raw, where);
    }
  }
  return { ...(out as Omit<ServerConfig, 'file'>), file: doc };
}

function coerce(spec: KeySpec, raw: unknown, where: string): string | number {
  if (spec.type === 'int') {
    const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(String(raw).trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < (spec.min ?? -Infinity) || n > (spec.max ?? Infinity)) {
      throw new AfbError('INVALID_OPTION', `${where}: '${String(raw)}' must be an integer in ${spec.min}..${spec.max}`);
    }
    return n;
  }
  const s = String(raw);
  if (spec.type === 'enum' && !spec.values!.includes(s)) throw new AfbError('INVALID_OPTION', `${where}: '${s}' must be one of ${spec.values!.join(', ')}`);
  return s;
}
