import type Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';
import { anchoredForm, trimAlleles, trimmedEnd0, variantType, type Trimmed } from '../domain/alleles';
import type { GroupCounts } from '../domain/counts';
import type {
  AlleleQuery,
  DatasetFrequencies,
  DatasetInfo,
  LookupDescription,
  LookupScope,
  LookupSnapshot,
  AllelesResult,
  Page,
  RangeQuery,
  RsidResult,
  ScanQuery,
  ScanResult,
  VariantLookup,
  VariantRecord,
} from '../domain/lookup';
import { contigRank } from '../domain/contigs';
import { decodeCounts } from './codec';
import { openForRead } from './open';
import { openSnapshot } from './snapshot';
import { ContigCodes } from './contig-codes';
import type { VersionMeta } from './version-meta';

interface RowData {
  v: number;
  /** Contig name (the store holds a code; rows are renamed as they are read). */
  contig: string;
  start0: number;
  ref: string;
  alt: string;
  anchor: string | null;
  rsid: number | null;
  other_ids: string | null;
  filter: number;
  counts: Buffer;
}

interface CurrentVersion {
  v: number;
  meta: VersionMeta;
  isAf: boolean[];
}

/**
 * VariantLookup over the SQLite store. Every call runs in one read transaction, so it sees one
 * snapshot: a concurrent re-ingest shows as all-old or all-new, never a mix.
 */
export class SqliteLookup implements VariantLookup {
  private readonly metaCache = new Map<number, CurrentVersion>();
  private readonly contigCodes: ContigCodes;
  private readonly stmt: Record<'current' | 'meta' | 'point' | 'range' | 'rsid', Database.Statement>;

  constructor(private readonly db: Database.Database) {
    this.contigCodes = new ContigCodes(db);
    this.stmt = {
      current: db.prepare('SELECT id, current FROM datasets ORDER BY id'),
      meta: db.prepare('SELECT meta, created_at FROM versions WHERE v = ?'),
      point: db.prepare('SELECT * FROM variants WHERE v = ? AND contig = ? AND start0 = ? AND ref = ? AND alt = ?'),
      range: db.prepare('SELECT * FROM variants WHERE v = ? AND contig = ? AND start0 >= ? AND start0 < ? ORDER BY start0, ref, alt'),
      rsid: db.prepare('SELECT * FROM variants WHERE rsid = ?'),
    };
  }

  async describe(): Promise<LookupDescription> {
    return this.read(() => ({ datasets: this.currentVersions().map((c) => datasetInfo(c)) }));
  }

  async findAlleles(scope: LookupScope, queries: readonly AlleleQuery[]): Promise<AllelesResult> {
    return this.read(() => {
      const versions = this.inScope(scope);
      return { records: queries.map((q) => {
        this.requireContig(versions, q.contig, scope);
        const t = trimAlleles(q.start0, q.ref, q.alt);
        const code = this.contigCodes.find(q.contig);
        const rows: RowData[] = [];
        for (const cv of versions) {
          const row = this.stmt.point.get(cv.v, code, t.start0, t.ref, t.alt) as RowData | undefined;
          if (row) rows.push(this.named(row));
        }
        return rows.length > 0 ? this.record(scope, versions, rows) : undefined;
      }) };
    });
  }

  // TEMPORARY adapter to the scan port (replaced by keyset scans).
  async scan(scope: LookupScope, query: ScanQuery, page: Page): Promise<ScanResult> {
    if (query.kind !== 'all') return this.findRange(scope, query, page);
    const datasets = (await this.describe()).datasets.filter((d) => d.assembly === scope.assembly && (!scope.datasetIds || scope.datasetIds.includes(d.id)));
    const contigs = [...new Set(datasets.flatMap((d) => d.contigs))].sort((a, b) => contigRank(a) - contigRank(b) || cmp(a, b));
    let total = 0;
    const records: VariantRecord[] = [];
    let skip = page.skip;
    for (const contig of contigs) {
      const r = await this.findRange(scope, { kind: 'range', contig, start0: 0, end0: 1e12 }, { skip, limit: page.limit - records.length });
      total += r.total;
      records.push(...r.records);
      skip = Math.max(0, skip - r.total);
    }
    return { total, records };
  }

