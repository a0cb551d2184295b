import { readFileSync } from 'node:fs';
import { AfbError } from '../domain/errors';
import { GRANULARITIES, type Granularity } from '../domain/lookup';
import { keyList, resolveKeys } from './keys';

/**
 * Everything `afb serve` and `afb broker` can be told. CONFIG_KEYS below gives each key its
 * environment variable, valid values and default; precedence is command-line flag > environment >
 * file > default.
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
  /** A client that takes none of its answer for this long is disconnected (its answer freed). */
  sendTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Audit log of variant requests (JSON lines): a file to append to; '' writes them to the server log under the key `audit`. */
  auditLog: string;
  /** Browser origins allowed to call this server (comma-separated, `*` for any); empty: CORS off. */
  corsOrigins: string;
  /** Processes serving the one port (node:cluster); 0: one per core. */
  workers: number;
  /** The whole config file, for sections other components read (e.g. `broker`). */
  file: Record<string, unknown>;
}

/** Every setting but `file`: what CONFIG_KEYS covers. */
export type ServerSettings = Omit<ServerConfig, 'file'>;


/**
 * Every setting with its environment variable, valid values, default and doc line. The tables in
 * docs/configuration.md are generated from it (`npm run docs:config`; a unit test compares them).
 */
export const CONFIG_KEYS = keyList<ServerSettings>({
  host: { env: 'AFB_HOST', type: 'string', default: '127.0.0.1', doc: 'interface to listen on' },
  port: { env: 'AFB_PORT', type: 'int', min: 0, max: 65535, default: 8080, doc: 'TCP port (0 = any free port)' },
  workers: {
    env: 'AFB_WORKERS',
    type: 'int',
    min: 0,
    max: 1024,
    default: 0,
    doc: 'worker processes sharing the port (node:cluster; each opens the store read-only; budgets and /metrics are kept across them): 0 = one per core, 1 = a single process',
  },
  beaconId: { env: 'AFB_BEACON_ID', type: 'string', default: 'org.afb.node', doc: 'Beacon id (reverse domain), shown in every meta' },
  beaconName: { env: 'AFB_BEACON_NAME', type: 'string', default: 'afb allele-frequency beacon', doc: 'Beacon name in /api/info' },
  description: { env: 'AFB_DESCRIPTION', type: 'string', default: 'Aggregate allele counts per population (GA4GH Beacon v2)', doc: 'description in /api/info' },
  organizationId: { env: 'AFB_ORG_ID', type: 'string', default: 'afb', doc: 'organization id in /api/info' },
  organizationName: { env: 'AFB_ORG_NAME', type: 'string', default: 'afb', doc: 'organization name' },
  organizationUrl: { env: 'AFB_ORG_URL', type: 'string', default: 'https://example.org/afb', doc: 'organization URL (service-info requires one)' },
  environment: { env: 'AFB_ENVIRONMENT', type: 'enum', values: ['prod', 'test', 'dev', 'staging'], default: 'dev', doc: 'Beacon environment' },
  publicUrl: { env: 'AFB_PUBLIC_URL', type: 'string', default: '', doc: 'external base URL, e.g. https://beacon.example.org (empty: from the request)' },
  sourceReference: { env: 'AFB_SOURCE_REFERENCE', type: 'string', default: 'https://example.org/afb', doc: 'frequencyInPopulations.sourceReference' },
  defaultGranularity: { env: 'AFB_DEFAULT_GRANULARITY', type: 'enum', values: GRANULARITIES, default: 'record', doc: 'granularity when a request names none' },
  maxLimit: { env: 'AFB_MAX_LIMIT', type: 'int', min: 1, max: 100_000, default: 1000, doc: 'largest page size' },
  maxBatch: { env: 'AFB_MAX_BATCH', type: 'int', min: 1, max: 1_000_000, default: 10_000, doc: 'most variants per batch request' },
  maxRangeBases: { env: 'AFB_MAX_RANGE_BASES', type: 'int', min: 1, max: 1e10, default: 10_000_000, doc: 'widest range query in bases' },
  bodyLimitBytes: { env: 'AFB_BODY_LIMIT_BYTES', type: 'int', min: 1024, max: 1e9, default: 5 * 1024 * 1024, doc: 'largest request body' },
  requestTimeoutMs: { env: 'AFB_REQUEST_TIMEOUT_MS', type: 'int', min: 1, max: 3_600_000, default: 30_000, doc: 'whole-request time limit (slow clients)' },
  headersTimeoutMs: { env: 'AFB_HEADERS_TIMEOUT_MS', type: 'int', min: 1, max: 3_600_000, default: 10_000, doc: 'time limit for request headers' },
  keepAliveTimeoutMs: { env: 'AFB_KEEP_ALIVE_TIMEOUT_MS', type: 'int', min: 1, max: 3_600_000, default: 5_000, doc: 'idle keep-alive connection lifetime' },
  shutdownGraceMs: { env: 'AFB_SHUTDOWN_GRACE_MS', type: 'int', min: 0, max: 3_600_000, default: 10_000, doc: 'graceful-shutdown wait for requests in flight' },
  sendTimeoutMs: { env: 'AFB_SEND_TIMEOUT_MS', type: 'int', min: 100, max: 3_600_000, default: 30_000, doc: 'a client that reads none of its answer for this long is disconnected' },
  corsOrigins: { env: 'AFB_CORS_ORIGINS', type: 'string', default: '', doc: 'browser origins allowed to call this server, comma-separated (`*`: any); empty: CORS off' },
  logLevel: { env: 'AFB_LOG_LEVEL', type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', doc: 'pino log level' },
  auditLog: {
    env: 'AFB_AUDIT_LOG',
    type: 'string',
    default: '',
    doc: 'audit log, one JSON line per variant request (client, level, what was asked, cells withheld; never a token): a file to append to (empty: the server log, key `audit`)',
  },
});

/**
 * Defaults, then the JSON config file, then AFB_* environment variables, then `overrides`
 * (command-line flags). Every bad value names its source and the valid form.
 */
export function loadServerConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof ServerSettings, string | number | undefined>> = {},
  defaults: Partial<ServerSettings> = {},
): ServerConfig {
  let doc: Record<string, unknown> = {};
  if (file) {
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new AfbError('INVALID_OPTION', `--config ${file}: not a readable JSON file (${(e as Error).message})`, { cause: e });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new AfbError('INVALID_OPTION', `--config ${file}: expected a JSON object`);
  }
  const settings = resolveKeys(CONFIG_KEYS, [
    (spec) => [defaults[spec.key], `default for this command: ${spec.key}`],
    (spec) => [doc[spec.key], `${file}: ${spec.key}`],
    (spec) => [env[spec.env], `environment ${spec.env}`],
    (spec) => [overrides[spec.key], `--${spec.key}`],
  ]);
  return { ...(settings as unknown as ServerSettings), file: doc };
}
