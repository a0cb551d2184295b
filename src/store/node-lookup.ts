import type Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';
import { trimAlleles, type Trimmed } from '../domain/alleles';
import { absentEntry, anClass, coverageSpan } from '../domain/coverage';
import type {
  AlleleQuery,
  AllelesResult,
  DatasetFrequencies,
  DatasetInfo,
  DatasetRef,
  LookupDescription,
  LookupScope,
  LookupSnapshot,
  Page,
  RsidResult,
  ScanQuery,
  ScanResult,
  VariantLookup,
  VariantRecord,
} from '../domain/lookup';
import { openForRead } from './open';
import { CoverageReader } from './coverage-store';
import { GeneReader } from './gene-store';
import { RELEASE_EVERY_MS, SqliteLookup } from './sqlite-lookup';
import { VrsSqliteLookup } from './vrs-lookup';

/** Records a site-AN scan reads at most (alleles at one position). */
const SITE_ROWS = 64;

/**
 * A node's VariantLookup: the store's SqliteLookup plus what lives in side tables of its own
 * (coverage-store, gene-store), read through a second read-only connection:
 * - findAlleles adds, for each dataset in scope that lacks the variant, an absent entry ("AC 0 of
 *   AN") when it covered the position, or names it in `notCovered` (domain/coverage);
 * - scan resolves a `gene` query to the gene's span with the node's gene table.
 */
export class NodeLookup implements VariantLookup {
  private readonly coverage: CoverageReader;
  private readonly genes: GeneReader;

  private readonly currentKey: Database.Statement;
  private described?: { key: string; datasets: DatasetInfo[] };

  constructor(readonly store: SqliteLookup, private readonly side: Database.Database) {
    this.coverage = new CoverageReader(side);
    this.genes = new GeneReader(side);
    this.currentKey = side.prepare(`SELECT group_concat(id || '=' || current, ',') AS k FROM (SELECT id, current FROM datasets ORDER BY id)`);
  }

  /** The store's datasets, described again only when a dataset's current version changed (describe() costs as much as a lookup). */
  private async datasets(): Promise<DatasetInfo[]> {
    const key = String((this.currentKey.get() as { k: string | null }).k ?? '');
    if (this.described?.key !== key) this.described = { key, datasets: (await this.store.describe()).datasets };
    return this.described.datasets;
  }

  describe(): Promise<LookupDescription> {
    return this.store.describe();
  }

  async findAlleles(scope: LookupScope, queries: readonly AlleleQuery[]): Promise<AllelesResult> {
    const found = await this.store.findAlleles(scope, queries);
    return { ...found, records: await this.withCoverage(scope, queries, found.records, found.datasetsRead) };
  }

  async scan(scope: LookupScope, query: ScanQuery, page: Page): Promise<ScanResult> {
    if (query.kind !== 'gene') return this.store.scan(scope, query, page);
    const g = this.genes.find(scope.assembly, query.geneId);
    if (g === undefined) {
      throw new AfbError('UNKNOWN_GENE', `geneId: this node has no ${scope.assembly} gene table (load one with afb genes --db FILE --assembly ${scope.assembly} GENES.gtf.gz); query a range instead (referenceName, start, end)`);
    }
    if (g === null) {
      throw new AfbError('UNKNOWN_GENE', `geneId '${query.geneId}' is not in this node's ${scope.assembly} gene table; give an HGNC symbol (e.g. BRCA2) or an Ensembl gene id (e.g. ENSG00000139618)`);
    }
    const { kind: _k, geneId: _g, span: _s, ...filters } = query;
    const datasets = (await this.datasets()).filter((d) => d.assembly === scope.assembly && (!scope.datasetIds || scope.datasetIds.includes(d.id)));
    // A gene on a contig no dataset holds: nothing inside it (not an unknown contig: the caller named a gene).
    if (!datasets.some((d) => d.contigs.includes(g.contig))) return { total: 0, records: [] };
    return this.store.scan(scope, { kind: 'range', contig: g.contig, start0: g.start0, end0: g.end0, ...filters }, page);
  }

  findRsid(scope: LookupScope, rsid: number): Promise<RsidResult> {
    return this.store.findRsid(scope, rsid);
  }

  /** A `ga4gh:VA.` id: the variants the store's VRS index names (store/vrs-lookup.ts); none from a store without one. */
  async findVrs(scope: LookupScope, digest: string): Promise<RsidResult> {
    return this.store instanceof VrsSqliteLookup ? this.store.findVrs(scope, digest) : { records: [] };
  }

