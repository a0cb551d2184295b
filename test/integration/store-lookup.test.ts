/**
 * The store read API: lookup by allele in any representation, by rsID and by range (a range
 * inside a 3,380 bp deletion finds it), and a clear error for a contig the store does not hold.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup, type SqliteLookup } from '../../src/store';
import { pos1ToStart0 } from '../../src/domain/coordinates';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';

const tmp = tempDir();
let store: { lookup: SqliteLookup; close(): void };
const scope = { assembly: 'GRCh37' as const };

beforeAll(async () => {
  const db = join(tmp.dir, 'chr22.db');
  await ingestVcf({ db, dataset: 'orig', assembly: 'GRCh37', name: '1000 Genomes phase 1 (chr22 slice)', inputs: [realFile('variantannotation/chr22.vcf.gz')] });
  store = openStoreLookup(db);
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

test('a range query returns every variant overlapping it, including a long deletion that starts before it', async () => {
  const [lo, hi] = [50444000, 50444100];
  // Independent expectation from the bcftools TSV: VCF spans [POS-1, POS-1+len(REF)) overlapping [lo, hi)
  const expected = readTruth('variantannotation/chr22.orig.split.tsv').rows.filter(
    (r) => pos1ToStart0(Number(r.POS)) < hi && pos1ToStart0(Number(r.POS)) + r.REF!.length > lo,
  );
  expect(expected.map((r) => r.POS)).toContain('50443038'); // MERGED_DEL_2_107112, 3,380 bp of REF
  const { total, records } = await store.lookup.scan(scope, { kind: 'range', contig: '22', start0: lo, end0: hi }, { skip: 0, limit: 100 });
  expect(total).toBe(expected.length);
  // The same variants as the truth rows, each looked up by its VCF writing.
  const byAllele = await store.lookup.findAlleles(scope, expected.map((r) => ({ contig: '22', start0: pos1ToStart0(Number(r.POS)), ref: r.REF!, alt: r.ALT! })));
  expect(records.map((r) => r.trimmed)).toEqual(byAllele.records.map((r) => r!.trimmed));
});

test('paging: skip and limit walk the same ordered list', async () => {
  const q = { kind: 'range' as const, contig: '22', start0: 50300000, end0: 50400000 };
  const all = await store.lookup.scan(scope, q, { skip: 0, limit: 10000 });
  const page = await store.lookup.scan(scope, q, { skip: 5, limit: 3 });
  expect(page.total).toBe(all.total);
  expect(page.records.map((r) => r.trimmed)).toEqual(all.records.slice(5, 8).map((r) => r.trimmed));
});

test('rsID lookup returns the variant with its id', async () => {
  const { records: [rec] } = await store.lookup.findRsid(scope, 7410291);
  expect(rec).toMatchObject({ contig: '22', display: { start0: 50300077, ref: 'A', alt: 'G' }, rsids: ['rs7410291'] });
  expect((await store.lookup.findRsid(scope, 1)).records).toEqual([]);
});

test('padded, trimmed and lower-case writings of an indel find the same stored variant', async () => {
  const indel = readTruth('variantannotation/chr22.orig.split.tsv').rows.find((r) => r.REF!.length === 1 && r.ALT!.length > 1)!;
  const start0 = pos1ToStart0(Number(indel.POS));
  const { records: [padded, trimmed, lower] } = await store.lookup.findAlleles(scope, [
    { contig: '22', start0, ref: indel.REF!, alt: indel.ALT! },
    { contig: '22', start0: start0 + 1, ref: '', alt: indel.ALT!.slice(1) },
    { contig: '22', start0, ref: indel.REF!.toLowerCase(), alt: indel.ALT!.toLowerCase() },
  ]);
  expect(padded).toBeDefined();
  expect(trimmed).toEqual(padded);
  expect(lower).toEqual(padded);
  expect(padded!.display).toEqual({ start0, ref: indel.REF, alt: indel.ALT });
});

test('a contig the store does not hold is an error that names what it holds', async () => {
  await expect(store.lookup.findAlleles(scope, [{ contig: '7', start0: 1, ref: 'A', alt: 'G' }])).rejects.toMatchObject({
    code: 'UNKNOWN_CONTIG',
    message: expect.stringMatching(/contig '7' is not in any GRCh37 dataset here; they hold 22/),
  });
});
