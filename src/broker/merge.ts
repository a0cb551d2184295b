import type { Assembly } from '../domain/assemblies';
import type { DatasetFrequencies, VariantRecord } from '../domain/lookup';
import { poolEntries, sameIds } from '../domain/pooling';
import { POOLED_DATASET_ID } from '../beacon/record';
import type { PeerVariant } from './peer-answer';

export interface PeerPart {
  peerId: string;
  variant: PeerVariant;
}

export interface MergeOptions {
  /** Population code -> canonical code, on top of the built-in vocabularies. */
  populations?: ReadonlyMap<string, string>;
  /** How far a peer is entitled to report an origin's counts (PeerHealth.entitlement); all equal when absent. */
  entitlement?: (peerId: string, origin: string) => number;
}

/** A merged record and what the merge had to decide (origin conflicts), for the trace. */
export interface Merged {
  record: VariantRecord;
  warnings: string[];
}

/**
 * One federated record from the peers' answers for one variant: the pooled entry first, then each
 * contributor's own entries. A dataset reached by two paths (same origin) counts once: the claim of
 * the peer most entitled to it is kept (the node that made the counts over a broker relaying them,
 * a relay over a node replaying another node's origin), ties going to the first in peers-file
 * order; claims with other counts are dropped and named in `warnings`, so a replayed origin cannot
 * erase the real node's counts. A population pools by canonical code (DESIGN §4), integer counts
 * only; AF-only contributors are listed beside the pooled row and not summed. `failed` peers
 * (timeout, error, down) are named in `missing`.
 */
