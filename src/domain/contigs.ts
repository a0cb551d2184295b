import type { Assembly } from './assemblies';

/**
 * Canonical contig names are `1`..`22`, `X`, `Y`, `MT`. Other contigs (decoys, alts,
 * unplaced scaffolds) keep their own name with any `chr` prefix removed.
 */
export type Contig = string;

const NUMBERED = new Set(Array.from({ length: 22 }, (_, i) => String(i + 1)));

// RefSeq accession versions of the primary chromosomes, in order 1..22, X, Y.
const REFSEQ_VERSIONS: Record<Assembly, number[]> = {
  GRCh37: [10, 11, 11, 11, 9, 11, 13, 10, 11, 10, 9, 11, 10, 8, 9, 9, 10, 9, 9, 10, 8, 10, 10, 9],
  GRCh38: [11, 12, 12, 12, 10, 12, 14, 11, 12, 11, 10, 12, 11, 9, 10, 10, 11, 10, 10, 11, 9, 11, 11, 10],
};
const MT_ACCESSION = 'NC_012920.1';
const ORDER = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), 'X', 'Y'];

/** A contig name as written by a user or a VCF, resolved to the canonical name and, for a RefSeq accession, its assembly. */
export interface ResolvedContig {
  contig: Contig;
  /** Set when the name itself pins the assembly (a versioned RefSeq accession). */
  assembly?: Assembly;
}

export function resolveContig(name: string): ResolvedContig | undefined {
  let n = name.trim();
  if (n === '') return undefined;
  n = n.replace(/^refseq:/i, '');
  const acc = /^NC_0000(\d\d)\.(\d+)$/i.exec(n);
  if (acc) {
    const idx = Number(acc[1]) - 1;
    const version = Number(acc[2]);
    const contig = ORDER[idx];
    if (contig === undefined) return undefined;
    for (const asm of ['GRCh37', 'GRCh38'] as Assembly[]) {
      if (REFSEQ_VERSIONS[asm][idx] === version) return { contig, assembly: asm };
    }
    return undefined;
  }
  if (/^NC_012920(\.1)?$/i.test(n)) return { contig: 'MT' };
  const bare = n.replace(/^chr/i, '');
  const upper = bare.toUpperCase();
  if (NUMBERED.has(bare)) return { contig: bare };
  if (upper === 'X' || upper === 'Y') return { contig: upper };
  if (upper === 'M' || upper === 'MT') return { contig: 'MT' };
  if (/^0\d$/.test(bare) && NUMBERED.has(String(Number(bare)))) return { contig: String(Number(bare)) };
  return { contig: bare };
}

/** Canonical contig for a VCF CHROM value (never fails: unknown names are kept without `chr`). */
export function canonicalContig(name: string): Contig {
  return resolveContig(name)?.contig ?? name;
}

/** The RefSeq accession of a primary contig, as used in VRS `sequence_id` (`refseq:NC_000022.10`). */
export function refseqAccession(contig: Contig, assembly: Assembly): string | undefined {
  if (contig === 'MT') return MT_ACCESSION;
  const idx = ORDER.indexOf(contig);
  if (idx < 0) return undefined;
  const v = REFSEQ_VERSIONS[assembly][idx];
  return `NC_0000${String(idx + 1).padStart(2, '0')}.${v}`;
}

/** The canonical primary contigs in order: 1..22, X, Y, MT. */
export const PRIMARY_CONTIGS: readonly Contig[] = [...ORDER, 'MT'];

/** Sort order of canonical contigs: 1..22, X, Y, MT, then others by name. */
export function contigRank(contig: Contig): number {
  const i = ORDER.indexOf(contig);
  if (i >= 0) return i;
  if (contig === 'MT') return ORDER.length;
  return ORDER.length + 1;
}

// Pseudo-autosomal regions as 0-based half-open intervals (GRCh37 and GRCh38 assembly reports).
const PAR: Record<Assembly, Record<'X' | 'Y', [number, number][]>> = {
  GRCh37: {
    X: [[60000, 2699520], [154931043, 155260560]],
    Y: [[10000, 2649520], [59034049, 59363566]],
  },
  GRCh38: {
    X: [[10000, 2781479], [155701382, 156030895]],
    Y: [[10000, 2781479], [56887902, 57217415]],
  },
};

/** How many copies of a contig a sample of the given sex carries at start0 (PAR counts as autosomal). */
export function expectedPloidy(contig: Contig, start0: number, assembly: Assembly, sex: 'XX' | 'XY'): 0 | 1 | 2 {
  if (contig !== 'X' && contig !== 'Y') return 2;
  const par = PAR[assembly][contig].some(([s, e]) => start0 >= s && start0 < e);
  if (par) return 2;
  if (contig === 'X') return sex === 'XX' ? 2 : 1;
  return sex === 'XY' ? 1 : 0;
}
