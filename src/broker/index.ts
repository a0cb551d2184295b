export { FederatedLookup, type FederatedOptions } from './federated-lookup';
export { readPeersFile, parsePeers, type Peer } from './peers';
export { FederatedCatalogue, type FederatedCatalogueOptions } from './catalogue';
