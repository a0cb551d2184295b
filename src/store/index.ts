export { SqliteLookup } from './sqlite-lookup';
export { openStoreLookup, VrsSqliteLookup } from './vrs-lookup';
export { DatasetWriter, type RowBatch } from './writer';
export type { VersionMeta } from './version-meta';
