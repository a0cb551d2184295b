/**
 * A lookup kept open across a re-ingest answers from the new version: counts it keeps for whole
 * contigs (bare listings over several datasets) belong to the versions they were made from.
 */
import { join } from 'node:path';
import { openStoreLookup } from '../../src/store';
import type { VariantRecord } from '../../src/domain/lookup';
import { tempDir } from '../helpers/fixtures';
import { ingestSites } from '../unit/store/sites-vcf';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const ingest = (db: string, dataset: string, lines: string[]) => ingestSites(tmp.dir, db, dataset, 'GRCh38', lines);

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
