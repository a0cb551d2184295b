import type { Assembly } from '../domain/assemblies';

export interface IngestOptions {
  db: string;
  dataset: string;
  assembly: Assembly;
  name?: string;
  description?: string;
  /** Defaults as DESIGN §10: genotypes with --panel/--samples, else sites when INFO AC+AN are declared, else genotypes. */
  mode?: 'sites' | 'genotypes';
  panel?: string;
  samples?: string;
  /** TSV `group<TAB>canonical code[<TAB>label]`: canonical population codes (and labels) for the broker. */
  populations?: string;
  /** JSON field map for sites mode (overrides header detection). */
  fields?: string;
  reference?: string;
  skipInvalid?: boolean;
  /**
   * Where the parser runs: 'worker' (a worker thread, so parsing and SQLite writes overlap; the
   * CLI's choice) or 'inline' (this thread; the default for library callers). Same events either way.
   */
  runner?: 'worker' | 'inline';
  /** Longest VCF line accepted, in bytes (default 64 MiB); a longer one stops the ingest naming file and line. */
  maxLineBytes?: number;
  /** Cap the store file at this many pages (SQLite max_page_count): past it, the ingest fails as on a full disk (STORE_FULL). */
  storeMaxPages?: number;
  /** Update gating: refuse a version that changes 1..minCount-1 individuals (genotype mode); 1 or absent = no gating. */
  minCount?: number;
  /** Publish such a version anyway (the operator knows the earlier one was never public). */
  allowSmallUpdate?: boolean;
  /** A BED of the regions where every sample was called: absent variants there answer "0 of AN" (domain/coverage). */
  callable?: string;
  /** Store VRS 2.0 ids for lookup by `ga4gh:VA.` id (default true; ~50 bytes a variant; docs/api.md "VRS ids"). */
  vrsIds?: boolean;
  inputs: string[];
}

/** Called now and then with what has been done, for a progress bar. */
export type ProgressListener = (p: { bytesRead: number; totalBytes?: number; records: number; totalRecords?: number; rows: number; file: string }) => void;
