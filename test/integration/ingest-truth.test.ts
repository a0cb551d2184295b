/**
 * Acceptance 1, 2 and 4 of the ingest issue: stored counts equal the bcftools truth TSVs on
 * every row and group, in both modes, and three disjoint sample subsets add up to the cohort.
 */
import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { pos1ToStart0 } from '../../src/domain/coordinates';
import { canonicalContig } from '../../src/domain/contigs';
import type { VariantRecord } from '../../src/domain/lookup';
import { readTruth, realFile, tempDir, type TruthTable } from '../helpers/fixtures';
import { compareWithTruth, countsOf, oldMultiallelicIndex } from '../helpers/store-check';
import { findAll } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function lookupAll(db: string, truth: TruthTable): Promise<(VariantRecord | undefined)[]> {
  const store = openStoreLookup(db);
  try {
    return await findAll(
      store.lookup,
      { assembly: 'GRCh37' },
      truth.rows.map((r) => ({ contig: canonicalContig(r.CHROM!), start0: pos1ToStart0(Number(r.POS)), ref: r.REF!, alt: r.ALT! })),
    );
  } finally {
    store.close();
  }
}

const GENOTYPE_SETS = [
  { name: 'chr22', dir: 'variantannotation', vcf: 'chr22.vcf.gz', panel: 'chr22.panel.txt', truth: 'chr22.sites.pop.split.tsv', sites: 'chr22.sites.pop.vcf.gz' },
  { name: 'hapmap', dir: 'variantannotation', vcf: 'hapmap_exome_chr22.vcf.gz', panel: 'hapmap_exome_chr22.panel.txt', truth: 'hapmap_exome_chr22.sites.pop.split.tsv', sites: 'hapmap_exome_chr22.sites.pop.vcf.gz' },
  { name: '1kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt', truth: '1kg.sites.pop.split.tsv', sites: '1kg.sites.pop.vcf.gz' },
  { name: '15', dir: 'pysam-1kg-indels', vcf: '15.vcf.gz', panel: '15.panel.txt', truth: '15.sites.pop.split.tsv', sites: '15.sites.pop.vcf.gz' },
];

describe.each(GENOTYPE_SETS)('$name', (set) => {
  const db = join(tmp.dir, `${set.name}.db`);
  const truth = readTruth(`${set.dir}/${set.truth}`);

  test('genotype mode with the panel equals the truth TSV on every row and group', async () => {
    const report = await ingestVcf({ db, dataset: 'gt', assembly: 'GRCh37', panel: realFile(`${set.dir}/${set.panel}`), inputs: [realFile(`${set.dir}/${set.vcf}`)] });
    expect(report.mode).toBe('genotypes');
    expect(report.rows).toBe(truth.rows.length);
    const records = await lookupAll(db, truth);
    expect(compareWithTruth(truth, records, 'gt')).toEqual([]);
  });

  test('sites mode on the derived sites VCF equals the truth TSV, and AC_Hom/2 = nhomalt from genotypes', async () => {
    const report = await ingestVcf({ db, dataset: 'sites', assembly: 'GRCh37', inputs: [realFile(`${set.dir}/${set.sites}`)] });
    expect(report.mode).toBe('sites');
    expect(report.rows).toBe(truth.rows.length);
    const records = await lookupAll(db, truth);
    expect(compareWithTruth(truth, records, 'sites')).toEqual([]);
    // The sites file's AC_Hom (alleles, from bcftools) halved must equal nhomalt counted from GT.
    const mismatches: string[] = [];
    let compared = 0;
    for (const rec of records) {
      for (const p of rec!.frequencies.find((f) => f.datasetId === 'sites')!.populations) {
        const fromGt = countsOf(rec, 'gt', p.code);
        expect(p.counts.nhomalt).toBeDefined();
        compared++;
        if (fromGt?.nhomalt !== p.counts.nhomalt) mismatches.push(`${rec!.contig}:${rec!.trimmed.start0} ${p.code}: ${p.counts.nhomalt} vs ${fromGt?.nhomalt}`);
      }
    }
    expect(compared).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });
});

describe('ExAC and gnomAD r2 sites files', () => {
  test.each([
    { file: 'exac.vcf.gz', truth: 'exac.split.tsv', homGroup: 'Adj', filters: ['AC_Adj0_Filter'] },
    { file: 'gno.vcf.gz', truth: 'gno.split.tsv', homGroup: 'Total', filters: ['AC0', 'RF'] },
  ])('$file equals $truth for every row and population; filters kept', async ({ file, truth: truthFile, homGroup, filters }) => {
    const db = join(tmp.dir, `${file}.db`);
    const truth = readTruth(`vcfanno-exac-gnomad/${truthFile}`);
    const report = await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', inputs: [realFile(`vcfanno-exac-gnomad/${file}`)] });
    expect(report.rows).toBe(truth.rows.length);
    const records = await lookupAll(db, truth);
    expect(compareWithTruth(truth, records, 'd', homGroup, oldMultiallelicIndex(`vcfanno-exac-gnomad/${file}`))).toEqual([]);
    const seen = new Set(records.flatMap((r) => r!.frequencies[0]!.filters));
    for (const f of filters) expect(seen).toContain(f);
  });
});

describe('federation oracle at store level', () => {
  test.each([
    { dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt', truth: '1kg.sites.pop.split.tsv' },
    { dir: 'pysam-1kg-indels', vcf: '15.vcf.gz', panel: '15.panel.txt', truth: '15.sites.pop.split.tsv' },
  ])('three disjoint --samples lists of $vcf sum to the cohort truth', async ({ dir, vcf, panel, truth: truthFile }) => {
    const samples = readFileSync(realFile(`${dir}/${panel}`), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
    const parts = [0, 1, 2].map((k) => samples.filter((_, i) => i % 3 === k));
    const db = join(tmp.dir, `fed-${vcf}.db`);
    for (const [k, part] of parts.entries()) {
      const list = join(tmp.dir, `part-${vcf}-${k}.txt`);
      writeFileSync(list, part.join('\n') + '\n');
      await ingestVcf({ db, dataset: `node${k}`, assembly: 'GRCh37', panel: realFile(`${dir}/${panel}`), samples: list, inputs: [realFile(`${dir}/${vcf}`)] });
    }
    const truth = readTruth(`${dir}/${truthFile}`);
    const records = await lookupAll(db, truth);
    const problems: string[] = [];
    truth.rows.forEach((row, i) => {
      for (const col of truth.columns.slice(4)) {
        const m = /^(AC|AN)(?:_(.+))?$/.exec(col)!;
        const pop = m[2] ?? 'Total';
        const kind = m[1] === 'AC' ? 'ac' : 'an';
        const sum = [0, 1, 2].reduce((s, k) => s + (countsOf(records[i], `node${k}`, pop)?.[kind] ?? 0), 0);
        if (sum !== Number(row[col])) problems.push(`${row.POS} ${col}: ${sum} != ${row[col]}`);
      }
    });
    expect(problems).toEqual([]);
  });
});
