import { AfbError } from './errors';

export type Assembly = 'GRCh37' | 'GRCh38';
export const ASSEMBLIES: readonly Assembly[] = ['GRCh37', 'GRCh38'];

const ALIASES: ReadonlyMap<string, Assembly> = new Map(Object.entries({
  grch37: 'GRCh37',
  hg19: 'GRCh37',
  b37: 'GRCh37',
  hs37d5: 'GRCh37',
  'human_g1k_v37': 'GRCh37',
  'homo_sapiens_assembly19': 'GRCh37',
  grch38: 'GRCh38',
  hg38: 'GRCh38',
  b38: 'GRCh38',
  'homo_sapiens_assembly38': 'GRCh38',
}));

/**
 * Canonical assembly for any accepted spelling: GRCh37/hg19/b37, GRCh38/hg38, patch names
 * (`GRCh38.p13`) and NCBI assembly accessions (`GCF_000001405.25` is GRCh37.p13, `.26` and
 * later are GRCh38). Returns undefined for anything else.
 */
export function parseAssembly(text: string): Assembly | undefined {
  const t = text.trim().toLowerCase();
  const gcf = /^gc[af]_000001405\.(\d+)$/.exec(t);
  if (gcf) {
    const v = Number(gcf[1]);
    if (v >= 13 && v <= 25) return 'GRCh37';
    if (v >= 26) return 'GRCh38';
    return undefined;
  }
  const base = t.replace(/\.p\d+$/, '').replace(/\.fa(sta)?(\.gz)?$/, '');
  return ALIASES.get(base);
}

export function requireAssembly(text: string, what = 'assemblyId'): Assembly {
  const a = parseAssembly(text);
  if (!a) {
    throw new AfbError(
      'UNKNOWN_ASSEMBLY',
      `${what} '${text}' is not a known assembly; use GRCh37 (hg19, b37, GCF_000001405.25) or GRCh38 (hg38, GRCh38.p13, GCF_000001405.40)`,
    );
  }
  return a;
}
