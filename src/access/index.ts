export { createCallerResolver, sha256, datasetOf, MAX_VISAS, type IdentifyInput } from './resolver';
export type { JwksOptions } from './jwks';
