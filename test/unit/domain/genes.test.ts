import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GeneIndex, geneKey, parseGeneLine } from '../../../src/domain/genes';
import { readGeneFile } from '../../../src/config/gene-file';
import { isAfbError } from '../../../src/domain/errors';
import { tempDir } from '../../helpers/fixtures';

const GTF = join(__dirname, '..', '..', 'fixtures', 'genes', 'gencode-v19.gtf');

test('GENCODE GTF: only the gene record is read, as a 0-based half-open span with the unversioned id', () => {
  const genes = readFileSync(GTF, 'utf8').split('\n').map(parseGeneLine).filter((g) => g !== undefined);
  expect(genes).toEqual([{ id: 'ENSG00000223972', name: 'DDX11L1', contig: '1', start0: 11868, end0: 14412 }]);
});

test('GFF3 gene records (Ensembl ID=gene:… / Name=…, percent-encoded values) read the same way', () => {
  // Written here after the GFF3 spec and Ensembl's GFF3 layout (columns 1-9; ID, Name, gene_id attributes).
  const ensembl = '1\tensembl_havana\tgene\t11869\t14409\t.\t+\t.\tID=gene:ENSG00000223972;Name=DDX11L1;biotype=transcribed_unprocessed_pseudogene;gene_id=ENSG00000223972;version=5';
  expect(parseGeneLine(ensembl)).toEqual({ id: 'ENSG00000223972', name: 'DDX11L1', contig: '1', start0: 11868, end0: 14409 });
  const gencode = 'chrX\tHAVANA\tgene\t100\t200\t.\t-\t.\tID=ENSG00000000003.15;gene_id=ENSG00000000003.15;gene_name=TSPAN6%2Cx';
  expect(parseGeneLine(gencode)).toEqual({ id: 'ENSG00000000003', name: 'TSPAN6,x', contig: 'X', start0: 99, end0: 200 });
  expect(parseGeneLine('1\tensembl\texon\t1\t2\t.\t+\t.\tParent=transcript:ENST1')).toBeUndefined();
});

test('bad gene lines say what is wrong', () => {
  expect(() => parseGeneLine('1\tx\tgene\t10')).toThrow(/9 tab-separated columns/);
  expect(() => parseGeneLine('\tx\tgene\t1\t2\t.\t+\t.\tgene_id "G"')).toThrow(/not a contig name/);
  expect(() => parseGeneLine('1\tx\tgene\t20\t10\t.\t+\t.\tgene_id "G"')).toThrow(/1-based inclusive span/);
  expect(() => parseGeneLine('1\tx\tgene\t1\t10\t.\t+\t.\tgene_name "G"')).toThrow(/without gene_id/);
});

test('GeneIndex finds a gene by symbol or Ensembl id, any case, with or without version', () => {
  const idx = new GeneIndex([{ id: 'ENSG00000139618', name: 'BRCA2', contig: '13', start0: 1, end0: 2 }]);
  for (const k of ['BRCA2', 'brca2', 'ENSG00000139618', 'ensg00000139618.17']) expect(idx.find(k)?.name).toBe('BRCA2');
  expect(idx.find('BRCA1')).toBeUndefined();
  expect(geneKey(' ENSG00000139618.17 ')).toBe('ENSG00000139618');
});

test('a gene file with a bad line or without genes is refused naming file and line', async () => {
  const tmp = tempDir();
  try {
    const bad = join(tmp.dir, 'bad.gtf');
    writeFileSync(bad, `${readFileSync(GTF, 'utf8').split('\n').slice(0, 6).join('\n')}\n1\tx\tgene\tTEN\t20\t.\t+\t.\tgene_id "G"\n`);
    await expect(readGeneFile(bad)).rejects.toThrow(/bad\.gtf:7: start 'TEN'/);
    const none = join(tmp.dir, 'none.gtf');
    writeFileSync(none, '# nothing\n');
    const e = await readGeneFile(none).catch((x: unknown) => x);
    expect(isAfbError(e) && e.code).toBe('INVALID_OPTION');
  } finally {
    tmp.cleanup();
  }
});
