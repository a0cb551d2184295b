/**
 * A lookup kept open across a re-ingest answers from the new version: counts it keeps for whole
 * contigs (bare listings over several datasets) belong to the versions they were made from.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import type { VariantRecord } from '../../src/domain/lookup';
import { tempDir } from '../helpers/fixtures';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const HEADER = [
  '##fileformat=VCFv4.2',
  '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
  '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
];

async function ingest(db: string, dataset: string, body: string[]): Promise<void> {
  const vcf = join(tmp.dir, `${dataset}-${body.length}.vcf`);
  writeFileSync(vcf, [...HEADER, ...body].join('\n') + '\n');
  await ingestVcf({ db, dataset, assembly: 'GRCh38', inputs: [vcf], parseInline: true });
}

const key = (r: VariantRecord) => `${r.contig}:${r.trimmed.start0}:${r.trimmed.ref}:${r.trimmed.alt} ${r.frequencies.map((f) => f.datasetId).join(',')}`;

test('bare listing over two datasets: total and records follow a re-ingest of one of them', async () => {
  const db = join(tmp.dir, 're.db');
  await ingest(db, 'a', ['1\t10\t.\tA\tG\t.\tPASS\tAC=1;AN=10', '1\t20\t.\tC\tT\t.\tPASS\tAC=1;AN=10']);
  await ingest(db, 'b', ['1\t20\t.\tC\tT\t.\tPASS\tAC=2;AN=20']);
  const store = openStoreLookup(db);
  try {
    const scope = { assembly: 'GRCh38' as const };
    const before = await store.lookup.scan(scope, { kind: 'all' }, { skip: 0, limit: 10 });
    expect(before.records.map(key)).toEqual(['1:9:A:G a', '1:19:C:T a,b']);
    expect(before.total).toBe(2);
    expect((await store.lookup.scan(scope, { kind: 'all' }, { skip: 1, limit: 0 })).total).toBe(2);

    await ingest(db, 'b', ['1\t20\t.\tC\tT\t.\tPASS\tAC=2;AN=20', '1\t30\t.\tG\tA\t.\tPASS\tAC=3;AN=20']);
    const after = await store.lookup.scan(scope, { kind: 'all' }, { skip: 0, limit: 0 });
    expect(after.total).toBe(3);
    expect((await store.lookup.scan(scope, { kind: 'all' }, { skip: 1, limit: 5 })).records.map(key)).toEqual(['1:19:C:T a,b', '1:29:G:A b']);
  } finally {
    store.close();
  }
});
