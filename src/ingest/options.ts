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
  /** Parse on the calling thread instead of a worker thread (the CLI uses a worker when it can). */
  parseInline?: boolean;
  inputs: string[];
}

/** Called now and then with what has been done, for a progress bar. */
export type ProgressListener = (p: { bytesRead: number; totalBytes?: number; records: number; totalRecords?: number; rows: number; file: string }) => void;
