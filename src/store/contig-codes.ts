import type Database from 'better-sqlite3';

const BUILTIN = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), 'X', 'Y', 'MT'];
const FIRST_EXTRA = 100;

/**
 * Contigs are stored as small integers: 1..22, X=23, Y=24, MT=25, others numbered from 100 in
 * the `contig_names` table. One byte instead of a string, and VCF order (1, 2, ..., 10) is key
 * order, so a sorted file appends to the B-tree instead of splitting pages in its middle.
 */
export class ContigCodes {
  private readonly byName = new Map<string, number>();
  private readonly byCode = new Map<number, string>();

  constructor(private readonly db: Database.Database) {
    BUILTIN.forEach((name, i) => this.remember(name, i + 1));
    this.reload();
  }

  private remember(name: string, code: number): void {
    this.byName.set(name, code);
    this.byCode.set(code, name);
  }

  private reload(): void {
    for (const r of this.db.prepare('SELECT id, name FROM contig_names').all() as { id: number; name: string }[]) this.remember(r.name, r.id);
  }

  /** The code of a contig; undefined when the store has never seen it. */
  find(name: string): number | undefined {
    const c = this.byName.get(name);
    if (c !== undefined) return c;
    this.reload();
    return this.byName.get(name);
  }

  /** The code of a contig, numbering a new one (writers only). */
  codeFor(name: string): number {
    const c = this.find(name);
    if (c !== undefined) return c;
    const next = Math.max(FIRST_EXTRA - 1, ...[...this.byCode.keys()].filter((k) => k >= FIRST_EXTRA)) + 1;
    this.db.prepare('INSERT INTO contig_names (id, name) VALUES (?, ?)').run(next, name);
    this.remember(name, next);
    return next;
  }

  nameOf(code: number): string {
    let n = this.byCode.get(code);
    if (n === undefined) {
      this.reload();
      n = this.byCode.get(code);
    }
    return n ?? `#${code}`;
  }
}
