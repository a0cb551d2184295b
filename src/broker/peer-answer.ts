import { trimAlleles, trimmedEnd0, type Trimmed } from '../domain/alleles';
import type { Assembly } from '../domain/assemblies';
import { contigRank, type Contig } from '../domain/contigs';
import type { AlleleQuery, DatasetFrequencies, ScanQuery, VariantRecord } from '../domain/lookup';
import { withImpliedTotal } from '../domain/implied-total';
import { fromWireRecord, isPooledEntry, WireFormatError } from '../beacon/record';
import { PeerFailure } from './peer-http';
import type { Peer } from './peers';

/**
 * One variant as a peer reported it, read through the wire module (beacon/record.ts) and
 * relabelled for this broker: `frequencies` holds only the peer's own (non-pooled) entries, each
 * dataset id and source prefixed with the peer id; `key` is the variant's identity.
 */
export interface PeerVariant extends VariantRecord {
  key: string;
  /**
   * A broker peer's own missing peers for this variant (from the pooled entry it sent, which is
   * dropped and re-pooled here), named by this broker's path: `eu/ee`. Without them a broker above
   * a broker would pool a partial answer and call it complete.
   */
  missingBelow?: string[];
}

/** The identity two answers must share to be one variant. */
export function variantKey(contig: Contig, t: Trimmed): string {
  return `${contig}:${t.start0}:${t.ref}:${t.alt}`;
}

/**
 * The variant keys of a list of queries (not remembered per list: callers reuse and refill their
 * arrays, so a cache keyed by the array would hand back another list's keys).
 */
export function queryKeys(queries: readonly AlleleQuery[]): string[] {
  return queries.map((q) => variantKey(q.contig, trimAlleles(q.start0, q.ref, q.alt)));
}

/** Key order (DESIGN §6, the port's scan order): contig rank, start, then ref and alt of the trimmed form. */
export function compareVariants(a: Pick<VariantRecord, 'contig' | 'trimmed'>, b: Pick<VariantRecord, 'contig' | 'trimmed'>): number {
  return (
    contigRank(a.contig) - contigRank(b.contig) ||
    cmp(a.contig, b.contig) ||
    a.trimmed.start0 - b.trimmed.start0 ||
    cmp(a.trimmed.ref, b.trimmed.ref) ||
    cmp(a.trimmed.alt, b.trimmed.alt)
  );
}

/**
 * How this broker names a peer's dataset: `fi:kg` for a node's own, `eu/fi:kg` for one a broker
 * peer already labelled (the path stays readable). The health polls and the answers use it alike.
 */
export function peerDatasetId(peer: Peer, datasetId: string): string {
  return datasetId.includes(':') ? `${peer.id}/${datasetId}` : `${peer.id}:${datasetId}`;
}

/** The inverse of peerDatasetId: the peer's own id of one of this broker's dataset ids, or undefined when it is another peer's. */
export function ownDatasetId(peer: Peer, datasetId: string): string | undefined {
  for (const sep of [':', '/']) if (datasetId.startsWith(`${peer.id}${sep}`)) return datasetId.slice(peer.id.length + 1);
  return undefined;
}

/**
 * Runs a wire read and turns its WireFormatError into the peer's `invalid_answer` outcome, so a
 * malformed record or an impossible count makes the whole answer invalid: a broken peer is
 * labelled, never half-merged.
 */
export function asPeerAnswer<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof WireFormatError) throw new PeerFailure('invalid_answer', e.message);
    throw e;
  }
}

/** Is this record the variant a query asked (its trimmed key), compared field by field (no key string made)? */
export function answersQuery(r: Pick<VariantRecord, 'contig' | 'trimmed'>, q: AlleleQuery): boolean {
  if (r.contig !== q.contig) return false;
  const t = trimAlleles(q.start0, q.ref, q.alt);
  return r.trimmed.start0 === t.start0 && r.trimmed.ref === t.ref && r.trimmed.alt === t.alt;
}

/** A genomicVariations record from a peer, read (strictly) and relabelled; see PeerVariant. */
export function readPeerRecord(raw: unknown, peer: Peer, assembly: Assembly): PeerVariant {
  return relabel(asPeerAnswer(() => fromWireRecord(raw, { assembly })), peer);
}

/**
 * A record a peer sent, as this broker shows it: pooled entries dropped (they are re-pooled here),
 * the rest prefixed with the peer id. The record is the wire reader's fresh copy and is relabelled
 * in place (one fan-out reads tens of thousands of them for a batch).
 */