  async findRange(scope: LookupScope, query: RangeQuery, page: Page): Promise<ScanResult> {
    return this.read(() => {
      const versions = this.inScope(scope);
      this.requireContig(versions, query.contig, scope);
      const [lo, hi] = query.kind === 'range' ? [query.start0, query.end0] : [query.startMin0, query.startMax0 + 1];
      const byKey = new Map<string, RowData[]>();
      for (const cv of versions) {
        const maxSpan = cv.meta.contigs[query.contig]?.maxSpan ?? 0;
        if (maxSpan === 0) continue;
        // A row's key start0 may lie up to maxSpan to the left of the range it reaches into,
        // and an insertion's anchor base sits one to the left of its key.
        const code = this.contigCodes.find(query.contig);
        const rows = this.stmt.range.all(cv.v, code, lo - maxSpan, hi + 1) as RowData[];
        for (const raw of rows) {
          const r = this.named(raw);
          if (!matches(r, query)) continue;
          const k = `${r.start0}\t${r.ref}\t${r.alt}`;
          const list = byKey.get(k);
          if (list) list.push(r);
          else byKey.set(k, [r]);
        }
      }
      const keys = [...byKey.entries()].sort(([, a], [, b]) => a[0]!.start0 - b[0]!.start0 || cmp(a[0]!.ref, b[0]!.ref) || cmp(a[0]!.alt, b[0]!.alt));
      const pageKeys = keys.slice(page.skip, page.skip + page.limit);
      return { total: keys.length, records: pageKeys.map(([, rows]) => this.record(scope, versions, rows)) };
    });
  }

  async findRsid(scope: LookupScope, rsid: number): Promise<RsidResult> {
    return this.read(() => {
      const versions = this.inScope(scope);
      const wanted = new Set(versions.map((c) => c.v));
      const rows = (this.stmt.rsid.all(rsid) as RowData[]).filter((r) => wanted.has(r.v)).map((r) => this.named(r));
      const byKey = new Map<string, RowData[]>();
      for (const r of rows) {
        const k = `${r.contig}\t${r.start0}\t${r.ref}\t${r.alt}`;
        byKey.set(k, [...(byKey.get(k) ?? []), r]);
      }
      return { records: [...byKey.values()]
        .sort((a, b) => contigRank(a[0]!.contig) - contigRank(b[0]!.contig) || a[0]!.start0 - b[0]!.start0)
        .map((rs) => this.record(scope, versions, rs)) };
    });
  }

  /** One version of the data for several calls (a batch read in parts); see snapshot.ts. */
  async snapshot(): Promise<LookupSnapshot> {
    return openSnapshot(this.db.name, (db) => new SqliteLookup(db));
  }

  close(): void {
    this.db.close();
  }

  private named(r: RowData): RowData {
    r.contig = this.contigCodes.nameOf(r.contig as unknown as number);
    return r;
  }

  private read<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (e) {
      if (e instanceof AfbError) throw e;
      throw new AfbError('STORE_ERROR', `reading the store: ${(e as Error).message}`, { cause: e });
    }
  }

  private currentVersions(): CurrentVersion[] {
    const rows = this.stmt.current.all() as { id: string; current: number }[];
    return rows.map(({ current }) => {
      let cv = this.metaCache.get(current);
      if (!cv) {
        const r = this.stmt.meta.get(current) as { meta: string; created_at: string } | undefined;
        if (!r) throw new AfbError('STORE_ERROR', `store is inconsistent: version ${current} has no metadata`);
        const meta = JSON.parse(r.meta) as VersionMeta & { createdAt?: string };
        meta.createdAt = r.created_at;
        cv = { v: current, meta, isAf: meta.slots.map((s) => s.kind === 'af') };
        this.metaCache.set(current, cv);
      }
      return cv;
    });
  }

  private inScope(scope: LookupScope): CurrentVersion[] {
    const all = this.currentVersions();
    const ofAssembly = all.filter((c) => c.meta.assembly === scope.assembly);
    if (scope.datasetIds && scope.datasetIds.length > 0) {
      const ids = new Set(scope.datasetIds);
      const unknown = scope.datasetIds.filter((id) => !all.some((c) => c.meta.datasetId === id));
      if (unknown.length > 0) {
        throw new AfbError('INVALID_PARAMETER', `datasetIds: unknown dataset(s) ${unknown.join(', ')}; this node has ${all.map((c) => c.meta.datasetId).join(', ') || 'no datasets'}`);
      }
      return ofAssembly.filter((c) => ids.has(c.meta.datasetId));
    }
    return ofAssembly;
  }

  private requireContig(versions: CurrentVersion[], contig: string, scope: LookupScope): void {
    if (versions.length === 0) return;
    if (versions.some((c) => c.meta.contigs[contig])) return;
    const held = [...new Set(versions.flatMap((c) => Object.keys(c.meta.contigs)))].sort((a, b) => contigRank(a) - contigRank(b) || cmp(a, b));
    throw new AfbError(
      'UNKNOWN_CONTIG',
      `referenceName: contig '${contig}' is not in any ${scope.assembly} dataset here; they hold ${held.join(', ') || 'no variants'}`,
    );
  }

  private record(scope: LookupScope, versions: CurrentVersion[], rows: RowData[]): VariantRecord {
    const first = rows[0]!;
    const trimmed: Trimmed = { start0: first.start0, ref: first.ref, alt: first.alt };
    const anchor = rows.find((r) => r.anchor)?.anchor ?? undefined;
    const rsids = new Set<string>();
    const frequencies: DatasetFrequencies[] = [];
    for (const r of rows) {
      const cv = versions.find((c) => c.v === r.v)!;
      if (r.rsid !== null) rsids.add(`rs${r.rsid}`);
      if (r.other_ids) for (const id of r.other_ids.split(/[;,]/)) if (/^rs\d+$/.test(id)) rsids.add(id);
      frequencies.push(datasetFrequencies(cv, r));
    }
    return {
      assembly: scope.assembly,
      contig: first.contig,
      trimmed,
      display: anchoredForm(trimmed, anchor),
      rsids: [...rsids],
      frequencies,
    };
  }
}

