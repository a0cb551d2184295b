import type { Slot } from '../vcf/slots';
import type { SitesPlan } from '../vcf/sites-fields';
import type { RowBatch } from './row-batch';
import type { Individuals } from '../domain/catalogue';

/** What a file parser (inline or in a worker thread) reports, in order: header, batches..., end. */
export type ParseEvent =
  | {
      type: 'header';
      mode: 'sites' | 'genotypes';
      modeReason: string;
      groups: { key: string; code: string; label: string }[];
      slots: Slot[];
      ignored: SitesPlan['ignored'];
      samples?: { inVcf: number; counted: number; notInPanel: number; excludedByList: number };
      /** Genotype mode: who is counted, as sample digests (update gating compares versions by them). */
      sampleDigests?: string[];
      /** Genotype mode: counted individuals per population and sex (the dataset catalogue's; docs/dataset-metadata.md). */
      individuals?: Individuals;
    }
  | { type: 'batch'; batch: RowBatch; records: number; bytesRead: number; totalBytes?: number; indexedRecords?: number }
  | { type: 'end'; records: number; skipped: Record<string, number>; leftAligned: number; hetCallsOnHaploidRegions: number; indexedRecords?: number };
