import { setMaxListeners } from 'node:events';
import { ASSEMBLIES, parseAssembly } from '../domain/assemblies';
import { PRIMARY_CONTIGS } from '../domain/contigs';
import type { DatasetInfo } from '../domain/lookup';
import type { GroupDef } from '../domain/groups';
import type { CountKind } from '../domain/counts';
import type { BrokerConfig } from '../config/broker-config';
import { COUNTS_PROTOCOL } from '../beacon/counts-protocol';
import { CircuitBreaker } from './circuit-breaker';
import { PeerFailure, type PeerHttp } from './peer-http';
import { peerDatasetId } from './peer-answer';
import type { Peer } from './peers';

/**
 * What the broker knows of one peer: its circuit breaker, the datasets and data versions from its
 * last health poll (GET /service-info, and /info when the versions change), and when and how that went.
 */
export class PeerHealth {
  readonly breaker: CircuitBreaker;
  versions: Record<string, string> = {};
  datasets: DatasetInfo[] = [];
  role?: string;
  /** The afb peer protocols the peer announces (service-info `afb.protocols`, e.g. afb-counts/1); none until it has been polled. */
  protocols: string[] = [];
  /** The peer's own id (service-info `id`): a node stamps it on the origins of its counts. */
  beaconId?: string;
  checkedAt?: string;
  latencyMs?: number;
  lastError?: string;
  /** A poll has succeeded once (until then the peer's protocols and datasets are not known). */
  polled = false;

  constructor(readonly peer: Peer, config: BrokerConfig) {
    this.breaker = new CircuitBreaker({ failureThreshold: config.failureThreshold, cooldownMs: config.cooldownMs });
    this.datasets = this.assumedDatasets();
    this.assumed = true;
  }

  /** True while the datasets are the ones assumed from the peers file (the peer lists none): then its answers' entries are all in them. */
  assumed = true;

  /** One health poll; never throws (a failure is recorded on the breaker). */
  async poll(http: PeerHttp, signal: AbortSignal, maxBytes: number): Promise<void> {
    const started = performance.now();
    try {
      const si = (await http.json(this.peer, { method: 'GET', path: '/service-info', signal, maxBytes })) as Record<string, any>;
      if (!si || typeof si !== 'object' || typeof si.id !== 'string') throw new PeerFailure('invalid_answer', 'service-info has no id');
      const versions = (si.afb?.datasetVersions ?? {}) as Record<string, string>;
      this.role = typeof si.afb?.role === 'string' ? si.afb.role : 'beacon';
      this.protocols = Array.isArray(si.afb?.protocols) ? si.afb.protocols.filter((x: unknown): x is string => typeof x === 'string') : [];
      this.beaconId = si.id;
      if (!this.polled || JSON.stringify(versions) !== JSON.stringify(this.versions)) {
        const info = (await http.json(this.peer, { method: 'GET', path: '/info', signal, maxBytes })) as Record<string, any>;
        const listed = info?.response?.info?.afb?.datasets;
        this.assumed = !Array.isArray(listed);
        this.datasets = Array.isArray(listed) ? listed.map((d: Record<string, any>) => this.datasetInfo(d)).filter((d): d is DatasetInfo => d !== undefined) : this.assumedDatasets();
      }
      this.versions = versions;
      this.polled = true;
      this.lastError = undefined;
      this.breaker.success();
    } catch (e) {
      this.lastError = (e as Error).message;
      this.breaker.failure(this.lastError);
    } finally {
      this.latencyMs = Math.round(performance.now() - started);
      this.checkedAt = new Date().toISOString();
    }
  }

  /**
   * How far this peer is entitled to report counts of `origin` (`<beaconId>/<dataset>@<time>`):
   * 2 when it is the node that made them, 1 when it relays (a broker, or a third-party Beacon
   * whose origins are its own URL), 0 when a node reports another node's origin (a replay).
   */
  entitlement(origin: string): 0 | 1 | 2 {
    if (this.role !== 'node') return 1;
    if (this.beaconId !== undefined && origin.startsWith(`${this.beaconId}/`)) return 2;
    return origin.startsWith(`${this.peer.url}#`) ? 2 : 0;
  }

  get state(): 'up' | 'down' | 'probing' | 'unknown' {
    if (!this.checkedAt && this.breaker.consecutiveFailures === 0) return 'unknown';
    return this.breaker.current;
  }

  /** The peer's datasets as this broker lists them (ids prefixed with the peer id). */
  private datasetInfo(d: Record<string, any>): DatasetInfo | undefined {
    const assembly = parseAssembly(String(d.assemblyId ?? ''));
    if (!assembly || typeof d.id !== 'string') return undefined;
    const groups: GroupDef[] = Array.isArray(d.populations)
      ? d.populations.map((p: Record<string, any>) => ({
          key: String(p.population),
          code: String(p.population),
          label: String(p.populationLabel ?? p.population),
          kinds: (Array.isArray(p.counts) ? p.counts : []) as CountKind[],
          ...(typeof p.populationCanonical === 'string' ? { canonical: p.populationCanonical } : {}),
        }))
      : [];
    return {
      id: peerDatasetId(this.peer, d.id),
      name: `${this.peer.name}: ${String(d.name ?? d.id)}`,
      assembly,
      mode: d.mode === 'sites' ? 'sites' : 'genotypes',
      groups,
      contigs: Array.isArray(d.contigs) ? d.contigs.map(String) : [...PRIMARY_CONTIGS],
      variantCount: Number.isSafeInteger(d.variantCount) ? d.variantCount : 0,
      version: String(d.version ?? ''),
      createdAt: '',
    };
  }

