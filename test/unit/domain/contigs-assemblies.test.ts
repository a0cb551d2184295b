import { canonicalContig, expectedPloidy, refseqAccession, resolveContig } from '../../../src/domain/contigs';
import { parseAssembly } from '../../../src/domain/assemblies';
import { defaultGroupLabel } from '../../../src/domain/groups';
import { canonicalPopulation } from '../../../src/domain/populations';

test.each([
  ['22', '22'], ['chr22', '22'], ['CHR22', '22'], ['chrX', 'X'], ['x', 'X'], ['chrM', 'MT'], ['M', 'MT'], ['MT', 'MT'],
  ['GL000192.1', 'GL000192.1'], ['chrUn_gl000220', 'Un_gl000220'],
])('contig %s -> %s', (name, canonical) => {
  expect(canonicalContig(name)).toBe(canonical);
});

test('RefSeq accessions pin the assembly, and map back', () => {
  expect(resolveContig('NC_000022.10')).toEqual({ contig: '22', assembly: 'GRCh37' });
  expect(resolveContig('refseq:NC_000022.11')).toEqual({ contig: '22', assembly: 'GRCh38' });
  expect(resolveContig('NC_000023.11')).toEqual({ contig: 'X', assembly: 'GRCh38' });
  expect(resolveContig('NC_000022.99')).toBeUndefined();
  expect(refseqAccession('22', 'GRCh37')).toBe('NC_000022.10');
  expect(refseqAccession('1', 'GRCh38')).toBe('NC_000001.11');
  expect(refseqAccession('MT', 'GRCh38')).toBe('NC_012920.1');
  for (const asm of ['GRCh37', 'GRCh38'] as const) {
    for (const c of [...Array.from({ length: 22 }, (_, i) => String(i + 1)), 'X', 'Y']) {
      expect(resolveContig(refseqAccession(c, asm)!)).toEqual({ contig: c, assembly: asm });
    }
  }
});

test.each([
  ['GRCh37', 'GRCh37'], ['hg19', 'GRCh37'], ['b37', 'GRCh37'], ['GRCh37.p13', 'GRCh37'], ['GCF_000001405.25', 'GRCh37'],
  ['GRCh38', 'GRCh38'], ['hg38', 'GRCh38'], ['GRCh38.p13', 'GRCh38'], ['GCF_000001405.39', 'GRCh38'], ['grch38', 'GRCh38'],
])('assembly %s -> %s', (text, canonical) => {
  expect(parseAssembly(text)).toBe(canonical);
});

test('unknown assemblies are undefined', () => {
  expect(parseAssembly('hg18')).toBeUndefined();
  expect(parseAssembly('GRCh36')).toBeUndefined();
});

test('ploidy on sex chromosomes: PAR behaves as autosome (GRCh37 PAR1 ends at X:2,699,520)', () => {
  expect(expectedPloidy('X', 2699519, 'GRCh37', 'XY')).toBe(2); // last PAR1 base (1-based 2,699,520)
  expect(expectedPloidy('X', 2699520, 'GRCh37', 'XY')).toBe(1);
  expect(expectedPloidy('X', 2699520, 'GRCh37', 'XX')).toBe(2);
  expect(expectedPloidy('Y', 5000000, 'GRCh38', 'XX')).toBe(0);
  expect(expectedPloidy('Y', 5000000, 'GRCh38', 'XY')).toBe(1);
  expect(expectedPloidy('22', 100, 'GRCh38', 'XY')).toBe(2);
});

test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('names of Object.prototype members are not assemblies, labels or population codes: %s', (name) => {
  expect(parseAssembly(name)).toBeUndefined();
  expect(defaultGroupLabel(name)).toBe(name);
  expect(defaultGroupLabel(`${name}_XX`)).toBe(name.includes('_') ? `${name}_XX` : `${name}, XX`);
  expect(canonicalPopulation(name)).toBeUndefined();
});
