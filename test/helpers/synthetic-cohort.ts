/**
 * A small deterministic cohort for the disclosure tests: samples in many panel groups (some of
 * them smaller than k), with a sex, and sites that are mostly rare (1–6 carriers), some common,
 * some multi-allelic, some on X outside PAR1 (haploid XY calls, hemizygous counts). It can be
 * written as a genotype VCF + panel (`sample<TAB>group<TAB>sex`) or counted here directly, the way
 * genotype-mode ingest counts (src/vcf/genotype-counter.ts), as domain populations.
 */
import { writeFileSync } from 'node:fs';
import type { PopulationCounts } from '../../src/domain/lookup';

export interface Sample {
  id: string;
  group: string;
  sex: 'XX' | 'XY';
}

export interface Site {
  contig: string;
  pos1: number;
  ref: string;
  alts: string[];
  /** Per sample: allele indexes (0 = REF, -1 = missing); one allele for a haploid call. */
  calls: number[][];
}

export { rng } from './prng';

export function makeSamples(rand: () => number, groups: number, sizes: (g: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let g = 0; g < groups; g++) {
    const name = `P${String(g + 1).padStart(2, '0')}`;
    const n = sizes(g);
    for (let i = 0; i < n; i++) out.push({ id: `${name}_${i}`, group: name, sex: rand() < 0.5 ? 'XX' : 'XY' });
  }
  return out;
}

const BASES = ['A', 'C', 'G', 'T'];

/** One site: `carriers` alt alleles spread over random samples (a few homozygous), a few missing calls. */
export function makeSite(rand: () => number, samples: Sample[], contig: string, pos1: number, carriers: number[], missing = 0.02): Site {
  const ref = BASES[Math.floor(rand() * 4)]!;
  const alts = carriers.map((_, i) => BASES.filter((b) => b !== ref)[i % 3]!);
  const haploid = (s: Sample) => contig === 'X' && s.sex === 'XY';
  const calls = samples.map((s) => (rand() < missing ? (haploid(s) ? [-1] : [-1, -1]) : haploid(s) ? [0] : [0, 0]));
  carriers.forEach((count, a) => {
    for (let placed = 0; placed < count; ) {
      const i = Math.floor(rand() * samples.length);
      const c = calls[i]!;
      const slot = c.findIndex((x) => x === 0);
      if (slot < 0) continue;
      c[slot] = a + 1;
      placed++;
      // Now and then the other allele too: a homozygote.
      if (c.length === 2 && placed < count && rand() < 0.3 && c[1 - slot] === 0) {
        c[1 - slot] = a + 1;
        placed++;
      }
    }
  });
  return { contig, pos1, ref, alts, calls };
}

/** Group keys as genotype-mode ingest makes them: Total, the panel groups (sorted), XX, XY. */
export function groupsOf(samples: Sample[]): string[] {
  return ['Total', ...[...new Set(samples.map((s) => s.group))].sort(), 'XX', 'XY'];
}

/** Counts per group for ALT `a` (1-based) of a site, as genotype-mode ingest counts them. */
export function countSite(samples: Sample[], site: Site, a: number): PopulationCounts[] {
  const sexChrom = site.contig === 'X';
  return groupsOf(samples).map((code) => {
    const members = samples.map((s, i) => [s, i] as const).filter(([s]) => code === 'Total' || s.group === code || s.sex === code);
    let ac = 0, an = 0, hom = 0, het = 0, hemi = 0;
    for (const [, i] of members) {
      const c = site.calls[i]!;
      an += c.filter((x) => x >= 0).length;
      ac += c.filter((x) => x === a).length;
      if (c.length === 1 && c[0] === a && sexChrom) hemi++;
      if (c.length === 2 && c[0]! >= 0 && c[1]! >= 0) {
        if (c[0] === a && c[1] === a) hom++;
        else if (c[0] !== c[1] && (c[0] === a || c[1] === a)) het++;
      }
    }
    const counts = { ac, an, nhomalt: hom, nhet: het, ...(sexChrom ? { nhemi: hemi } : {}) };
    return { code, label: code, counts };
  });
}

/** The cohort as a VCF (GT only) and a panel with a sex column. */
export function writeCohort(vcf: string, panel: string, samples: Sample[], sites: Site[]): void {
  const lines = ['##fileformat=VCFv4.2', '##contig=<ID=1,length=249250621>', '##contig=<ID=X,length=155270560>', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">'];
  lines.push(['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...samples.map((s) => s.id)].join('\t'));
  for (const s of sites) {
    const gts = s.calls.map((c) => c.map((x) => (x < 0 ? '.' : String(x))).join('/'));
    lines.push([s.contig, s.pos1, '.', s.ref, s.alts.join(','), '.', 'PASS', '.', 'GT', ...gts].join('\t'));
  }
  writeFileSync(vcf, lines.join('\n') + '\n');
  writeFileSync(panel, samples.map((s) => `${s.id}\t${s.group}\t${s.sex}`).join('\n') + '\n');
}
