import type { Assembly } from './assemblies';
import type { Contig } from './contigs';
import type { Anchored, Trimmed } from './alleles';
import type { CountKind, GroupCounts } from './counts';
import type { GroupDef } from './groups';

/**
 * The one port the request pipeline talks to. A node implements it over its SQLite store, a broker
 * over its peers; the pipeline never knows which. Every method returns what it found together with
 * how it got it (`trace`: a broker's per-peer outcomes); nothing is written into the arguments.
 */
export interface VariantLookup {
  /** What this lookup serves: datasets (a broker lists its peers' datasets). */
  describe(): Promise<LookupDescription>;
  /** One answer per query, in order; undefined where no dataset in scope has the variant. */
  findAlleles(scope: LookupScope, queries: readonly AlleleQuery[], signal?: AbortSignal): Promise<AllelesResult>;
  /**
   * Variants matching a range, a bracket or everything (`kind: 'all'`: every contig in
   * contigRank order), in key order (contig, start0, ref, alt of the trimmed form), each variant
   * once however many datasets hold it. `page.limit = 0` asks for the count only: no records are
   * read, fetched or sent. `total` counts every match, not only this page.
   */
  scan(scope: LookupScope, query: ScanQuery, page: Page, signal?: AbortSignal): Promise<ScanResult>;
  /** Variants carrying an rsID (the number: rs123 -> 123, parsed once by domain/variant-id parseRsid). */
  findRsid(scope: LookupScope, rsid: number, signal?: AbortSignal): Promise<RsidResult>;
  /**
   * Optional: the keys of the first `limit` matches of a scan, in key order, without their counts,
   * and the total. A broker implements it (its peers' keys, merged) so a broker above it can count
   * distinct variants exactly without every record being fetched; a lookup without it is read by
   * `scan`. `keys` is never longer than what is known exactly (a prefix of the matches).
   */
  scanKeys?(scope: LookupScope, query: ScanQuery, limit: number, signal?: AbortSignal): Promise<KeysResult>;
  /**
   * Optional: variants whose VRS 2.0 allele id is `ga4gh:VA.<digest>` (domain/vrs; a node reads the
   * ids it stored at ingest). A lookup without it cannot resolve such ids (the pipeline says so).
   */
  findVrs?(scope: LookupScope, digest: string, signal?: AbortSignal): Promise<RsidResult>;
  /**
   * Optional: lookups that all see one version of the data, however long they take, so a large
   * batch can be read in parts (other requests run between the parts) and still be all-old or
   * all-new across a re-ingest. `release()` must be called when done. A lookup without it (a
   * broker: its peers have no common version) is asked once for the whole batch.
   */
  snapshot?(): Promise<LookupSnapshot>;
}

export interface LookupSnapshot {
  findAlleles: VariantLookup['findAlleles'];
  release(): void;
}

/** What every lookup answer carries besides its data. */
export interface Traced {
  /** How the answer was obtained (a broker: each peer's outcome; warnings); absent for a node. */
  trace?: LookupTrace;
}

export interface AllelesResult extends Traced {
  records: (VariantRecord | undefined)[];
  /**
   * A store's lookup: the datasets it read (those in scope), in the same read as the records, so
   * that a record holding an entry of each is known to lack none without describing the store again.
   */
  datasetsRead?: readonly string[];
}

export interface ScanResult extends Traced {
  /** All matches, not only this page. */
  total: number;
  /** Set when `total` is only a lower bound (a broker whose peers' answers cannot be joined exactly). */
  totalIsLowerBound?: boolean;
  records: VariantRecord[];
}

export interface KeysResult extends Traced {
  total: number;
  totalIsLowerBound?: boolean;
  keys: VariantKey[];
}

export interface RsidResult extends Traced {
  records: VariantRecord[];
}

/** Beacon `requestedGranularity`. */
export type Granularity = 'boolean' | 'count' | 'record';

/** Every granularity, from the least to the most revealing. */
export const GRANULARITIES: readonly Granularity[] = ['boolean', 'count', 'record'];

/** The less revealing of two granularities (a request capped by what a level allows). */
export function lowerGranularity(a: Granularity, b: Granularity): Granularity {
  return GRANULARITIES.indexOf(a) <= GRANULARITIES.indexOf(b) ? a : b;
}

export interface LookupDescription {
  datasets: DatasetInfo[];
}

export interface DatasetInfo {
  id: string;
  name: string;
  assembly: Assembly;
  mode: 'sites' | 'genotypes';
  groups: GroupDef[];
  /** Canonical contig names present, in contigRank order. */
  contigs: Contig[];
  variantCount: number;
  /** Changes whenever the dataset is re-ingested (cache keys, provenance). */
  version: string;
  createdAt: string;
  description?: string;
}

export interface LookupScope {
  assembly: Assembly;
  /** Restrict to these dataset ids; all datasets of the assembly when absent. */
  datasetIds?: readonly string[];
  /** Broker ids this query has already passed through (loop and double-count guard). */
  visited?: readonly string[];
}

export interface LookupTrace {
  peers?: PeerOutcome[];
  warnings?: string[];
  /** A broker whose peers should have answered and none did: the (empty) answer says nothing about their data. */
  noPeerAnswered?: boolean;
}

/** What happened with one peer for one query. */
export interface PeerOutcome {
  peer: string;
  name?: string;
  /**
   * `unmatched`: the peer sent records, but none is the variant asked for (or none can be read as
   * it): not a miss, since the peer may well hold it; the peer is named as missing in pooled rows.
   * `skipped_unsupported`: the peer cannot answer this kind of query (a third-party Beacon and an
   * rsID, gdi-mini-node and a range): not asked, and named as missing, never read as a miss.
   */
  status:
    | 'ok'
    | 'miss'
    | 'unmatched'
    | 'timeout'
    | 'http_error'
    | 'invalid_answer'
    | 'refused'
    | 'skipped_down'
    | 'skipped_assembly'
    | 'skipped_loop'
    | 'skipped_unsupported';
  latencyMs: number;
  httpStatus?: number;
  message?: string;
  /** What the broker had to allow for in this peer's answer: dialects read, records refused one by one, the method that worked. */
  notes?: string[];
}

