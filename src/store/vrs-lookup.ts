import type Database from 'better-sqlite3';
import type { AlleleQuery, AllelesResult, LookupScope, LookupSnapshot, Page, RsidResult, ScanQuery, ScanResult, VariantRecord } from '../domain/lookup';
import { VRS_ALLELE_PREFIX } from '../domain/vrs';
import { openForRead } from './open';
import { SqliteLookup } from './sqlite-lookup';
import { VrsIndexReader } from './vrs-index';

/**
 * A node's lookup with VRS 2.0 ids (store/vrs-index.ts): `findVrs` resolves a `ga4gh:VA.` id to
 * the variants it names, and every record of an insertion or deletion carries the id computed at
 * ingest (`vrsId`). The index is read on a connection of its own; ids of a version appear with it.
 */
export class VrsSqliteLookup extends SqliteLookup {
  private readonly index: VrsIndexReader;
  private readonly indexDb: Database.Database;

  constructor(db: Database.Database) {
    super(db);
    this.indexDb = openForRead(db.name);
    this.index = new VrsIndexReader(this.indexDb);
  }

  override async findAlleles(scope: LookupScope, queries: readonly AlleleQuery[]): Promise<AllelesResult> {
    const r = await super.findAlleles(scope, queries);
    return { ...r, records: r.records.map((x) => x && this.withId(x)) };
  }

  override async scan(scope: LookupScope, query: ScanQuery, page: Page): Promise<ScanResult> {
    const r = await super.scan(scope, query, page);
    return { ...r, records: r.records.map((x) => this.withId(x)) };
  }

  override async findRsid(scope: LookupScope, rsid: number): Promise<RsidResult> {
    const r = await super.findRsid(scope, rsid);
    return { ...r, records: r.records.map((x) => this.withId(x)) };
  }

  async findVrs(scope: LookupScope, digest: string): Promise<RsidResult> {
    const keys = this.index.variantsOf(digest);
    if (keys.length === 0) return { records: [] };
    const r = await this.findAlleles(scope, keys);
    return { records: r.records.filter((x): x is VariantRecord => x !== undefined) };
  }

  override async snapshot(): Promise<LookupSnapshot> {
    const s = await super.snapshot();
    return {
      findAlleles: async (scope, queries, signal) => {
        const r = await s.findAlleles(scope, queries, signal);
        return { ...r, records: r.records.map((x) => x && this.withId(x)) };
      },
      release: () => s.release(),
    };
  }

  override close(): void {
    super.close();
    this.indexDb.close();
  }

  private withId(r: VariantRecord): VariantRecord {
    const t = r.trimmed;
    if (r.vrsId || (t.ref !== '' && t.alt !== '')) return r;
    const digest = this.index.indelDigest(r.contig, t.start0, t.ref, t.alt);
    return digest ? { ...r, vrsId: `${VRS_ALLELE_PREFIX}${digest}` } : r;
  }
}
