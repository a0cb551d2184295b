/** Tiny sites VCFs (INFO AC and AN only) ingested by the real ingest, for the store's tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../../src/ingest';
import type { Assembly } from '../../../src/domain/assemblies';

const HEADER = [
  '##fileformat=VCFv4.2',
  '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
  '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
];

let files = 0;

/** Write `lines` (VCF data lines, 1-based POS) under a header into `dir` and ingest them as `dataset` into the store `db`. */
export async function ingestSites(dir: string, db: string, dataset: string, assembly: Assembly, lines: readonly string[]): Promise<void> {
  const vcf = join(dir, `${dataset}-${++files}.vcf`);
  writeFileSync(vcf, [...HEADER, ...lines].join('\n') + '\n');
  await ingestVcf({ db, dataset, assembly, inputs: [vcf], runner: 'inline' });
}
