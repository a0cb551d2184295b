import { ASSEMBLIES, parseAssembly } from '../domain/assemblies';
import { PRIMARY_CONTIGS } from '../domain/contigs';
import type { DatasetInfo } from '../domain/lookup';
import type { GroupDef } from '../domain/groups';
import type { CountKind } from '../domain/counts';
import type { BrokerConfig } from '../config/broker-config';
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
  checkedAt?: string;
  latencyMs?: number;
  lastError?: string;
  private polled = false;

  constructor(readonly peer: Peer, config: BrokerConfig) {
    this.breaker = new CircuitBreaker({ failureThreshold: config.failureThreshold, cooldownMs: config.cooldownMs });
    this.datasets = this.assumedDatasets();
  }

  /** One health poll; never throws (a failure is recorded on the breaker). */
  async poll(http: PeerHttp, signal: AbortSignal, maxBytes: number): Promise<void> {
    const started = performance.now();
    try {
      const si = (await http.json(this.peer, { method: 'GET', path: '/service-info', signal, maxBytes })) as Record<string, any>;
      if (!si || typeof si !== 'object' || typeof si.id !== 'string') throw new PeerFailure('invalid_answer', 'service-info has no id');
      const versions = (si.afb?.datasetVersions ?? {}) as Record<string, string>;
      this.role = typeof si.afb?.role === 'string' ? si.afb.role : 'beacon';
      if (!this.polled || JSON.stringify(versions) !== JSON.stringify(this.versions)) {
        const info = (await http.json(this.peer, { method: 'GET', path: '/info', signal, maxBytes })) as Record<string, any>;
        const listed = info?.response?.info?.afb?.datasets;
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
        id: `${this.peer.id}:${assembly}`,
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
