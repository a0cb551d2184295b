export { openStoreLookup, SqliteLookup } from './sqlite-lookup';
export { DatasetWriter, deleteDataset, type StoreRow } from './writer';
export type { VersionMeta } from './version-meta';
