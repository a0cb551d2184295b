import type Database from 'better-sqlite3';
import type { Assembly } from '../domain/assemblies';
import { geneKey, type GeneSpan } from '../domain/genes';
import { hasTable } from './coverage-store';

/**
 * A node's gene table (Beacon geneId), one per assembly, in a table of its own: loaded once per
 * node by `afb genes`, replaced whole in one transaction (readers see the old or the new table).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS genes (
  assembly TEXT NOT NULL,
  id_key TEXT NOT NULL,
  name_key TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  contig TEXT NOT NULL,
  start0 INTEGER NOT NULL,
  end0 INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS genes_by_id ON genes (assembly, id_key);
CREATE INDEX IF NOT EXISTS genes_by_name ON genes (assembly, name_key);
`;

export function writeGenes(db: Database.Database, assembly: Assembly, genes: readonly GeneSpan[]): void {
  db.transaction(() => {
    db.exec(DDL);
    db.prepare('DELETE FROM genes WHERE assembly = ?').run(assembly);
    const insert = db.prepare('INSERT INTO genes (assembly, id_key, name_key, id, name, contig, start0, end0) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const g of genes) insert.run(assembly, geneKey(g.id), geneKey(g.name), g.id, g.name, g.contig, g.start0, g.end0);
  }).immediate();
}

/** Looks genes up for the node lookup; `undefined` from find() when the store has no gene table for the assembly. */
export class GeneReader {
  private stmt?: { byId: Database.Statement; byName: Database.Statement; any: Database.Statement };

  constructor(private readonly db: Database.Database) {}

  /** The gene, `null` when the table lacks it, undefined when there is no table for the assembly. */
  find(assembly: Assembly, geneId: string): GeneSpan | null | undefined {
    const s = this.statements();
    if (!s || s.any.get(assembly) === undefined) return undefined;
    const k = geneKey(geneId);
    const row = (s.byId.get(assembly, k) ?? s.byName.get(assembly, k)) as GeneSpan | undefined;
    return row ? { id: row.id, name: row.name, contig: row.contig, start0: row.start0, end0: row.end0 } : null;
  }

  private statements() {
    if (this.stmt) return this.stmt;
    if (!hasTable(this.db, 'genes')) return undefined;
    const cols = 'id, name, contig, start0, end0';
    this.stmt = {
      byId: this.db.prepare(`SELECT ${cols} FROM genes WHERE assembly = ? AND id_key = ? ORDER BY rowid LIMIT 1`),
      byName: this.db.prepare(`SELECT ${cols} FROM genes WHERE assembly = ? AND name_key = ? ORDER BY rowid LIMIT 1`),
      any: this.db.prepare('SELECT 1 FROM genes WHERE assembly = ? LIMIT 1'),
    };
    return this.stmt;
  }
}
