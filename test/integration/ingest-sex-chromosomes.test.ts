/**
 * DESIGN §4 sex chromosomes in genotype mode, counted by hand: on non-PAR X, AN = 2*XX + XY and
 * XY alt calls are hemizygous (a diploid-written XY homozygote counts once, an XY heterozygote is
 * not a valid call); on Y only XY count; PAR behaves as an autosome.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { pos1ToStart0 } from '../../src/domain/coordinates';
import { tempDir } from '../helpers/fixtures';
import { countsOf } from '../helpers/store-check';

const tmp = tempDir();

const SEX_VCF = [
  '##fileformat=VCFv4.2',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tF1\tM1\tM2\tM3',
  'X\t100000\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t1/1\t0/0\t0/1', // PAR1 (GRCh37 X:60,001-2,699,520)
  'X\t5000000\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\t1\t1/1\t0/1', // non-PAR
  'Y\t5000000\t.\tG\tA\t.\tPASS\t.\tGT\t0/0\t1\t0\t1', // non-PAR Y
  '',
];
afterAll(() => tmp.cleanup());

test('X non-PAR, X PAR and Y counts honour the panel sex column (GRCh37)', async () => {
  const vcf = join(tmp.dir, 'sex.vcf');
  writeFileSync(vcf, SEX_VCF.join('\n'));
  const panel = join(tmp.dir, 'panel.tsv');
  writeFileSync(panel, 'F1\tEUR\tfemale\nM1\tEUR\tmale\nM2\tAFR\tM\nM3\tAFR\tXY\n');
  const db = join(tmp.dir, 'sex.db');
  const report = await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', panel, inputs: [vcf] });
  expect(report.samples?.hetCallsOnHaploidRegions).toBe(1);
  const store = openStoreLookup(db);
  try {
    const { records: [par, nonPar, y] } = await store.lookup.findAlleles({ assembly: 'GRCh37' }, [
      { contig: 'X', start0: pos1ToStart0(100000), ref: 'A', alt: 'G' },
      { contig: 'X', start0: pos1ToStart0(5000000), ref: 'C', alt: 'T' },
      { contig: 'Y', start0: pos1ToStart0(5000000), ref: 'G', alt: 'A' },
    ]);
    expect(countsOf(par, 'd', 'Total')).toEqual({ ac: 4, an: 8, nhomalt: 1, nhet: 2, nhemi: 0 });
    // F1 0/1 (2 alleles), M1 haploid 1, M2 1/1 written diploid -> one allele, M3 0/1 -> not counted
    expect(countsOf(nonPar, 'd', 'Total')).toEqual({ ac: 3, an: 4, nhomalt: 0, nhet: 1, nhemi: 2 });
    expect(countsOf(nonPar, 'd', 'XY')).toEqual({ ac: 2, an: 2, nhomalt: 0, nhet: 0, nhemi: 2 });
    expect(countsOf(nonPar, 'd', 'XX')).toEqual({ ac: 1, an: 2, nhomalt: 0, nhet: 1, nhemi: 0 });
    expect(countsOf(nonPar, 'd', 'AFR')).toEqual({ ac: 1, an: 1, nhomalt: 0, nhet: 0, nhemi: 1 });
    // Y: the female is not counted at all
    expect(countsOf(y, 'd', 'Total')).toEqual({ ac: 2, an: 3, nhomalt: 0, nhet: 0, nhemi: 2 });
    expect(countsOf(y, 'd', 'XX')).toEqual({ ac: 0, an: 0, nhomalt: 0, nhet: 0, nhemi: 0 });
  } finally {
    store.close();
  }
});

test('a panel whose sex column is written M/F (GoE form) names the sex groups M and F, with the same counts as XY and XX', async () => {
  // The first test's non-PAR X record, the same four samples.
  const vcf = join(tmp.dir, 'goe.vcf');
  writeFileSync(vcf, SEX_VCF.filter((l) => !/^(X\t100000|Y)\t/.test(l)).join('\n'));
  const panel = join(tmp.dir, 'goe-panel.tsv');
  writeFileSync(panel, 'F1\tFI\tF\nM1\tFI\tM\nM2\tFI\tm\nM3\tFI\tM\n');
  const db = join(tmp.dir, 'goe.db');
  await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', panel, inputs: [vcf] });
  const store = openStoreLookup(db);
  try {
    const { records: [nonPar] } = await store.lookup.findAlleles({ assembly: 'GRCh37' }, [{ contig: 'X', start0: pos1ToStart0(5000000), ref: 'C', alt: 'T' }]);
    expect(countsOf(nonPar, 'd', 'M')).toEqual({ ac: 2, an: 2, nhomalt: 0, nhet: 0, nhemi: 2 });
    expect(countsOf(nonPar, 'd', 'F')).toEqual({ ac: 1, an: 2, nhomalt: 0, nhet: 1, nhemi: 0 });
    expect(countsOf(nonPar, 'd', 'XY')).toBeUndefined();
  } finally {
    store.close();
  }
});
