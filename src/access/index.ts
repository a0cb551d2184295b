export { createCallerResolver, sha256, datasetOf, MAX_VISAS, type IdentifyInput, type ResolverOptions, type CallerResolver } from './resolver';
export type { JwksOptions } from './jwks';
