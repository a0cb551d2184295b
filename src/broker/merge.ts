import type { Assembly } from '../domain/assemblies';
import type { DatasetFrequencies, VariantRecord } from '../domain/lookup';
import { poolPopulations } from '../domain/pooling';
import { POOLED_DATASET_ID } from '../beacon/record';
import type { PeerVariant } from './peer-answer';

export interface PeerPart {
  peerId: string;
  variant: PeerVariant;
}

/**
 * One federated record from the peers' answers for one variant: the pooled entry first, then each
 * contributor's own entries. A dataset reached by two paths (same origin) counts once; a population
 * pools by canonical code (DESIGN §4), integer counts only; AF-only contributors are listed beside
 * the pooled row and not summed. `failed` peers (timeout, error, down) are named in `missing`.
 */
export function mergeVariant(
  assembly: Assembly,
  parts: readonly PeerPart[],
  asked: readonly string[],
  failed: readonly string[],
  explicit?: ReadonlyMap<string, string>,
): VariantRecord {
  const seen = new Set<string>();
  const entries: DatasetFrequencies[] = [];
  const peerOf = new Map<string, string>();
  for (const part of parts) {
    for (const e of part.variant.frequencies) {
      const origin = e.origin ?? e.datasetId;
      if (seen.has(origin)) continue;
      seen.add(origin);
      entries.push(e);
      peerOf.set(e.datasetId, part.peerId);
    }
  }
  const pooledPops = poolPopulations(entries.map((e) => ({ contributor: e.datasetId, frequencies: e })), explicit).filter((p) => p.pooledFrom.length > 0);
  // A peer counts as pooled when some of its integer counts are in the sums (AF-only ones are only listed).
  const contributingPeers = [...new Set(pooledPops.flatMap((p) => p.pooledFrom.map((d) => peerOf.get(d)!)))];
  const pooled: DatasetFrequencies = {
    datasetId: POOLED_DATASET_ID,
    source: `Pooled: ${contributingPeers.length} of ${asked.length} peer${asked.length === 1 ? '' : 's'}${failed.length > 0 ? ` (missing ${failed.join(', ')})` : ''}`,
    filters: [],
    populations: pooledPops,
    pooled: { contributors: entries.map((e) => e.datasetId), missing: [...failed] },
  };
  const first = parts[0]!.variant;
  const rsids = [...new Set(parts.flatMap((p) => p.variant.rsids))];
  return { assembly, contig: first.contig, trimmed: first.trimmed, display: first.display, rsids, frequencies: [pooled, ...entries] };
}
