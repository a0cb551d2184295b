import type Database from 'better-sqlite3';
import type { Contig } from '../domain/contigs';

/**
 * Coverage of a dataset version (domain/coverage), in tables of its own keyed by version `v`, so
 * the variants layout knows nothing of it: the callable regions an ingest was given (merged, 0-based
 * half-open) and the AN a fully called site has, per contig class and group (the largest AN the
 * version's own rows show there). Written by the ingest in the loading version before it is
 * published (DatasetWriter.writeExtra) and dropped with the version (dropVersionExtras).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS coverage_versions (
  v INTEGER PRIMARY KEY,
  -- JSON: { "<contig class>": [AN of group i, or null] } (see anClass)
  full_an TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS coverage_regions (
  v INTEGER NOT NULL,
  contig TEXT NOT NULL,
  start0 INTEGER NOT NULL,
  end0 INTEGER NOT NULL,
  PRIMARY KEY (v, contig, start0)
) STRICT, WITHOUT ROWID;
`;

export interface Region {
  contig: Contig;
  start0: number;
  end0: number;
}

/** The callable regions and full ANs of one version. */
export function writeCoverage(db: Database.Database, v: number, regions: readonly Region[], fullAn: Record<string, (number | null)[]>): void {
  db.exec(DDL);
  db.prepare('INSERT OR REPLACE INTO coverage_versions (v, full_an) VALUES (?, ?)').run(v, JSON.stringify(fullAn));
  const insert = db.prepare('INSERT INTO coverage_regions (v, contig, start0, end0) VALUES (?, ?, ?, ?)');
  for (const r of mergeRegions(regions)) insert.run(v, r.contig, r.start0, r.end0);
}

/** A dropped version's coverage rows (no-op on a store that never had any). */
export function dropVersionExtras(db: Database.Database, v: number): void {
  if (!hasTable(db, 'coverage_versions')) return;
  db.prepare('DELETE FROM coverage_regions WHERE v = ?').run(v);
  db.prepare('DELETE FROM coverage_versions WHERE v = ?').run(v);
}

/** Overlapping or touching regions joined, sorted by contig then start. */
export function mergeRegions(regions: readonly Region[]): Region[] {
  const sorted = [...regions].sort((a, b) => (a.contig < b.contig ? -1 : a.contig > b.contig ? 1 : a.start0 - b.start0));
  const out: Region[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.contig === r.contig && r.start0 <= last.end0) last.end0 = Math.max(last.end0, r.end0);
    else out.push({ ...r });
  }
  return out;
}

export function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

/** Reads coverage for the node lookup (its own read-only connection). */
export class CoverageReader {
  private stmt?: { meta: Database.Statement; region: Database.Statement };
  private readonly metaCache = new Map<number, Record<string, (number | null)[]> | null>();

  constructor(private readonly db: Database.Database) {}

  /** The version's full ANs per contig class, or undefined when it was ingested without callable regions. */
  fullAn(v: number): Record<string, (number | null)[]> | undefined {
    const s = this.statements();
    if (!s) return undefined;
    let m = this.metaCache.get(v);
    if (m === undefined) {
      const row = s.meta.get(v) as { full_an: string } | undefined;
      m = row ? (JSON.parse(row.full_an) as Record<string, (number | null)[]>) : null;
      if (this.metaCache.size > 1000) this.metaCache.clear();
      this.metaCache.set(v, m);
    }
    return m ?? undefined;
  }

  /** Is [start0, end0) inside one callable region of the version? */
  covers(v: number, contig: Contig, start0: number, end0: number): boolean {
    const s = this.statements();
    if (!s) return false;
    const row = s.region.get(v, contig, start0) as { end0: number } | undefined;
    return row !== undefined && row.end0 >= end0;
  }

  private statements(): { meta: Database.Statement; region: Database.Statement } | undefined {
    if (this.stmt) return this.stmt;
    // The tables appear with the first ingest given callable regions (perhaps after this reader opened).
    if (!hasTable(this.db, 'coverage_versions')) return undefined;
    this.stmt = {
      meta: this.db.prepare('SELECT full_an FROM coverage_versions WHERE v = ?'),
      region: this.db.prepare('SELECT end0 FROM coverage_regions WHERE v = ? AND contig = ? AND start0 <= ? ORDER BY start0 DESC LIMIT 1'),
    };
    return this.stmt;
  }
}
