import type { LookupScope, RsidResult } from '../domain/lookup';
import { SqliteLookup } from './sqlite-lookup';

/**
 * A node's lookup with VRS 2.0 ids: `findVrs` resolves a `ga4gh:VA.` id to the variants it names
 * through the `vrs` column of each current version's table (vrs-column.ts), and every record of
 * an insertion or deletion carries the id computed at ingest (`vrsId`), read from its own row.
 */
export class VrsSqliteLookup extends SqliteLookup {
  async findVrs(scope: LookupScope, digest: string): Promise<RsidResult> {
    return this.findVrsDigest(scope, digest);
  }
}
