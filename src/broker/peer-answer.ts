import { trimAlleles, type Anchored, type Trimmed } from '../domain/alleles';
import { resolveContig, type Contig } from '../domain/contigs';
import { countProblems, type GroupCounts } from '../domain/counts';
import type { DatasetFrequencies, PopulationCounts } from '../domain/lookup';
import { kindsFromWire } from '../beacon/record';
import { PeerFailure } from './peer-http';
import type { Peer } from './peers';

/** One variant as a peer reported it: its identity and the peer's own (non-pooled) dataset entries, relabelled. */
export interface PeerVariant {
  key: string;
  contig: Contig;
  trimmed: Trimmed;
  display: Anchored;
  rsids: string[];
  entries: DatasetFrequencies[];
}

const BASES = /^[ACGTN]*$/;

/** The identity two answers must share to be one variant. */
export function variantKey(contig: Contig, t: Trimmed): string {
  return `${contig}:${t.start0}:${t.ref}:${t.alt}`;
}

/**
 * A genomicVariations record from a peer (an afb node or broker, or a third-party Beacon v2 that
 * sends frequencyInPopulations with or without counts), checked before anything of it is used:
 * a malformed record or an impossible count makes the whole answer invalid, so a broken peer is
 * labelled, never half-merged.
 */
export function readPeerRecord(raw: unknown, peer: Peer): PeerVariant {
  const r = raw as Record<string, any>;
  if (!r || typeof r !== 'object') bad('a result is not an object');
  const v = r.variation as Record<string, any> | undefined;
  if (!v || typeof v !== 'object') bad('a record has no variation');
  const ref = String(v.referenceBases ?? '').toUpperCase();
  const alt = String(v.alternateBases ?? '').toUpperCase();
  if (!BASES.test(ref) || !BASES.test(alt)) bad(`bases '${ref}'/'${alt}' are not A C G T N`);
  const start = v.location?.interval?.start;
  const start0 = typeof start === 'number' ? start : start?.value;
  if (!Number.isSafeInteger(start0) || start0 < 0) bad('variation.location.interval.start is not a 0-based position');
  const name: string = typeof r.referenceName === 'string' ? r.referenceName : String(v.location?.sequence_id ?? '').replace(/^[^:]*:/, '');
  const contig = resolveContig(name)?.contig;
  if (!contig) bad(`contig '${name}' is not understood`);
  const trimmed = trimAlleles(start0, ref, alt);
  const fip = r.frequencyInPopulations;
  if (!Array.isArray(fip)) bad('a record has no frequencyInPopulations list');
  const entries: DatasetFrequencies[] = [];
  for (const f of fip as Record<string, any>[]) {
    if (!f || typeof f.source !== 'string' || !Array.isArray(f.frequencies) || f.frequencies.length === 0) bad('a frequencyInPopulations entry lacks source or frequencies');
    if (f.datasetId === 'pooled' || /^Pooled\b/.test(f.source)) continue; // pooled elsewhere: only the contributors' own counts are merged
    entries.push(readEntry(f, peer));
  }
  // Entries whose every population a peer withheld (disclosure control): read back as withheld, never dropped or taken as 0.
  const hidden = r.frequencyInPopulationsWithheld;
  if (hidden !== undefined && !Array.isArray(hidden)) bad('frequencyInPopulationsWithheld is not a list');
  for (const f of (hidden ?? []) as Record<string, any>[]) {
    if (!f || typeof f.source !== 'string' || !Array.isArray(f.populationsWithheld) || f.populationsWithheld.length === 0) bad('a withheld entry lacks source or populationsWithheld');
    if (f.datasetId === 'pooled' || /^Pooled\b/.test(f.source)) continue;
    entries.push(readEntry({ ...f, frequencies: [] }, peer));
  }
  const rsids: string[] = [];
  for (const id of r.identifiers?.variantAlternativeIds ?? []) {
    const m = /rs\d+$/.exec(String(id?.id ?? ''));
    if (m) rsids.push(m[0]);
  }
  return { key: variantKey(contig, trimmed), contig, trimmed, display: { start0, ref, alt }, rsids, entries };
}

/**
 * How this broker names a peer's dataset: `fi:kg` for a node's own, `eu/fi:kg` for one a broker
 * peer already labelled (the path stays readable). The health polls and the answers use it alike.
 */
