import { AfbError } from '../domain/errors';
import { EMPTY_METADATA, type DatasetMetadata, type Individuals } from '../domain/catalogue';
import type { GroupDef } from '../domain/groups';
import { writeDatasetMetadata } from '../store/catalogue-store';
import type { DatasetWriter } from '../store/writer';
import { readMetadataFile, type MetadataFile } from './metadata-file';
import type { IngestOptions } from './options';

/** Read and check `--metadata` before anything is written (a bad file stops the ingest at once). */
export function loadIngestMetadata(opts: IngestOptions): MetadataFile | undefined {
  if (!opts.metadata) return undefined;
  const file = readMetadataFile(opts.metadata);
  if (file.assembly && file.assembly !== opts.assembly) {
    throw new AfbError('INVALID_OPTION', `--metadata ${opts.metadata}: assembly is ${file.assembly} but --assembly is ${opts.assembly}; they must agree`);
  }
  return file;
}

/**
 * Store the catalogue metadata of the version being written, just before it is published (so it
 * is published with it). Genotype mode counts individuals from the panel (declared ones are
 * ignored, with a warning); sites mode takes them from the file. Without --metadata the published
 * version's metadata carries over (with fresh counts in genotype mode).
 */
export function storeIngestMetadata(
  opts: IngestOptions,
  file: MetadataFile | undefined,
  writer: DatasetWriter,
  counted: Individuals | undefined,
  groups: readonly GroupDef[],
  warnings: string[],
): DatasetMetadata {
  if (counted && file?.metadata.individuals) warnings.push(`--metadata ${opts.metadata}: individuals are counted from the panel in genotype mode; the declared ones are ignored`);
  let stored: DatasetMetadata = EMPTY_METADATA;
  writer.writeExtra((db, v) => {
    stored = writeDatasetMetadata(db, opts.dataset, v, (published) => {
      const base = file?.metadata ?? published ?? EMPTY_METADATA;
      let individuals = base.individuals;
      if (counted) {
        const canonical = new Map(groups.filter((g) => g.canonical).map((g) => [g.code, g.canonical!]));
        individuals = { ...counted, populations: counted.populations.map((c) => (canonical.has(c.code) ? { ...c, canonical: canonical.get(c.code)! } : c)) };
      }
      return { ...base, ...(individuals ? { individuals } : {}) };
    });
  });
  return stored;
}