function datasetFrequencies(cv: CurrentVersion, r: RowData): DatasetFrequencies {
  const values = decodeCounts(r.counts, cv.isAf);
  const counts: GroupCounts[] = cv.meta.groups.map(() => ({}));
  cv.meta.slots.forEach((s, i) => {
    const v = values[i];
    if (v !== undefined) counts[s.group]![s.kind] = v;
  });
  return {
    datasetId: cv.meta.datasetId,
    source: cv.meta.name,
    version: String(cv.v),
    filters: (cv.meta.filters[r.filter] ?? '.').split(';'),
    populations: cv.meta.groups.map((g, i) => ({ code: g.code, label: g.label, canonical: g.canonical, counts: counts[i]! })),
  };
}

function datasetInfo(cv: CurrentVersion): DatasetInfo {
  const m = cv.meta as VersionMeta & { createdAt?: string };
  return {
    id: m.datasetId,
    name: m.name,
    assembly: m.assembly,
    mode: m.mode,
    groups: m.groups,
    contigs: Object.keys(m.contigs).sort((a, b) => contigRank(a) - contigRank(b) || cmp(a, b)),
    variantCount: m.variantCount,
    version: String(cv.v),
    createdAt: m.createdAt ?? '',
    description: m.description,
  };
}

/** Display span [start0, end0) of a stored row: the anchored form, at least one base wide. */
function displaySpan(r: RowData): [number, number] {
  const t = { start0: r.start0, ref: r.ref, alt: r.alt };
  const a = anchoredForm(t, r.anchor ?? undefined);
  return [a.start0, Math.max(a.start0 + a.ref.length, a.start0 + 1, trimmedEnd0(t))];
}

function matches(r: RowData, q: RangeQuery): boolean {
  const [s, e] = displaySpan(r);
  if (q.kind === 'range') {
    if (!(s < q.end0 && e > q.start0)) return false;
  } else if (!(s >= q.startMin0 && s <= q.startMax0 && e >= q.endMin0 && e <= q.endMax0)) return false;
  const t = { start0: r.start0, ref: r.ref, alt: r.alt };
  if (q.alt !== undefined) {
    // A range query names only the alternate allele: accept it trimmed or VCF-padded.
    const qa = q.alt.toUpperCase();
    if (qa !== r.alt && qa !== anchoredForm(t, r.anchor ?? undefined).alt) return false;
  }
  if (q.variantType !== undefined && !typeMatches(q.variantType, t)) return false;
  const len = Math.max(r.ref.length, r.alt.length);
  if (q.minLength !== undefined && len < q.minLength) return false;
  if (q.maxLength !== undefined && len > q.maxLength) return false;
  return true;
}

function typeMatches(wanted: string, t: Trimmed): boolean {
  const w = wanted.toUpperCase();
  const actual = variantType(t);
  if (w === 'SNV') return actual === 'SNP';
  if (w === 'INDEL') return actual === 'INS' || actual === 'DEL' || actual === 'INDEL';
  return w === actual;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Open a store file read-only as a VariantLookup. */
export function openStoreLookup(dbPath: string): { lookup: SqliteLookup; close(): void } {
  const lookup = new SqliteLookup(openForRead(dbPath));
  return { lookup, close: () => lookup.close() };
}
