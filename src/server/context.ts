import type { LookupDescription, VariantLookup } from '../domain/lookup';
import type { ServerConfig } from '../config/server-config';
import type { BeaconFacts } from '../beacon/informational';
import type { CatalogueDoor, Pipeline } from '../pipeline';
import type { Logger, Metrics } from './observability';

/** What every route handler is given: the one lookup port, the config and the published facts. */
export interface AppContext {
  lookup: VariantLookup;
  /** The one request pipeline every variant door calls. */
  pipeline: Pipeline;
  /** The dataset catalogue's doors (/api/datasets, /api/catalogue): the same identify step and policy. */
  catalogue: CatalogueDoor;
  /** The lookup's description, memoised for a second (see description-cache). */
  describe: () => Promise<LookupDescription>;
  config: ServerConfig;
  facts: BeaconFacts;
  role: 'node' | 'broker';
  logger: Logger;
  metrics: Metrics;
  /** Broker only: the body of GET /api/network (each peer's state). */
  network?: () => Promise<unknown>;
}
