import type { VariantRecord } from '../../src/domain/lookup';
import type { GroupCounts } from '../../src/domain/counts';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { realFile, truthValue, type TruthTable } from './fixtures';

/**
 * Which population and count kind a truth TSV column holds: AC/AN -> Total; AC_<P>/AN_<P> -> P;
 * Hom_<P> -> nhomalt of P; Hom / AC_Hom -> nhomalt of the overall (or, for ExAC, the Adj) group.
 */
export function columnTarget(column: string, homGroup = 'Total'): { population: string; kind: keyof GroupCounts } | undefined {
  if (column === 'AC') return { population: 'Total', kind: 'ac' };
  if (column === 'AN') return { population: 'Total', kind: 'an' };
  if (column === 'Hom' || column === 'AC_Hom') return { population: homGroup, kind: 'nhomalt' };
  let m = /^(AC|AN)_(.+)$/.exec(column);
  if (m) return { population: m[2]!, kind: m[1] === 'AC' ? 'ac' : 'an' };
  m = /^Hom_(.+)$/.exec(column);
  if (m) return { population: m[1]!, kind: 'nhomalt' };
  return undefined;
}

/** Counts of a population in the record's entry for one dataset. */
export function countsOf(record: VariantRecord | undefined, datasetId: string, population: string): GroupCounts | undefined {
  const f = record?.frequencies.find((x) => x.datasetId === datasetId);
  return f?.populations.find((p) => p.code === population)?.counts;
}

/** Every mismatch between truth rows and looked-up records, as readable strings (empty = all equal). */
export function compareWithTruth(
  truth: TruthTable,
  records: (VariantRecord | undefined)[],
  datasetId: string,
  homGroup?: string,
  /** For cells holding a list (pre-split ExAC rows print every original ALT's value): which element is this row's. */
  listIndex?: (row: Record<string, string>) => number | undefined,
): string[] {
  const problems: string[] = [];
  truth.rows.forEach((row, i) => {
    const rec = records[i];
    const where = `${row.CHROM}:${row.POS} ${row.REF}>${row.ALT}`;
    if (!rec) {
      problems.push(`${where}: not found`);
      return;
    }
    for (const col of truth.columns) {
      const target = columnTarget(col, homGroup);
      if (!target) continue;
      let cell = row[col]!;
      if (cell.includes(',')) {
        const k = listIndex?.(row);
        if (k === undefined) {
          problems.push(`${where}: ${col} holds a list '${cell}' and the test cannot tell which element is this ALT's`);
          continue;
        }
        cell = cell.split(',')[k]!;
      }
      const want = truthValue(cell);
      const got = countsOf(rec, datasetId, target.population)?.[target.kind];
      if (got !== want) problems.push(`${where}: ${col} expected ${cell} got ${got}`);
    }
  });
  return problems;
}

/**
 * ExAC ships pre-split records whose Number=A arrays still list every original ALT, with
 * OLD_MULTIALLELIC=1:13404:G/A/T saying which is which; bcftools prints the whole list. Read
 * that key straight from the file to know which element belongs to each row.
 */
export function oldMultiallelicIndex(rel: string): (row: Record<string, string>) => number | undefined {
  const index = new Map<string, number>();
  for (const line of gunzipSync(readFileSync(realFile(rel))).toString('utf8').split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const c = line.split('\t');
    const m = /OLD_MULTIALLELIC=[^;]*:([A-Z/]+)/.exec(c[7]!);
    if (m) index.set(`${c[1]} ${c[3]} ${c[4]}`, m[1]!.split('/').slice(1).indexOf(c[4]!));
  }
  return (row) => index.get(`${row.POS} ${row.REF} ${row.ALT}`);
}