  /** A batch in parts sees one version of the variants; coverage is read from the current tables beside it. */
  async snapshot(): Promise<LookupSnapshot> {
    const snap = await this.store.snapshot();
    return {
      findAlleles: async (scope, queries) => {
        const found = await snap.findAlleles(scope, queries);
        return { ...found, records: await this.withCoverage(scope, queries, found.records, found.datasetsRead) };
      },
      release: () => snap.release(),
    };
  }

  close(): void {
    this.store.close();
    this.side.close();
  }

  /**
   * Coverage is for datasets that lack a variant ("0 of AN", "not covered"); `read` are the datasets
   * the store looked in (in scope). A variant found in each of them lacks none, so the usual hit reads
   * no coverage and does not describe the store (~8 % of a found lookup's CPU when it did).
   */
  private async withCoverage(scope: LookupScope, queries: readonly AlleleQuery[], records: (VariantRecord | undefined)[], read?: readonly string[]): Promise<(VariantRecord | undefined)[]> {
    if (read && records.every((r) => r !== undefined && read.every((id) => r.frequencies.some((f) => f.datasetId === id)))) return records;
    const datasets = (await this.datasets()).filter((d) => d.assembly === scope.assembly && (!scope.datasetIds || scope.datasetIds.includes(d.id)));
    const out = [...records];
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      const rec = records[i];
      const have = new Set(rec?.frequencies.map((f) => f.datasetId));
      const missing = datasets.filter((d) => !have.has(d.id));
      if (missing.length === 0) continue;
      const t = trimAlleles(q.start0, q.ref, q.alt);
      const site = await this.siteAn(scope, missing, q.contig, t);
      const entries: DatasetFrequencies[] = [];
      const notCovered: DatasetRef[] = [];
      for (const d of missing) {
        const v = Number(d.version);
        const an = site.get(d.id);
        if (an) {
          const e = absentEntry(d, an);
          if (e) entries.push(e);
          continue;
        }
        const full = this.coverage.fullAn(v);
        if (!full) continue; // no declaration: unknown
        const span = coverageSpan(t);
        if (this.coverage.covers(v, q.contig, span.start0, span.end0)) {
          const e = absentEntry(d, full[anClass(q.contig, t.start0, scope.assembly)] ?? []);
          if (e) entries.push(e);
        } else notCovered.push({ datasetId: d.id, source: d.name });
      }
      if (entries.length === 0 && notCovered.length === 0) continue;
      const more = notCovered.length > 0 ? { notCovered } : {};
      out[i] = rec
        ? { ...rec, frequencies: [...rec.frequencies, ...entries], ...more }
        : { assembly: scope.assembly, contig: q.contig, trimmed: t, display: { start0: q.start0, ref: q.ref.toUpperCase(), alt: q.alt.toUpperCase() }, rsids: [], frequencies: entries, ...more };
    }
    return out;
  }

  /**
   * Per dataset, the AN of each group at a site where it called another allele (the largest among
   * those alleles): the position was covered and that many alleles were called there.
   */
  private async siteAn(scope: LookupScope, datasets: DatasetInfo[], contig: string, t: Trimmed): Promise<Map<string, (number | undefined)[]>> {
    const out = new Map<string, (number | undefined)[]>();
    const holding = datasets.filter((d) => d.contigs.includes(contig));
    if (holding.length === 0) return out;
    const r = await this.store.scan({ ...scope, datasetIds: holding.map((d) => d.id) }, { kind: 'range', contig, start0: t.start0, end0: t.start0 + 1 }, { skip: 0, limit: SITE_ROWS });
    for (const rec of r.records) {
      if (rec.trimmed.start0 !== t.start0) continue;
      for (const f of rec.frequencies) {
        const d = holding.find((x) => x.id === f.datasetId);
        if (!d) continue;
        const an = out.get(d.id) ?? d.groups.map(() => undefined);
        d.groups.forEach((g, i) => {
          const n = f.populations.find((p) => p.code === g.code)?.counts.an;
          if (n !== undefined && (an[i] === undefined || n > an[i]!)) an[i] = n;
        });
        out.set(d.id, an);
      }
    }
    return out;
  }
}

/** Open a node's store read-only as its VariantLookup (variants, coverage and genes). */
export function openNodeLookup(dbPath: string): { lookup: NodeLookup; close(): void } {
  // The store with its VRS id index (ids of indels on records, lookups by ga4gh:VA. id).
  const store = new VrsSqliteLookup(openForRead(dbPath));
  store.releaseReplacedVersionsEvery(RELEASE_EVERY_MS);
  const lookup = new NodeLookup(store, openForRead(dbPath));
  return { lookup, close: () => lookup.close() };
}
