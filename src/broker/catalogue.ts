import { setMaxListeners } from 'node:events';
import { EMPTY_METADATA, type CatalogueEntry, type CatalogueListing, type DatasetCatalogue } from '../domain/catalogue';
import { fromWireDataset } from '../beacon/datasets';
import { PeerHttp } from './peer-http';
import { peerDatasetId } from './peer-answer';
import type { Peer } from './peers';

export interface FederatedCatalogueOptions {
  /** This broker's id (its beaconId): added to X-Afb-Visited, so brokers listing each other stop. */
  id: string;
  peers: readonly Peer[];
  /** The whole listing's deadline (each peer's own timeoutMs applies too). */
  deadlineMs: number;
  /** Largest catalogue answer read from one peer. */
  maxBytes: number;
}

/**
 * The broker's dataset catalogue: every peer's `/datasets` (asked with the peer's own token, so a
 * node discloses at the broker's level and this broker's door then applies its own callers'), one
 * list of every reachable dataset, each once: entries with the same origin (a dataset reached by two
 * paths: directly and through a second broker) are one, the most direct kept. A peer that does not
 * answer keeps its last listing, marked `unreachable`. Brokers over brokers: each appends its id
 * to the entries' path and to X-Afb-Visited; a broker that finds itself in it lists nothing.
 */
export class FederatedCatalogue implements DatasetCatalogue {
  private readonly http = new PeerHttp();
  private readonly last = new Map<string, CatalogueEntry[]>();

  constructor(private readonly o: FederatedCatalogueOptions) {}

  async list(ctx: { visited: readonly string[] }): Promise<CatalogueListing> {
    if (ctx.visited.includes(this.o.id)) return { entries: [], peers: [] };
    const visited = [...ctx.visited, this.o.id];
    const deadline = new AbortController();
    setMaxListeners(this.o.peers.length * 2 + 10, deadline.signal);
    const timer = setTimeout(() => deadline.abort(), this.o.deadlineMs);
    try {
      const outcomes = await Promise.all(this.o.peers.map((p) => this.fromPeer(p, visited, deadline.signal)));
      const byOrigin = new Map<string, CatalogueEntry>();
      for (const { entries } of outcomes) {
        for (const e of entries) {
          const seen = byOrigin.get(e.origin);
          // The most direct path wins; a live entry beats a remembered one.
          if (!seen || rank(e) < rank(seen)) byOrigin.set(e.origin, e);
        }
      }
      return { entries: [...byOrigin.values()], peers: outcomes.map((x) => x.outcome) };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async fromPeer(peer: Peer, visited: string[], signal: AbortSignal): Promise<{ entries: CatalogueEntry[]; outcome: NonNullable<CatalogueListing['peers']>[number] }> {
    try {
      const body = (await this.http.json(peer, { method: 'GET', path: '/datasets', visited, signal, maxBytes: this.o.maxBytes })) as { response?: { collections?: unknown } };
      const list = Array.isArray(body?.response?.collections) ? body.response.collections : [];
      const entries = list.flatMap((d) => {
        const w = fromWireDataset(d);
        if (!w) return [];
        const entry: CatalogueEntry = {
          ...w,
          id: peerDatasetId(peer, w.id),
          origin: w.origin ?? `${peer.url}#${w.id}`,
          node: w.node ? { ...w.node, ...(w.node.country || peer.country ? { country: w.node.country ?? peer.country } : {}) } : { id: peer.id, name: peer.name, ...(peer.country ? { country: peer.country } : {}) },
          status: w.status ?? 'available',
          path: [...(w.path ?? []), this.o.id],
        };
        return [entry];
      });
      if (entries.length === 0 && peer.kind !== 'afb') entries.push(...assumedEntries(peer, this.o.id));
      this.last.set(peer.id, entries);
      return { entries, outcome: { peer: peer.id, name: peer.name, status: 'ok' } };
    } catch (e) {
      // A third-party Beacon need not answer /datasets: it is listed by the datasets assumed for it.
      if (peer.kind !== 'afb') return { entries: assumedEntries(peer, this.o.id), outcome: { peer: peer.id, name: peer.name, status: 'ok', message: 'lists no datasets; one assumed per assembly (peer:assembly)' } };
      const stale = (this.last.get(peer.id) ?? []).map((x) => ({ ...x, status: 'unreachable' as const }));
      return { entries: stale, outcome: { peer: peer.id, name: peer.name, status: 'failed', message: (e as Error).message } };
    }
  }
}

function rank(e: CatalogueEntry): number {
  return (e.status === 'available' ? 0 : 1000) + e.path.length;
}

/**
 * A third-party Beacon that lists no datasets is known, as in its variant answers (peer-health.ts),
 * by one dataset per assembly the peers file gives it: `<peer>:<assembly>`.
 */
function assumedEntries(peer: Peer, brokerId: string): CatalogueEntry[] {
  return peer.assemblies.map((assembly) => ({
    id: peerDatasetId(peer, assembly),
    name: peer.name,
    assembly,
    version: '',
    createdAt: '',
    origin: `${peer.url}#${assembly}`,
    node: { id: peer.id, name: peer.name, ...(peer.country ? { country: peer.country } : {}) },
    status: 'available' as const,
    path: [brokerId],
    metadata: EMPTY_METADATA,
  }));
}
