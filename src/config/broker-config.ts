import { AfbError } from '../domain/errors';
import { keyList, resolveKeys } from './keys';
import type { ServerSettings } from './server-config';

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
  /**
   * `auto`: afb peers that announce afb-counts/1 are asked through it, single lookups on its
   * long-lived stream where announced; `requests`: afb-counts/1, one HTTP request per lookup (no
   * streams); `beacon`: every peer through Beacon v2.
   */
  peerProtocol: 'auto' | 'requests' | 'beacon';
  /** Optional GENCODE/Ensembl GTF or GFF3: gene spans for asking third-party Beacons a geneId query. */
  genesFile?: string;
}

/**
 * The broker section's keys, in the same shape as CONFIG_KEYS; docs/configuration.md is generated
 * from both. `populationsFile` defaults to '' (none), which loadBrokerConfig leaves out.
 */
export const BROKER_KEYS = keyList<BrokerConfig>({
  deadlineMs: { env: 'AFB_BROKER_DEADLINE_MS', type: 'int', min: 10, max: 600_000, default: 3000, doc: 'overall answer deadline' },
  maxDepth: { env: 'AFB_BROKER_MAX_DEPTH', type: 'int', min: 1, max: 50, default: 4, doc: 'longest broker chain (X-Afb-Visited)' },
  maxResponseBytes: { env: 'AFB_BROKER_MAX_RESPONSE_BYTES', type: 'int', min: 1024, max: 2e9, default: 64 * 1024 * 1024, doc: 'largest peer answer' },
  healthIntervalMs: { env: 'AFB_BROKER_HEALTH_INTERVAL_MS', type: 'int', min: 100, max: 3_600_000, default: 15_000, doc: 'how often each peer service-info is polled' },
  failureThreshold: { env: 'AFB_BROKER_FAILURE_THRESHOLD', type: 'int', min: 1, max: 1000, default: 3, doc: 'failures in a row before a peer is skipped as down' },
  cooldownMs: { env: 'AFB_BROKER_COOLDOWN_MS', type: 'int', min: 100, max: 3_600_000, default: 30_000, doc: 'how long a down peer is skipped before one retry' },
  cacheTtlMs: { env: 'AFB_BROKER_CACHE_TTL_MS', type: 'int', min: 0, max: 3_600_000, default: 10_000, doc: 'answer cache lifetime (0 = off)' },
  cacheEntries: { env: 'AFB_BROKER_CACHE_ENTRIES', type: 'int', min: 0, max: 10_000_000, default: 10_000, doc: 'answer cache size' },
  peerProtocol: {
    env: 'AFB_BROKER_PEER_PROTOCOL',
    type: 'enum',
    values: ['auto', 'requests', 'beacon'],
    default: 'auto',
    doc: 'auto: afb peers that announce afb-counts/1 are asked through it (single lookups on its long-lived stream, afb-counts/1+stream); requests: afb-counts/1, one HTTP request per lookup; beacon: every peer through Beacon v2',
  },
  populationsFile: {
    env: 'AFB_BROKER_POPULATIONS_FILE',
    type: 'string',
    default: '',
    doc: 'TSV `population<TAB>canonical code` for vocabularies the built-in map does not know (empty: none)',
  },
  genesFile: {
    env: 'AFB_BROKER_GENES_FILE',
    type: 'string',
    default: '',
    doc: 'GENCODE/Ensembl GTF or GFF3 (.gz) whose gene spans let third-party Beacons be asked geneId queries as ranges (empty: none; afb peers resolve genes themselves)',
  },
});

/** Where `afb broker`'s server settings differ from a node's defaults in CONFIG_KEYS. */
export const BROKER_SERVER_DEFAULTS: Partial<ServerSettings> = {
  port: 8090,
  beaconId: 'org.afb.broker',
  beaconName: 'afb federated allele-frequency broker',
};

/** Defaults, then the config file's `broker` section, then AFB_BROKER_* environment variables. */
export function loadBrokerConfig(file: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const section = file.broker === undefined ? {} : file.broker;
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw new AfbError('INVALID_OPTION', 'config: broker must be an object such as {"deadlineMs": 3000}');
  }
  const fromFile = section as Record<string, unknown>;
  const settings = resolveKeys(BROKER_KEYS, [
    (spec) => [fromFile[spec.key], `config broker.${spec.key}`],
    (spec) => [env[spec.env], `environment ${spec.env}`],
  ]);
  const { populationsFile, genesFile, ...rest } = settings;
  const out = rest as unknown as BrokerConfig;
  if (populationsFile !== '') out.populationsFile = String(populationsFile);
  if (genesFile !== '') out.genesFile = String(genesFile);
  return out;
}