export function peerDatasetId(peer: Peer, datasetId: string): string {
  return datasetId.includes(':') ? `${peer.id}/${datasetId}` : `${peer.id}:${datasetId}`;
}

function readEntry(f: Record<string, any>, peer: Peer): DatasetFrequencies {
  const own = typeof f.datasetId === 'string' && f.datasetId !== '' ? f.datasetId : f.source;
  const nested = own.includes(':');
  const populations: PopulationCounts[] = (f.frequencies as Record<string, any>[]).map((p) => readPopulation(p));
  if (f.populationsWithheld !== undefined && !Array.isArray(f.populationsWithheld)) bad('populationsWithheld is not a list');
  for (const p of (f.populationsWithheld ?? []) as Record<string, any>[]) populations.push(readWithheldPopulation(p));
  return {
    datasetId: peerDatasetId(peer, own),
    source: nested ? `${peer.id}/${f.source}` : `${peer.id}: ${f.source}`,
    ...(typeof f.version === 'string' ? { version: f.version } : {}),
    origin: typeof f.origin === 'string' && f.origin !== '' ? f.origin : `${peer.url}#${own}`,
    filters: [],
    populations,
    ...(Number.isSafeInteger(f.minCount) && f.minCount > 1 ? { minCount: f.minCount as number } : {}),
  };
}

/** A population whose frequency the peer withheld: its AN (unless the group was too small to publish) and what is withheld. */
function readWithheldPopulation(p: Record<string, any>): PopulationCounts {
  if (!p || typeof p.population !== 'string' || p.population === '') bad('a withheld population has no name');
  const withheld = kindsFromWire(p.countsWithheld);
  if (withheld.length === 0) bad(`population ${p.population}: withheld, but countsWithheld names no count`);
  const counts: GroupCounts = {};
  if (p.alleleNumber !== undefined) {
    if (!Number.isSafeInteger(p.alleleNumber) || p.alleleNumber < 0) bad(`population ${p.population}: alleleNumber ${JSON.stringify(p.alleleNumber)} is not a count`);
    counts.an = p.alleleNumber;
  } else if (!withheld.includes('an')) withheld.push('an');
  return {
    code: p.population,
    label: typeof p.populationLabel === 'string' ? p.populationLabel : p.population,
    ...(typeof p.populationCanonical === 'string' ? { canonical: p.populationCanonical } : {}),
    counts,
    withheld,
  };
}

function readPopulation(p: Record<string, any>): PopulationCounts {
  if (!p || typeof p.population !== 'string' || p.population === '') bad('a frequency has no population');
  const af = p.alleleFrequency;
  if (typeof af !== 'number' || !Number.isFinite(af)) bad(`population ${p.population}: alleleFrequency ${JSON.stringify(af)} is not a number`);
  // The same consistency rules as at ingest (domain/counts countProblems), on the wire's fields.
  const counts: GroupCounts = { af };
  for (const [field, kind] of WIRE_COUNTS) {
    const x = p[field];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'number') bad(`population ${p.population}: ${field} ${JSON.stringify(x)} is not a number`);
    counts[kind] = x;
  }
  const problems = countProblems(counts);
  if (problems.length > 0) bad(`population ${p.population}: ${problems.map((x) => x.message).join('; ')}`);
  delete counts.af;
  // A count pair is what pools; without it the frequency is shown, never pooled.
  if (counts.ac === undefined || counts.an === undefined) {
    delete counts.ac;
    delete counts.an;
    counts.af = af;
  }
  const withheld = kindsFromWire(p.countsWithheld).filter((k) => counts[k] === undefined);
  return {
    code: p.population,
    label: typeof p.populationLabel === 'string' ? p.populationLabel : p.population,
    ...(typeof p.populationCanonical === 'string' ? { canonical: p.populationCanonical } : {}),
    counts,
    ...(withheld.length > 0 ? { withheld } : {}),
  };
}

const WIRE_COUNTS: [string, keyof GroupCounts][] = [
  ['alleleCount', 'ac'],
  ['alleleNumber', 'an'],
  ['alleleCountHomozygous', 'nhomalt'],
  ['alleleCountHeterozygous', 'nhet'],
  ['alleleCountHemizygous', 'nhemi'],
];

function bad(message: string): never {
  throw new PeerFailure('invalid_answer', message);
}