export function relabel(r: VariantRecord, peer: Peer, key?: string): PeerVariant {
  const v = r as PeerVariant;
  v.key = key ?? variantKey(r.contig, r.trimmed);
  const own: DatasetFrequencies[] = [];
  for (const f of r.frequencies) {
    if (isPooledEntry(f)) {
      if (f.pooled && f.pooled.missing.length > 0) v.missingBelow = f.pooled.missing.map((m) => `${peer.id}/${m}`);
      continue;
    }
    const names = labelsOf(peer, f.datasetId, f.source);
    // A third-party Beacon sends no origin: the peer's URL and dataset name it.
    f.origin ??= names.origin;
    f.source = names.source;
    f.datasetId = names.datasetId;
    own.push(withImpliedTotal(f));
  }
  v.frequencies = own;
  // Datasets of the peer that did not cover the position: named as this broker names the peer's datasets.
  if (r.notCovered) {
    v.notCovered = r.notCovered.map((d) => ({
      datasetId: peerDatasetId(peer, d.datasetId),
      source: d.datasetId.includes(':') ? `${peer.id}/${d.source}` : `${peer.id}: ${d.source}`,
      origin: d.origin ?? `${peer.url}#${d.datasetId}`,
    }));
  }
  return v;
}

/** How this broker names one of a peer's datasets (relabel): the strings made once per peer, dataset and source, not once per entry. */
interface Labels {
  datasetId: string;
  source: string;
  origin: string;
}
const LABELS = new WeakMap<Peer, Map<string, Map<string, Labels>>>();
function labelsOf(peer: Peer, datasetId: string, source: string): Labels {
  let byId = LABELS.get(peer);
  if (!byId) LABELS.set(peer, (byId = new Map()));
  let bySource = byId.get(datasetId);
  if (!bySource) {
    // Bounded: a peer's datasets are few; a peer that sends endless new names gets no memory for them.
    if (byId.size > 1000) byId.clear();
    byId.set(datasetId, (bySource = new Map()));
  }
  let l = bySource.get(source);
  if (!l) {
    if (bySource.size > 100) bySource.clear();
    const nested = datasetId.includes(':');
    l = { datasetId: peerDatasetId(peer, datasetId), source: nested ? `${peer.id}/${source}` : `${peer.id}: ${source}`, origin: `${peer.url}#${datasetId}` };
    bySource.set(source, l);
  }
  return l;
}

/** A peer's records joined per variant (a node answers one result set per dataset: the same variant's entries are joined). */
export function byVariant(records: readonly PeerVariant[]): Map<string, PeerVariant> {
  const out = new Map<string, PeerVariant>();
  for (const v of records) {
    const seen = out.get(v.key);
    // The records are this peer's own (relabel made them): joining into the first is safe.
    if (seen) {
      seen.frequencies.push(...v.frequencies);
      if (v.notCovered) seen.notCovered = [...(seen.notCovered ?? []), ...v.notCovered];
    } else out.set(v.key, v);
  }
  return out;
}

/**
 * Does a peer's record belong in the answer to this scan? Checked before anything is merged: a
 * record on another contig or outside the range is a broken (or hostile) peer. One base of slack
 * for Beacons that disagree on coordinates (SPEC-NOTES §3).
 */
export function outsideScan(q: ScanQuery, v: VariantRecord): string | undefined {
  if (q.kind === 'all') return undefined;
  // A gene whose span this broker knows is checked as that range; one it does not know, not at all.
  if (q.kind === 'gene') return q.span ? outsideScan({ kind: 'range', contig: q.span.contig, start0: q.span.start0, end0: q.span.end0 }, v) : undefined;
  const where = `${v.contig}:${v.trimmed.start0}`;
  if (v.contig !== q.contig) return `record ${where} is not on contig ${q.contig}`;
  const start = v.trimmed.start0;
  const end = Math.max(trimmedEnd0(v.trimmed), start);
  if (q.kind === 'range') {
    if (end < q.start0 - 1 || start > q.end0 + 1) return `record ${where} lies outside the range [${q.start0}, ${q.end0})`;
    return undefined;
  }
  if (start < q.startMin0 - 1 || start > q.startMax0 + 1) return `record ${where} starts outside [${q.startMin0}, ${q.startMax0}]`;
  return undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
