export { openStoreLookup, SqliteLookup } from './sqlite-lookup';
export { openNodeLookup, NodeLookup } from './node-lookup';
export { VrsSqliteLookup } from './vrs-lookup';
export { DatasetWriter, type RowBatch } from './writer';
export type { VersionMeta } from './version-meta';
export { writeCoverage, type Region } from './coverage-store';
export { writeGenes } from './gene-store';
