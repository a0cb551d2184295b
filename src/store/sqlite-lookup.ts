import type Database from 'better-sqlite3';
import { AfbError } from '../domain/errors';
import { anchoredForm, trimAlleles, type Trimmed } from '../domain/alleles';
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
  RsidResult,
  ScanQuery,
  ScanResult,
  VariantLookup,
  VariantRecord,
} from '../domain/lookup';
import { contigRank, type Contig } from '../domain/contigs';
import { parseRsid } from '../domain/variant-id';
import { decodeCounts } from './codec';
import { openForRead } from './open';
import { openSnapshot } from './snapshot';
import { ContigCodes } from './contig-codes';
import type { VersionMeta } from './version-meta';
import { isAfSlots } from './slots';
import { compareKeys, planRange, Scanner, WHOLE_CONTIG, type ScanPlan, type StoredRow } from './scan';
import { rowColumns, variantsTable } from './version-table';
import { bytesToDigest, digestToBytes, vrsKey } from './vrs-column';
import { VRS_ALLELE_PREFIX, vrsAllele } from '../domain/vrs';
import { basename } from 'node:path';
import { AttachedFiles, versionFilePath } from './version-file';

interface CurrentVersion {
  v: number;
  meta: VersionMeta & { createdAt?: string };
  isAf: boolean[];
  /** Point and rsID reads of this version's table (prepared once; forgotten with the version). */
  point: Database.Statement;
  rsid: Database.Statement;
  vrs: Database.Statement;
}

/** The current versions name a file this connection has not attached (see SqliteLookup.read). */
class FilesToAttach extends Error {
  constructor(readonly wanted: number[]) {
    super('the current versions need files attached');
  }
}

/** How often a long-lived reader looks for replaced versions to let go of (their files' disk space). */
export const RELEASE_EVERY_MS = 5000;

/** How often a read starts again because the current version's file was replaced meanwhile. */
const ATTACH_ATTEMPTS = 5;

/**
 * VariantLookup over the SQLite store. Every call runs in one read transaction, so it sees one
 * snapshot: a concurrent re-ingest shows as all-old or all-new, never a mix. A version whose rows
 * are in a file of their own (version-file.ts) is read through that file, attached outside the
 * transaction when a read finds it current.
 */
