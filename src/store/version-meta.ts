import type { Assembly } from '../domain/assemblies';
import type { CountKind } from '../domain/counts';
import type { GroupDef } from '../domain/groups';

/** Everything about one ingested version of a dataset that is not per-row; stored as JSON. */
export interface VersionMeta {
  datasetId: string;
  name: string;
  description?: string;
  assembly: Assembly;
  mode: 'sites' | 'genotypes';
  groups: GroupDef[];
  /** The counts BLOB layout: slot i holds `kind` of `groups[group]`. */
  slots: { group: number; kind: CountKind }[];
  /** FILTER strings; rows store the index. */
  filters: string[];
  /** Per contig: rows and the longest reference span (so range queries find long deletions). */
  contigs: Record<string, { rows: number; maxSpan: number }>;
  variantCount: number;
  sources: string[];
  /** Genotype mode: digests of the counted samples (never their ids), for update gating. */
  sampleDigests?: string[];
  report?: unknown;
}