export function mergeVariant(assembly: Assembly, parts: readonly PeerPart[], asked: readonly string[], failed: readonly string[], o: MergeOptions = {}): Merged {
  type Claim = { peerId: string; entry: DatasetFrequencies; rank: number };
  // One claim per origin as a rule; the lists of rival claims are made only when there are some.
  // Origins are found by a scan of those kept (a variant has a few entries; a Map per variant cost more).
  const kept: Claim[] = [];
  const origins: string[] = [];
  let rivals: Map<number, Claim[]> | undefined;
  for (let rank = 0; rank < parts.length; rank++) {
    const part = parts[rank]!;
    for (const entry of part.variant.frequencies) {
      const origin = entry.origin ?? entry.datasetId;
      const claim = { peerId: part.peerId, entry, rank };
      const i = origins.length > 32 ? origins.indexOf(origin) : indexOf(origins, origin);
      if (i < 0) {
        origins.push(origin);
        kept.push(claim);
      } else {
        rivals ??= new Map();
        const list = rivals.get(i) ?? [kept[i]!];
        list.push(claim);
        rivals.set(i, list);
      }
    }
  }
  const warnings: string[] = [];
  if (rivals) for (const [i, list] of rivals) {
    const origin = list[0]!.entry.origin ?? list[0]!.entry.datasetId;
    const score = (c: Claim) => o.entitlement?.(c.peerId, origin) ?? 0;
    const best = list.reduce((a, b) => (score(b) > score(a) ? b : a));
    kept[i] = best;
    const differing = list.filter((c) => c !== best && !sameCounts(c.entry, best.entry)).map((c) => c.peerId);
    if (differing.length > 0) {
      warnings.push(`${[...new Set(differing)].join(', ')} sent counts for ${origin} that differ from ${best.peerId}'s; ${best.peerId}'s are used (${why(score(best), list.every((c) => score(c) === score(best)))})`);
    }
  }
  // Entries in peers-file order, each peer's in the order it sent them (already so unless a later claim won).
  if (kept.some((k, i) => i > 0 && k.rank < kept[i - 1]!.rank)) kept.sort((a, b) => a.rank - b.rank);
  const entries: DatasetFrequencies[] = new Array(kept.length);
  const ids: string[] = new Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    entries[i] = kept[i]!.entry;
    ids[i] = kept[i]!.entry.datasetId;
  }
  const pooledPops = poolEntries(entries, ids, o.populations);
  // Populations that pooled nothing (AF-only rows) are left out, in place (no second array per variant).
  let w = 0;
  for (let r = 0; r < pooledPops.length; r++) if (pooledPops[r]!.pooledFrom.length > 0) pooledPops[w++] = pooledPops[r]!;
  pooledPops.length = w;
  // A peer counts as pooled when some of its integer counts are in the sums (AF-only ones are only listed).
  // Its dataset id names it: the last kept entry of that id (as a Map from id to peer would). Most
  // populations list the same contributors as the one before: each distinct list is looked at once.
  const contributing = new Set<string>();
  let seen: readonly string[] | undefined;
  for (const p of pooledPops) {
    if (seen !== undefined && sameIds(p.pooledFrom, seen)) continue;
    seen = p.pooledFrom;
    for (const d of p.pooledFrom) contributing.add(kept[ids.lastIndexOf(d)]!.peerId);
  }
  // Peers missing here, then those a broker peer said it missed (its pooled entry is re-pooled here, its gaps must not vanish).
  let missing: string[] = failed.length > 0 ? [...new Set(failed)] : [];
  if (parts.some((p) => p.variant.missingBelow)) missing = [...new Set([...failed, ...parts.flatMap((p) => p.variant.missingBelow ?? [])])];
  const pooled: DatasetFrequencies = {
    datasetId: POOLED_DATASET_ID,
    source: pooledSource(contributing.size, asked.length, missing),
    filters: [],
    populations: pooledPops,
    pooled: { contributors: ids, missing },
  };
  const first = parts[0]!.variant;
  // Most variants are one rsID (or none) named alike by every peer: the set is built only when they differ.
  let rsids = first.rsids;
  for (let i = 1; i < parts.length; i++) {
    const r = parts[i]!.variant.rsids;
    if (r.length !== rsids.length || r.some((x, j) => x !== rsids[j])) {
      rsids = [...new Set(parts.flatMap((p) => p.variant.rsids))];
      break;
    }
  }
  if (rsids === first.rsids) rsids = [...rsids];
  // Datasets that did not cover the position (domain/coverage): named once, in no sum.
  const notCovered = parts.some((p) => p.variant.notCovered) ? [...new Map(parts.flatMap((p) => p.variant.notCovered ?? []).map((d) => [d.origin ?? d.datasetId, d])).values()] : [];
  const vrsId = parts.find((p) => p.variant.vrsId)?.variant.vrsId;
  const record: VariantRecord = { assembly, contig: first.contig, trimmed: first.trimmed, display: first.display, rsids, ...(vrsId ? { vrsId } : {}), frequencies: [pooled, ...entries] };
  if (notCovered.length > 0) record.notCovered = notCovered;
  return { record, warnings };
}

/** indexOf by a plain loop (faster than Array.prototype.indexOf for the few strings of a variant). */
function indexOf(list: readonly string[], x: string): number {
  for (let i = 0; i < list.length; i++) if (list[i] === x) return i;
  return -1;
}

/** The pooled entry's source, "Pooled: 3 of 3 peers": made once per (contributing, asked) when none is missing. */
const SOURCES: string[][] = [];
function pooledSource(contributing: number, asked: number, missing: readonly string[]): string {
  const make = () => `Pooled: ${contributing} of ${asked} peer${asked === 1 ? '' : 's'}${missing.length > 0 ? ` (missing ${missing.join(', ')})` : ''}`;
  if (missing.length > 0 || asked > 1000) return make();
  const row = (SOURCES[asked] ??= []);
  return (row[contributing] ??= make());
}

function why(score: number, tie: boolean): string {
  if (score === 2) return 'the node that made them';
  return tie ? 'first in the peers file' : 'a relay, not a node reporting another node\'s origin';
}

function sameCounts(a: DatasetFrequencies, b: DatasetFrequencies): boolean {
  const counts = (e: DatasetFrequencies) => JSON.stringify(e.populations.map((p) => [p.code, p.counts.ac, p.counts.an, p.counts.nhomalt, p.counts.nhet, p.counts.nhemi, p.counts.af]));
  return counts(a) === counts(b);
}
