/** The JSON report printed at the end of an ingest. */
export interface IngestReport {
  dataset: string;
  name: string;
  assembly: string;
  mode: 'sites' | 'genotypes';
  /** Why this mode ran (DESIGN §10 default rule, or the --mode flag). */
  modeReason: string;
  inputs: string[];
  records: number;
  rows: number;
  /** Records (or, for duplicates, ALT rows) left out, by reason. Only non-empty with --skip-invalid, or for symbolic ALTs. */
  skipped: Record<string, number>;
  groups: { key: string; code: string; label: string; kinds: string[]; canonical?: string }[];
  samples?: { inVcf: number; counted: number; notInPanel: number; excludedByList: number; hetCallsOnHaploidRegions: number };
  leftAligned?: number;
  /** VRS 2.0 ids stored (docs/api.md "VRS ids"); insertions and deletions need --reference for theirs. */
  vrsIds?: { computed: number; indelsWithoutReference: number };
  ignoredInfoFields?: { info: string; why: string }[];
  warnings?: string[];
  /** Callable regions read from --callable (before merging). */
  callableRegions?: number;
  contigs: Record<string, number>;
  seconds: number;
  rowsPerSecond: number;
  storeVersion: number;
}
