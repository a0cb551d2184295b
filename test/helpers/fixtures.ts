import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REAL = join(__dirname, '..', 'fixtures', 'real');

export function realFile(rel: string): string {
  return join(REAL, rel);
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'afb-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TruthTable {
  columns: string[];
  rows: Record<string, string>[];
}

/** A bcftools truth TSV (first line is the header). */
export function readTruth(rel: string): TruthTable {
  const lines = readFileSync(realFile(rel), 'utf8').split('\n').filter((l) => l.length > 0);
  const columns = lines[0]!.replace(/^#/, '').split('\t');
  const rows = lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]!]));
  });
  return { columns, rows };
}

/** '.' in a truth TSV means missing. */
export function truthValue(cell: string | undefined): number | undefined {
  if (cell === undefined || cell === '.') return undefined;
  return Number(cell);
}