  /** Before a peer has told us, or when it cannot: one dataset per assembly it is configured for. */
  private assumedDatasets(): DatasetInfo[] {
    return this.peer.assemblies
      .filter((a) => ASSEMBLIES.includes(a))
      .map((assembly) => ({
        id: peerDatasetId(this.peer, assembly),
        name: this.peer.name,
        assembly,
        mode: 'sites' as const,
        groups: [],
        // A peer that does not say which contigs it holds (a third-party Beacon) is asked about all of them.
        contigs: [...PRIMARY_CONTIGS],
        variantCount: 0,
        version: '',
        createdAt: '',
      }));
  }
}

/** The first quick poll again of a peer never yet polled (doubling each time). */
const FIRST_RETRY_MS = 1000;

/** Largest service-info or info answer read (an afb broker's info over 100 peers with 10 datasets each is ~1 MB). */
const HEALTH_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The health monitor: a first round of polls at start, then one every healthIntervalMs, each
 * round under the broker deadline (the timer does not keep the process alive; close() aborts the
 * round in flight). Its PeerHealth objects are what the fan-out's breakers and the cache's data
 * versions read.
 */
export class HealthMonitor {
  readonly peers: PeerHealth[];
  private timer?: NodeJS.Timeout;
  private readonly stopping = new AbortController();
  private initial?: Promise<void>;
  private running?: Promise<void>;
  private seen: Record<string, string>[] = [];
  private versionKey = '';
  /** Polls again soon of the peers never yet polled (e.g. a node that was still starting), backing off to healthIntervalMs. */
  private soon?: NodeJS.Timeout;
  private soonMs = FIRST_RETRY_MS;

  constructor(peers: readonly Peer[], private readonly http: PeerHttp, private readonly config: BrokerConfig) {
    this.peers = peers.map((p) => new PeerHealth(p, config));
  }

  start(): void {
    this.initial = this.round();
    this.timer = setInterval(() => void this.round(), this.config.healthIntervalMs);
    this.timer.unref();
  }

  /** Resolves when the first round is done, or after `ms` at most (an answer never waits longer for it). */
  async firstRound(ms: number): Promise<void> {
    if (!this.initial) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.initial, new Promise<void>((r) => (timer = setTimeout(r, ms).unref()))]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.soon);
    this.stopping.abort();
    await this.initial?.catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** Every peer's data versions: part of the cache key, so a re-ingest on a peer makes its next answer fresh. */
  versions(): string {
    // Rebuilt only when a poll replaced some peer's versions (the key is made for every answer).
    if (this.peers.some((h, i) => h.versions !== this.seen[i])) {
      this.seen = this.peers.map((h) => h.versions);
      this.versionKey = JSON.stringify(this.peers.map((h) => [h.peer.id, h.versions]));
    }
    return this.versionKey;
  }

  /** A round unless the last one is still going (a slow peer must not pile rounds up). */
  private round(): Promise<void> {
    if (!this.running) this.running = this.pollAll(this.peers).finally(() => {
      this.running = undefined;
      this.retrySoon();
    });
    return this.running;
  }

  /**
   * A peer that has never answered a poll is asked only through Beacon v2 and with the datasets
   * assumed from the peers file, until a poll succeeds: so it is polled again after 1 s, then 2, 4, …
   * while that is sooner than the next round. A broker started before its nodes
   * otherwise spoke Beacon JSON to them for a whole interval.
   */
  private retrySoon(): void {
    const waiting = this.peers.filter((h) => !h.polled);
    // Past healthIntervalMs the regular rounds poll it as often.
    if (waiting.length === 0 || this.soon || this.stopping.signal.aborted || this.soonMs >= this.config.healthIntervalMs) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      if (this.running) return this.retrySoon();
      this.running = this.pollAll(this.peers.filter((h) => !h.polled)).finally(() => {
        this.running = undefined;
        this.retrySoon();
      });
    }, this.soonMs);
    this.soon.unref();
    this.soonMs *= 2;
  }

  private async pollAll(peers: readonly PeerHealth[]): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const round = new AbortController();
    setMaxListeners(this.peers.length * 4 + 10, round.signal);
    const stop = () => round.abort();
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    const timer = setTimeout(stop, this.config.deadlineMs);
    try {
      // service-info and info are small: a peer streaming an endless body at every poll costs at most this.
      const maxBytes = Math.min(this.config.maxResponseBytes, HEALTH_MAX_BYTES);
      await Promise.all(peers.map((h) => h.poll(this.http, round.signal, maxBytes)));
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', stop);
    }
  }

  /** GET /api/network: every peer's state as the health polls and queries left it. */
  network(brokerId: string): unknown {
    return {
      broker: brokerId,
      checkedEveryMs: this.config.healthIntervalMs,
      peers: this.peers.map((h) => ({
        id: h.peer.id,
        name: h.peer.name,
        country: h.peer.country,
        url: h.peer.url,
        kind: h.peer.kind,
        role: h.role,
        // What this broker asks it through: afb-counts/1 when an afb peer announces it, else Beacon v2.
        protocol: h.peer.kind === 'afb' && h.protocols.includes(COUNTS_PROTOCOL) ? COUNTS_PROTOCOL : 'beacon-v2',
        assemblies: h.peer.assemblies,
        state: h.state,
        checkedAt: h.checkedAt,
        latencyMs: h.latencyMs,
        lastError: h.lastError ?? h.breaker.lastError,
        consecutiveFailures: h.breaker.consecutiveFailures,
        datasets: h.datasets.map((d) => ({ id: d.id, name: d.name, assemblyId: d.assembly, version: d.version, variantCount: d.variantCount })),
      })),
    };
  }
}
