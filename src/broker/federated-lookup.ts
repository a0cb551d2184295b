import type {
  AlleleQuery,
  AllelesResult,
  KeysResult,
  LookupDescription,
  LookupScope,
  Page,
  RsidResult,
  ScanQuery,
  ScanResult,
  VariantLookup,
} from '../domain/lookup';
import type { BrokerConfig } from '../config/broker-config';
import type { GeneIndex } from '../domain/genes';
import { CachedLookup } from './answer-cache';
import { FanOut } from './fan-out';
import { PeerHttp } from './peer-http';
import { COUNTS_STREAM } from '../beacon/counts-protocol';
import { HealthMonitor } from './peer-health';
import { peerClient } from './peer-client';
import { PeersLookup } from './peers-lookup';
import type { Peer } from './peers';

export interface FederatedOptions {
  /** This broker's id (its beaconId): what it adds to X-Afb-Visited. */
  id: string;
  peers: Peer[];
  config: BrokerConfig;
  /** Population code -> canonical code, on top of the built-in vocabularies. */
  populations?: ReadonlyMap<string, string>;
  /** This broker's gene table (broker.genesFile): gene queries are asked of third-party peers as the gene's span. */
  genes?: GeneIndex;
  /** Peer answers held in memory at once, all peers and queries together (default 4 x maxResponseBytes). */
  maxBufferedBytes?: number;
  log?: (level: 'info' | 'warn', obj: Record<string, unknown>, msg: string) => void;
  /** One peer whose pooled answers are taken as they are (PeersLookupOptions.relay): afb annotate's broker. */
  relay?: boolean;
}

/**
 * A broker's VariantLookup (DESIGN §8), composed of separate units: one HTTP client (peer-http),
 * a peer client per peer by its kind (peer-client), the health monitor (peer-health), the fan-out
 * under one deadline (fan-out), the lookup that merges what the peers said (peers-lookup) and the
 * answer cache around it (answer-cache). Each answer carries every peer's outcome in `trace`.
 */
export class FederatedLookup implements VariantLookup {
  private readonly http: PeerHttp;
  private readonly monitor: HealthMonitor;
  private readonly answers: CachedLookup;

  constructor(private readonly o: FederatedOptions) {
    const { config } = o;
    this.http = new PeerHttp(o.maxBufferedBytes ?? 4 * config.maxResponseBytes);
    this.monitor = new HealthMonitor(o.peers, this.http, config);
    const members = this.monitor.peers.map((health) => ({ health, client: peerClient(health.peer, this.http, config.maxResponseBytes, protocolsOf(config.peerProtocol, health)) }));
    const fanOut = new FanOut(members, { id: o.id, deadlineMs: config.deadlineMs, maxDepth: config.maxDepth, log: o.log });
    const peers = new PeersLookup({ fanOut, health: this.monitor.peers, ready: () => this.monitor.firstRound(config.deadlineMs), populations: o.populations, relay: o.relay });
    this.answers = new CachedLookup(peers, { ttlMs: config.cacheTtlMs, entries: config.cacheEntries, versions: () => this.monitor.versions() });
  }

  /** First health round now, then every healthIntervalMs. */
  start(): void {
    this.monitor.start();
  }

  async close(): Promise<void> {
    await this.monitor.close();
    await this.http.close();
  }

  /** GET /api/network: every peer's state as the health polls and queries left it. */
  async network(): Promise<unknown> {
    return this.monitor.network(this.o.id);
  }

  /** Bytes of peer answers held now and at most (all peers together); bounded by maxBufferedBytes. */
  get bufferedBytes(): { now: number; peak: number } {
    return this.http.bufferedBytes;
  }

  describe(): Promise<LookupDescription> {
    return this.answers.describe();
  }

  findAlleles(scope: LookupScope, queries: readonly AlleleQuery[], signal?: AbortSignal): Promise<AllelesResult> {
    return this.answers.findAlleles(scope, queries, signal);
  }

  scan(scope: LookupScope, query: ScanQuery, page: Page, signal?: AbortSignal): Promise<ScanResult> {
    // A gene goes to afb peers as geneId (each resolves it with its own table); with this broker's table it also has a span.
    const g = query.kind === 'gene' && !query.span ? this.o.genes?.find(query.geneId) : undefined;
    if (g && query.kind === 'gene') query = { ...query, span: { contig: g.contig, start0: g.start0, end0: g.end0, id: g.id, name: g.name } };
    return this.answers.scan(scope, query, page, signal);
  }

  findRsid(scope: LookupScope, rsid: number, signal?: AbortSignal): Promise<RsidResult> {
    return this.answers.findRsid(scope, rsid, signal);
  }

  findVrs(scope: LookupScope, digest: string, signal?: AbortSignal): Promise<RsidResult> {
    return this.answers.findVrs!(scope, digest, signal);
  }

  scanKeys(scope: LookupScope, query: ScanQuery, limit: number, signal?: AbortSignal): Promise<KeysResult> {
    return this.answers.scanKeys!(scope, query, limit, signal);
  }
}

/** What the broker asks a peer through, by its configured peerProtocol and what the peer announces. */
function protocolsOf(choice: BrokerConfig['peerProtocol'], health: { protocols: readonly string[] }): () => readonly string[] {
  if (choice === 'beacon') return () => [];
  if (choice === 'requests') return () => health.protocols.filter((p) => p !== COUNTS_STREAM);
  return () => health.protocols;
}