export class SqliteLookup implements VariantLookup {
  private readonly versionCache = new Map<number, CurrentVersion>();
  private readonly contigCodes: ContigCodes;
  private readonly scanner: Scanner;
  private readonly stmt: Record<'current' | 'meta' | 'dataVersion', Database.Statement>;
  /** The current versions as last read, and the store's data_version then (see currentVersions). */
  private last: { dataVersion: number; current: CurrentVersion[] } | undefined;
  /** One read transaction around `fn`, made once: better-sqlite3's db.transaction() builds a wrapper (~5 % of a lookup when made per call). */
  private readonly inTransaction: (fn: () => unknown) => unknown;
  private readonly files: AttachedFiles;
  private releaseTimer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database.Database) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.contigCodes = new ContigCodes(db);
    this.scanner = new Scanner(db);
    this.files = new AttachedFiles(db, db.name);
    this.stmt = {
      current: db.prepare('SELECT d.id, d.current, v.in_file FROM datasets AS d JOIN versions AS v ON v.v = d.current ORDER BY d.id'),
      meta: db.prepare('SELECT meta, created_at FROM versions WHERE v = ?'),
      dataVersion: db.prepare('PRAGMA main.data_version').pluck(),
    };
  }

  async describe(): Promise<LookupDescription> {
    return this.read(() => ({ datasets: this.currentVersions().map((c) => datasetInfo(c)) }));
  }

  async findAlleles(scope: LookupScope, queries: readonly AlleleQuery[]): Promise<AllelesResult> {
    return this.read(() => {
      const versions = this.inScope(scope);
      // Checked in the order asked, so the first bad query is the one named.
      const keys = queries.map((q) => {
        this.requireContig(versions, q.contig, scope);
        return { contig: q.contig, code: this.contigCodes.find(q.contig) ?? 0, t: trimAlleles(q.start0, q.ref, q.alt) };
      });
      // Probed in key order: a version's table lies in the file in key order, so a big batch reads
      // its pages front to back (which the OS reads ahead) instead of at random.
      const order = keys.map((_, i) => i);
      if (keys.length > 1) order.sort((a, b) => keys[a]!.code - keys[b]!.code || keys[a]!.t.start0 - keys[b]!.t.start0);
      const records: (VariantRecord | undefined)[] = new Array(keys.length);
      for (const i of order) {
        const { contig, code, t } = keys[i]!;
        const rows: StoredRow[] = [];
        for (const cv of versions) {
          const row = cv.point.get(code, t.start0, t.ref, t.alt) as StoredRow | undefined;
          if (row) rows.push(row);
        }
        records[i] = rows.length > 0 ? this.record(scope, versions, contig, rows) : undefined;
      }
      return { records, datasetsRead: versions.map((c) => c.meta.datasetId) };
    });
  }

  async scan(scope: LookupScope, query: ScanQuery, page: Page): Promise<ScanResult> {
    // Genes are resolved to a range by the node lookup around this one (node-lookup.ts).
    if (query.kind === 'gene') throw new AfbError('UNKNOWN_GENE', 'geneId: this store reader has no gene table (open it with openNodeLookup)');
    return this.read(() => {
      const versions = this.inScope(scope);
      let contigs: Contig[];
      if (query.kind === 'all') contigs = contigsOf(versions);
      else {
        this.requireContig(versions, query.contig, scope);
        if (query.kind === 'range' && query.end0 <= query.start0) {
          throw new AfbError('INVALID_PARAMETER', `range [${query.start0}, ${query.end0}) is empty: start0 must be less than end0 (0-based, end exclusive)`);
        }
        contigs = [query.contig];
      }
      let total = 0;
      let skip = page.skip;
      const records: VariantRecord[] = [];
      const after = page.after;
      if (after && skip !== 0) throw new AfbError('INVALID_PARAMETER', 'a keyset cursor (after) reads from its key: skip must be 0 with it');
      for (const contig of contigs) {
        const code = this.contigCodes.find(contig);
        const holding = versions.filter((c) => c.meta.contigs[contig]);
        if (code === undefined || holding.length === 0) continue;
        const vs = holding.map((c) => c.v);
        const held = holding.map((c) => c.meta.contigs[contig]!);
        const plan: ScanPlan = query.kind === 'all' ? { window: WHOLE_CONTIG } : planRange(query, Math.max(...held.map((h) => h.maxSpan)));
        // A whole contig of one version: the row count its metadata keeps is exact.
        const knownRows = query.kind === 'all' && held.length === 1 ? held[0]!.rows : undefined;
        const n = this.scanner.count(vs, code, plan, knownRows);
        total += n;
        if (after && compareContigs(contig, after.contig) !== 0) {
          // A keyset cursor: contigs before its contig are passed over whole, those after read from their start.
          if (compareContigs(contig, after.contig) < 0) continue;
        } else if (after) {
          const want = page.limit - records.length;
          if (want <= 0) continue;
          const from = { start0: after.start0, ref: after.ref, alt: after.alt };
          for (const r of this.scanner.read(vs, code, plan, 0, want, from)) records.push(this.record(scope, versions, contig, r));
          continue;
        }
        if (skip >= n) {
          skip -= n;
          continue;
        }
        const want = page.limit - records.length;
        if (want <= 0) continue;
        for (const rows of this.scanner.read(vs, code, plan, skip, want)) records.push(this.record(scope, versions, contig, rows));
        skip = 0;
      }
      return { total, records };
    });
  }

  async findRsid(scope: LookupScope, rsid: number): Promise<RsidResult> {
    return this.read(() => this.byIndex(scope, (cv) => cv.rsid.all(rsid) as StoredRow[]));
  }

  /** The variants a VRS allele digest (of `ga4gh:VA.<digest>`) names in the scope's versions. */
  async findVrsDigest(scope: LookupScope, digest: string): Promise<RsidResult> {
    const bytes = digestToBytes(digest);
    const key = vrsKey(bytes);
    // The key narrows the search to (almost always) the one variant; the whole digest decides:
    // an indel's is stored, a substitution's computed again.
    const named = (cv: CurrentVersion, r: StoredRow): boolean =>
      r.ref === '' || r.alt === '' ? r.vrs !== null && r.vrs.equals(bytes) : vrsAllele(cv.meta.assembly, this.contigCodes.nameOf(r.contig), r.start0, r.ref, r.alt)?.digest === digest;
    // Every version's row of each variant found, also of versions ingested without ids.
    return this.read(() => this.byIndex(scope, (cv) => (cv.vrs.all(key) as StoredRow[]).filter((r) => named(cv, r)), true));
  }

  /**
   * The variants whose rows `rowsOf` finds in the versions' tables, in key order, each with the
   * rows found (or, with `everyVersion`, its row of every version in scope).
   */
  private byIndex(scope: LookupScope, rowsOf: (cv: CurrentVersion) => StoredRow[], everyVersion = false): RsidResult {
    const versions = this.inScope(scope);
    const byKey = new Map<string, StoredRow[]>();
    for (const r of versions.flatMap(rowsOf)) {
      const k = `${r.contig}\t${r.start0}\t${r.ref}\t${r.alt}`;
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }
    const named = [...byKey.values()].map((found) => {
      const k = found[0]!;
      const rows = everyVersion ? versions.map((cv) => cv.point.get(k.contig, k.start0, k.ref, k.alt) as StoredRow | undefined).filter((r) => r !== undefined) : found;
      return { contig: this.contigCodes.nameOf(k.contig), rows };
    });
    return { records: named
      .sort((a, b) => compareContigs(a.contig, b.contig) || compareKeys(a.rows[0]!, b.rows[0]!))
      .map(({ contig, rows }) => this.record(scope, versions, contig, rows.sort((a, b) => versionOrder(versions, a) - versionOrder(versions, b)))) };
  }

  /** One version of the data for several calls (a batch read in parts); see snapshot.ts. */
  async snapshot(): Promise<LookupSnapshot> {
    return openSnapshot(this.db.name, (db) => {
      const lookup = new SqliteLookup(db);
      lookup.beginSnapshot();
      return lookup;
    });
  }

  /**
   * Open the read transaction a snapshot holds, with the files of the versions current in it
   * attached: they are attached outside a transaction first, and the transaction is begun again
   * if a re-ingest published meanwhile.
   */
  private beginSnapshot(): void {
    for (let attempt = 1; ; attempt++) {
      this.read(() => this.currentVersions());
      this.db.exec('BEGIN');
      try {
        // A deferred transaction takes its snapshot at its first read: this one.
        this.currentVersions();
        return;
      } catch (e) {
        this.db.exec('COMMIT');
        if (e instanceof AfbError) throw e;
        if (!(e instanceof FilesToAttach)) throw new AfbError('STORE_ERROR', `reading the store: ${(e as Error).message}`, { cause: e });
        if (attempt === ATTACH_ATTEMPTS) throw new AfbError('STORE_ERROR', `reading the store: the current versions changed ${attempt} times while a snapshot was being opened`);
      }
    }
  }

  close(): void {
    if (this.releaseTimer) clearInterval(this.releaseTimer);
    this.db.close();
  }

  /**
   * For a long-lived reader (a server): every `ms`, let go of the files of versions replaced since
   * its last read, so an idle server does not keep a removed version's disk space (as large as
   * the version) until its next request. A read of the small `datasets` table; never inside a
   * transaction (a snapshot's connection is its own).
   */
  releaseReplacedVersionsEvery(ms: number): void {
    if (this.releaseTimer) clearInterval(this.releaseTimer);
    this.releaseTimer = setInterval(() => {
      if (this.db.open && !this.db.inTransaction) {
        try {
          this.read(() => this.currentVersions());
        } catch {
          // the next request reports it
        }
      }
    }, ms);
    this.releaseTimer.unref();
  }

  private read<T>(fn: () => T): T {
    let attach: number[] | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        if (attach) this.files.sync(attach);
        return this.inTransaction(fn) as T;
      } catch (e) {
        if (e instanceof AfbError) throw e;
        if (e instanceof FilesToAttach && !this.db.inTransaction && attempt < ATTACH_ATTEMPTS) {
          attach = e.wanted;
          continue;
        }
        const why =
          e instanceof FilesToAttach
            ? `cannot open the files of the current versions (${e.wanted.map((v) => basename(versionFilePath(this.db.name, v))).join(', ')}, beside the store), tried ${attempt} times; ` +
              `a store is its file and these, named after it: copy, move or rename them together`
            : (e as Error).message;
        throw new AfbError('STORE_ERROR', `reading the store: ${why}`, { cause: e });
      }
    }
  }

  /** The current version of every dataset, ordered by dataset id; versions no longer current are forgotten. */
  private currentVersions(): CurrentVersion[] {
    // SQLite's data_version changes when another connection (an ingest) has committed to the
    // store file since this connection last looked: unchanged, what is current is as last read.
    // (~15 % of a single lookup's store time when read every time.)
    const dataVersion = this.stmt.dataVersion.get() as number;
    if (this.last?.dataVersion === dataVersion) return this.last.current;
    const rows = this.stmt.current.all() as { id: string; current: number; in_file: number }[];
    const inFiles = rows.filter((r) => r.in_file === 1).map((r) => r.current);
    // A file to attach, or one to let go of (a replaced version's: its disk space comes back when no connection has it open).
    if (inFiles.length !== this.files.size || inFiles.some((v) => !this.files.has(v))) throw new FilesToAttach(inFiles);
    const current = rows.map(({ current }) => {
      let cv = this.versionCache.get(current);
      if (!cv) {
        const r = this.stmt.meta.get(current) as { meta: string; created_at: string } | undefined;
        if (!r) throw new AfbError('STORE_ERROR', `store is inconsistent: version ${current} has no metadata`);
        const meta = JSON.parse(r.meta) as CurrentVersion['meta'];
        meta.createdAt = r.created_at;
        const table = variantsTable(current);
        cv = {
          v: current,
          meta,
          isAf: isAfSlots(meta.slots),
          point: this.db.prepare(`SELECT ${rowColumns(current)} FROM ${table} WHERE contig = ? AND start0 = ? AND ref = ? AND alt = ?`),
          rsid: this.db.prepare(`SELECT ${rowColumns(current)} FROM ${table} WHERE rsid = ?`),
          vrs: this.db.prepare(`SELECT ${rowColumns(current)} FROM ${table} WHERE vrs_key = ?`),
        };
        this.versionCache.set(current, cv);
      }
      return cv;
    });
    if (this.versionCache.size > current.length) {
      const live = new Set(current.map((c) => c.v));
      for (const v of this.versionCache.keys()) if (!live.has(v)) this.versionCache.delete(v);
      this.scanner.keepOnly(live);
    }
    this.last = { dataVersion, current };
    return current;
  }

  /**
   * The versions a scope reads. An unknown dataset id is refused here only defensively: the
   * request pipeline checks datasetIds against describe() first, and a lookup must not answer
   * "not found" for a dataset it does not have.
   */
  private inScope(scope: LookupScope): CurrentVersion[] {
    const all = this.currentVersions();
    const ids = scope.datasetIds && scope.datasetIds.length > 0 ? new Set(scope.datasetIds) : undefined;
    if (ids) {
      const unknown = [...ids].filter((id) => !all.some((c) => c.meta.datasetId === id));
      if (unknown.length > 0) {
        throw new AfbError('INVALID_PARAMETER', `datasetIds: unknown dataset(s) ${unknown.join(', ')}; this node has ${all.map((c) => c.meta.datasetId).join(', ') || 'no datasets'}`);
      }
    }
    return all.filter((c) => c.meta.assembly === scope.assembly && (!ids || ids.has(c.meta.datasetId)));
  }

  private requireContig(versions: CurrentVersion[], contig: string, scope: LookupScope): void {
    if (versions.length === 0) return;
    if (versions.some((c) => c.meta.contigs[contig])) return;
    throw new AfbError(
      'UNKNOWN_CONTIG',
      `referenceName: contig '${contig}' is not in any ${scope.assembly} dataset here; they hold ${contigsOf(versions).join(', ') || 'no variants'}`,
    );
  }

  /** One variant: `rows` are its rows, at most one per version, in the versions' order. */
  private record(scope: LookupScope, versions: CurrentVersion[], contig: Contig, rows: StoredRow[]): VariantRecord {
    const first = rows[0]!;
    const trimmed: Trimmed = { start0: first.start0, ref: first.ref, alt: first.alt };
    const anchor = rows.find((r) => r.anchor)?.anchor ?? undefined;
    const rsids = new Set<string>();
    const frequencies: DatasetFrequencies[] = [];
    for (const r of rows) {
      const cv = versions.find((c) => c.v === r.v)!;
      if (r.rsid !== null) rsids.add(`rs${r.rsid}`);
      if (r.other_ids) {
        for (const id of r.other_ids.split(/[;,]/)) {
          const n = parseRsid(id);
          if (n !== undefined) rsids.add(`rs${n}`);
        }
      }
      frequencies.push(datasetFrequencies(cv, r));
    }
    // An insertion's or deletion's id needed the reference at ingest, so it is read from the row;
    // a substitution's is computed from the variant alone when it is rendered (beacon/record.ts).
    const vrs = trimmed.ref === '' || trimmed.alt === '' ? rows.find((r) => r.vrs)?.vrs : undefined;
    return {
      assembly: scope.assembly,
      contig,
      trimmed,
      display: anchoredForm(trimmed, anchor),
      rsids: [...rsids],
      frequencies,
      ...(vrs ? { vrsId: `${VRS_ALLELE_PREFIX}${bytesToDigest(vrs)}` } : {}),
    };
  }
}