/** An allele query in any valid representation (padded or trimmed, any case); the lookup normalises it. */
export interface AlleleQuery {
  contig: Contig;
  start0: number;
  ref: string;
  alt: string;
}

/**
 * Variants whose reference span [start0, end0) overlaps [start0, end0) of the query
 * (insertions count at their insertion point), or, for a bracket query, whose start lies in
 * [startMin0, startMax0] and end in [endMin0, endMax0] (both inclusive, as Beacon brackets are).
 */
export type RangeQuery =
  | ({ kind: 'range'; contig: Contig; start0: number; end0: number } & RangeFilters)
  | ({ kind: 'bracket'; contig: Contig; startMin0: number; startMax0: number; endMin0: number; endMax0: number } & RangeFilters);

/**
 * Beacon `geneId`: the variants inside a gene's span (an HGNC symbol or an Ensembl gene id, found in
 * a gene table, domain/genes). `span` is filled by whoever resolved it (a broker with a gene table:
 * third-party peers are asked that range); a node resolves `geneId` with its own table.
 */
export type GeneQuery = { kind: 'gene'; geneId: string; span?: { contig: Contig; start0: number; end0: number; id: string; name: string } } & RangeFilters;

/** What a g_variants request asks, whatever its wire shape (GET query string, POST body, id). */
export type VariantQuery = { kind: 'all' } | { kind: 'sequence'; contig: Contig; start0: number; ref: string; alt: string } | RangeQuery | GeneQuery;

/** What `scan` reads: a range, a bracket, a gene, or every variant. */
export type ScanQuery = RangeQuery | GeneQuery | { kind: 'all' };

export interface RangeFilters {
  /** Only variants with this alternate allele (compared after trimming). */
  alt?: string;
  /** Beacon variantType: SNP, MNP, INS, DEL, INDEL. */
  variantType?: string;
  minLength?: number;
  maxLength?: number;
}

export interface Page {
  /** Matches to pass over before the first returned (exact: counted in key order), after `after` when given. */
  skip: number;
  /** Records to return; 0 = none, only the total. */
  limit: number;
  /**
   * Keyset cursor: return only matches whose key (contig rank, trimmed start0, ref, alt) comes
   * after this one. `total` still counts every match. Lets a long scan be read in parts without
   * counting past what it has read (the compact peer protocol streams a region this way). `skip`
   * must be 0 with it.
   */
  after?: VariantKey;
}

/** A variant's identity and its place in key order: the contig and the trimmed alleles. */
export interface VariantKey {
  contig: Contig;
  start0: number;
  ref: string;
  alt: string;
}

export interface VariantRecord {
  assembly: Assembly;
  contig: Contig;
  /** The identity of the variant (see domain/alleles). */
  trimmed: Trimmed;
  /** The VCF-style form shown to people and sent as referenceBases/alternateBases. */
  display: Anchored;
  rsids: string[];
  /**
   * The VRS 2.0 allele id (`ga4gh:VA.…`) when the lookup knows it (an insertion or deletion needs
   * the reference, so a node reads the id it stored at ingest); a substitution's is computed when
   * the record is written, so it need not be set.
   */
  vrsId?: string;
  /** One entry per dataset (for a broker: the pooled entry first, then each peer's). */
  frequencies: DatasetFrequencies[];
  /**
   * Datasets in scope that declared what they covered and did not cover this position (domain/coverage):
   * "not covered", never "absent". Their AN is in no sum.
   */
  notCovered?: DatasetRef[];
}

/** A dataset named in an answer without counts (see VariantRecord.notCovered). */
export interface DatasetRef {
  datasetId: string;
  source: string;
  origin?: string;
}

export interface DatasetFrequencies {
  datasetId: string;
  /** Shown as frequencyInPopulations.source. */
  source: string;
  version?: string;
  filters: string[];
  populations: PopulationCounts[];
  /**
   * Where the counts were made, unique across a federation: `<beaconId>/<datasetId>@<ingest time>`.
   * A broker that reaches the same dataset by two paths (brokers listing each other, a node listed
   * by two brokers) counts it once.
   */
  origin?: string;
  /** Set on pooled entries: who contributed and who is missing. */
  pooled?: { contributors: string[]; missing: string[] };
  /** Set when disclosure control withheld counts of this entry: the small-cell threshold k applied (domain/disclosure). */
  minCount?: number;
  /**
   * Set on an entry made for a dataset that does not hold the variant but covered its position
   * (domain/coverage): AC 0 (and no carriers) of the site's AN. Not a hit; pooled like any counts.
   */
  absent?: true;
}

export interface PopulationCounts {
  /** Wire `population`: the group's code as the data names it (`Total`, `AFR`, `nfe`, `afr_XX`). */
  code: string;
  label: string;
  canonical?: string;
  counts: GroupCounts;
  /** Pooled rows only: contributors whose integer counts are in the sums. */
  pooledFrom?: string[];
  /** Pooled rows only: contributors that reported this population only as a frequency (shown, not pooled). */
  frequencyOnly?: string[];
  /**
   * Kinds withheld by disclosure control (domain/disclosure): absent from `counts` on purpose, which
   * is not the same as unknown. `an` is withheld only for a group too small to publish.
   */
  withheld?: CountKind[];
}
