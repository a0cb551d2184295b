import { AfbError } from '../domain/errors';
import { isAlleleBases } from '../domain/alleles';
import { resolveContig, type Contig } from '../domain/contigs';
import { pos1ToStart0 } from '../domain/coordinates';
import type { AlleleQuery } from '../domain/lookup';

/** Why an ALT is not looked up (the summary counts each). */
export type SkipReason = 'symbolic' | 'not_sequence' | 'unknown_contig' | 'contig_not_held';

/** One VCF data line, split only as far as annotation needs (genotype columns stay one string). */
export interface InputRecord {
  lineNo: number;
  /** CHROM, POS, ID, REF, ALT, QUAL, FILTER as written (missing trailing ones as '.'). */
  fixed: string[];
  info: string;
  /** Everything after INFO, with its leading tab ('' when there is nothing). */
  rest: string;
  alts: string[];
  /** Per ALT: the query, or why it is not asked. */
  asks: (AlleleQuery | SkipReason)[];
}

/**
 * A data line read: at least CHROM POS ID REF ALT (a pasted list may stop there; QUAL, FILTER and
 * INFO are then '.'), POS a 1-based integer. A line that is not that names source and line.
 * `held`: contigs some dataset in scope has (undefined: ask every contig).
 */
export function readRecord(line: string, lineNo: number, source: string, held: ReadonlySet<Contig> | undefined): InputRecord {
  const fixed: string[] = [];
  let from = 0;
  let info = '.';
  let rest = '';
  for (let col = 0; col < 8; col++) {
    const tab = line.indexOf('\t', from);
    const end = tab < 0 ? line.length : tab;
    const cell = line.slice(from, end);
    if (col < 7) fixed.push(cell);
    else info = cell === '' ? '.' : cell;
    if (tab < 0) {
      if (col < 4) throw new AfbError('INVALID_VCF', `${source}:${lineNo}: ${col + 1} column${col ? 's' : ''}; a VCF record needs at least CHROM POS ID REF ALT, tab-separated`);
      break;
    }
    from = tab + 1;
    if (col === 7) rest = line.slice(tab);
  }
  while (fixed.length < 7) fixed.push('.');
  const [chrom, pos, , ref, alt] = fixed as [string, string, string, string, string];
  const pos1 = Number(pos);
  if (!/^\d+$/.test(pos) || !Number.isSafeInteger(pos1) || pos1 < 1) throw new AfbError('INVALID_VCF', `${source}:${lineNo}: POS '${pos}' must be a 1-based integer position`);
  const alts = alt.split(',');
  const resolved = resolveContig(chrom);
  const asks = alts.map((a): AlleleQuery | SkipReason => {
    if (a === '.' || a === '*' || a.startsWith('<') || a.includes('[') || a.includes(']')) return 'symbolic';
    if (!isAlleleBases(ref) || !isAlleleBases(a) || ref === '' || a === '') return 'not_sequence';
    if (!resolved) return 'unknown_contig';
    if (held && !held.has(resolved.contig)) return 'contig_not_held';
    return { contig: resolved.contig, start0: pos1ToStart0(pos1), ref, alt: a };
  });
  return { lineNo, fixed, info, rest, alts, asks };
}
