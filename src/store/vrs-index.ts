import type Database from 'better-sqlite3';

/**
 * VRS 2.0 allele ids of a dataset version (domain/vrs.ts computes them at ingest): a table of its
 * own beside `variants`, keyed by version like it, so it is published, retired and dropped with
 * the version (writer.ts `sideWrite` and `dropVersion`). It answers two questions: which variants
 * a `ga4gh:VA.` id names (a digest cannot be inverted), and the id of an insertion or deletion
 * (whose normalisation needed the reference at ingest; a substitution's id is computed when it is
 * written, from the variant alone, so only indels are indexed by variant).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS vrs_alleles (
  v INTEGER NOT NULL,
  digest TEXT NOT NULL,
  contig TEXT NOT NULL,
  start0 INTEGER NOT NULL,
  ref TEXT NOT NULL,
  alt TEXT NOT NULL,
  PRIMARY KEY (v, digest, contig, start0, ref, alt)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vrs_alleles_indels ON vrs_alleles (v, contig, start0, ref, alt) WHERE ref = '' OR alt = '';
`;

/** One row: the digest (of `ga4gh:VA.<digest>`) of a variant in trimmed form. */
export interface VrsRow {
  digest: string;
  contig: string;
  start0: number;
  ref: string;
  alt: string;
}

/** Store rows of version `v` (inside the writer's transaction; the table is made on first use). */
export function addVrsRows(db: Database.Database, v: number, rows: readonly VrsRow[]): void {
  if (rows.length === 0) return;
  db.exec(DDL);
  const insert = db.prepare('INSERT OR IGNORE INTO vrs_alleles (v, digest, contig, start0, ref, alt) VALUES (?, ?, ?, ?, ?, ?)');
  for (const r of rows) insert.run(v, r.digest, r.contig, r.start0, r.ref, r.alt);
}

/** Delete version `v`'s rows, `perTransaction` at a time (small transactions keep the WAL small, as the writer's own drop does). */
export function dropVrsRows(db: Database.Database, v: number, perTransaction: number): void {
  if (!hasTable(db)) return;
  const chunk = db.prepare(
    'DELETE FROM vrs_alleles WHERE v = @v AND (digest, contig, start0, ref, alt) IN (SELECT digest, contig, start0, ref, alt FROM vrs_alleles WHERE v = @v LIMIT @n)',
  );
  const step = db.transaction(() => chunk.run({ v, n: perTransaction }).changes);
  while (step.immediate() > 0);
}

function hasTable(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vrs_alleles'`).get() !== undefined;
}

/** Reads of the current versions' ids (a store ingested before this table existed has none: empty answers). */
export class VrsIndexReader {
  private byDigest?: Database.Statement;
  private byVariant?: Database.Statement;

  constructor(private readonly db: Database.Database) {}

  private ready(): boolean {
    if (this.byDigest) return true;
    if (!hasTable(this.db)) return false;
    const current = `SELECT v FROM versions WHERE state = 'current'`;
    this.byDigest = this.db.prepare(`SELECT DISTINCT contig, start0, ref, alt FROM vrs_alleles WHERE v IN (${current}) AND digest = ?`);
    this.byVariant = this.db.prepare(`SELECT digest FROM vrs_alleles WHERE v IN (${current}) AND contig = ? AND start0 = ? AND ref = ? AND alt = ? AND (ref = '' OR alt = '') LIMIT 1`);
    return true;
  }

  /** The variants (trimmed form) a digest names in any current version. */
  variantsOf(digest: string): { contig: string; start0: number; ref: string; alt: string }[] {
    if (!this.ready()) return [];
    return this.byDigest!.all(digest) as { contig: string; start0: number; ref: string; alt: string }[];
  }

  /** The digest of an insertion or deletion (trimmed form), when one was computed at ingest. */
  indelDigest(contig: string, start0: number, ref: string, alt: string): string | undefined {
    if (!this.ready()) return undefined;
    return (this.byVariant!.get(contig, start0, ref, alt) as { digest: string } | undefined)?.digest;
  }
}
