/** Acceptance 3: with --reference, records are left-aligned and split exactly as `bcftools norm -f -m-` does. */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { pos1ToStart0, start0ToPos1 } from '../../src/domain/coordinates';
import { canonicalContig } from '../../src/domain/contigs';
import { writeFileSync } from 'node:fs';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';
import { findAll, scanRange } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test('leftalign.input.vcf is stored under the keys of leftalign.expected.tsv (bcftools norm -f -m-)', async () => {
  const db = join(tmp.dir, 'la.db');
  const report = await ingestVcf({
    db,
    dataset: 'la',
    assembly: 'GRCh37',
    reference: realFile('reference/chr17.hg19.part.upper.fa'),
    inputs: [realFile('reference/leftalign.input.vcf')],
  });
  const truth = readTruth('reference/leftalign.expected.tsv');
  expect(report.rows).toBe(truth.rows.length);
  expect(report.leftAligned).toBeGreaterThan(0);
  const store = openStoreLookup(db);
  try {
    const { records, total } = await scanRange(
      store.lookup,
      { assembly: 'GRCh37' },
      { kind: 'range', contig: '17', start0: 0, end0: 40000 },
      { skip: 0, limit: 1000 },
    );
    expect(total).toBe(truth.rows.length);
    // Every expected row, as bcftools wrote it (anchored, left-aligned), is a stored variant
    // whose display form is exactly that row.
    const shown = new Set(records.map((r) => `${start0ToPos1(r.display.start0)} ${r.display.ref} ${r.display.alt}`));
    const missing = truth.rows.filter((r) => !shown.has(`${r.POS} ${r.REF} ${r.ALT}`)).map((r) => `${r.ID} ${r.POS} ${r.REF}>${r.ALT}`);
    expect(missing).toEqual([]);
    const found = await findAll(
      store.lookup,
      { assembly: 'GRCh37' },
      truth.rows.map((r) => ({ contig: canonicalContig(r.CHROM!), start0: pos1ToStart0(Number(r.POS)), ref: r.REF!, alt: r.ALT! })),
    );
    expect(found.every((r) => r !== undefined)).toBe(true);
  } finally {
    store.close();
  }
});

test('a REF that does not match the reference stops the ingest (exit != 0) naming file, line and field; --skip-invalid counts it', () => {
  const vcf = join(tmp.dir, 'badref.vcf');
  writeFileSync(vcf, '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr17\t1000\t.\tG\tA\t.\tPASS\t.\nchr17\t1000\t.\tC\tA\t.\tPASS\t.\n');
  const args = ['ingest', '--db', join(tmp.dir, 'badref.db'), '--dataset', 'x', '--assembly', 'GRCh37', '--reference', realFile('reference/chr17.hg19.part.upper.fa'), vcf];
  const failed = runAfb(args);
  expect(failed.status).not.toBe(0);
  expect(failed.stderr).toMatch(/badref\.vcf:3: REF: REF 'G' does not match the reference 'C' at 17:1000/);
  const skipped = runAfb([...args, '--skip-invalid']);
  expect(skipped.status).toBe(0);
  expect(JSON.parse(skipped.stdout)).toMatchObject({ rows: 1, skipped: { ref_mismatch: 1 } });
});
