export { openStoreLookup, SqliteLookup } from './sqlite-lookup';
export { DatasetWriter, type RowBatch } from './writer';
export type { VersionMeta } from './version-meta';
export { openMetadataSource, writeDatasetMetadata } from './catalogue-store';
