export { ingestVcf } from './pipeline';
export type { IngestOptions, ProgressListener } from './options';
export type { IngestReport } from './report';
export { terminalProgress } from './progress';
