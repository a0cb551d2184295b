import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { trimAlleles } from '../../src/domain/alleles';
import { readTruth } from './fixtures';

/** One ALT of an annotated file: where it is and the values afb wrote for it ('.' = missing). */
export interface AnnotatedAllele {
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  values: Map<string, string>;
}

/** The data lines of a VCF file (plain or gzip), without header lines. */
export function dataLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

export function readVcfText(path: string): string {
  const b = readFileSync(path);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
}

/** Each ALT of an annotated VCF, its Number=A INFO values split by ALT index. */
export function allelesOfVcf(text: string): AnnotatedAllele[] {
  return dataLines(text).flatMap((line) => {
    const c = line.split('\t');
    const alts = c[4]!.split(',');
    const info = new Map(c[7]!.split(';').map((kv) => [kv.split('=', 1)[0]!, kv.slice(kv.indexOf('=') + 1)] as const));
    return alts.map((alt, i) => ({
      chrom: c[0]!,
      pos: Number(c[1]),
      ref: c[3]!,
      alt,
      values: new Map([...info].filter(([k]) => k.startsWith('AFB_') && k !== 'AFB_missing').map(([k, v]) => [k, v.split(',')[i] ?? '?'])),
    }));
  });
}

/** Each row of an annotated TSV (one per ALT). */
export function allelesOfTsv(text: string): AnnotatedAllele[] {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('##'));
  const head = lines[0]!.replace(/^#/, '').split('\t');
  return lines.slice(1).map((l) => {
    const c = l.split('\t');
    return { chrom: c[0]!, pos: Number(c[1]), ref: c[3]!, alt: c[4]!, values: new Map(head.slice(5).map((h, i) => [h, c[5 + i]!])) };
  });
}

function key(chrom: string, pos1: number, ref: string, alt: string): string {
  const t = trimAlleles(pos1 - 1, ref, alt);
  return `${chrom}:${t.start0}:${t.ref}:${t.alt}`;
}

/**
 * Every difference between afb's pooled AC and AN (per population) and a bcftools truth TSV
 * (columns AC AN AC_<POP> AN_<POP>), matched by variant; and the number of cells compared, so a
 * test can check it compared everything. A truth row afb did not annotate is a difference.
 */
export function compareWithTruth(alleles: AnnotatedAllele[], truthRel: string): { problems: string[]; cells: number; rows: number; perRow: number } {
  const truth = readTruth(truthRel);
  const byKey = new Map<string, Record<string, string>>();
  for (const r of truth.rows) byKey.set(key(r.CHROM!, Number(r.POS), r.REF!, r.ALT!), r);
  const problems: string[] = [];
  let cells = 0;
  const seen = new Set<string>();
  for (const a of alleles) {
    const k = key(a.chrom, a.pos, a.ref, a.alt);
    const row = byKey.get(k);
    if (!row) continue;
    seen.add(k);
    for (const col of truth.columns.slice(4)) {
      const m = /^(AC|AN)(?:_(.+))?$/.exec(col);
      if (!m) continue;
      const field = `AFB_${m[1]}${m[2] ? `_${m[2]}` : ''}`;
      const got = a.values.get(field) ?? '.';
      cells++;
      if (got !== row[col]) problems.push(`${a.chrom}:${a.pos} ${a.ref}>${a.alt} ${field}: afb ${got}, bcftools ${row[col]}`);
    }
  }
  for (const [k] of byKey) if (!seen.has(k)) problems.push(`${k}: in the truth, not annotated`);
  const perRow = truth.columns.slice(4).filter((c) => /^(AC|AN)(_|$)/.test(c)).length;
  return { problems: problems.slice(0, 20), cells, rows: seen.size, perRow };
}

/**
 * Every way an annotated VCF differs from its input besides the added INFO fields: a record
 * lost, added or moved, a column changed, an input INFO field dropped.
 */
export function layoutProblems(input: string, output: string): string[] {
  const a = dataLines(input);
  const b = dataLines(output);
  const problems: string[] = [];
  if (a.length !== b.length) problems.push(`${a.length} input records, ${b.length} output records`);
  for (let i = 0; i < Math.min(a.length, b.length) && problems.length < 10; i++) {
    const x = a[i]!.split('\t');
    const y = b[i]!.split('\t');
    const same = x.length === y.length && x.every((v, j) => j === 7 || v === y[j]);
    const infoKept = x[7] === '.' || y[7] === x[7] || y[7]!.startsWith(`${x[7]};`);
    if (!same || !infoKept) problems.push(`record ${i + 1}: ${a[i]!.slice(0, 60)} became ${b[i]!.slice(0, 60)}`);
  }
  return problems;
}