function versionOrder(versions: CurrentVersion[], r: StoredRow): number {
  return versions.findIndex((c) => c.v === r.v);
}

/** The contigs the versions hold, in contigRank order (then by name). */
function contigsOf(versions: CurrentVersion[]): Contig[] {
  return [...new Set(versions.flatMap((c) => Object.keys(c.meta.contigs)))].sort(compareContigs);
}

function compareContigs(a: Contig, b: Contig): number {
  return contigRank(a) - contigRank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function datasetFrequencies(cv: CurrentVersion, r: StoredRow): DatasetFrequencies {
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
  const m = cv.meta;
  return {
    id: m.datasetId,
    name: m.name,
    assembly: m.assembly,
    mode: m.mode,
    groups: m.groups,
    contigs: Object.keys(m.contigs).sort(compareContigs),
    variantCount: m.variantCount,
    version: String(cv.v),
    createdAt: m.createdAt ?? '',
    description: m.description,
  };
}

/** Open a store file read-only as a VariantLookup. */
export function openStoreLookup(dbPath: string): { lookup: SqliteLookup; close(): void } {
  const lookup = new SqliteLookup(openForRead(dbPath));
  lookup.releaseReplacedVersionsEvery(RELEASE_EVERY_MS);
  return { lookup, close: () => lookup.close() };
}
