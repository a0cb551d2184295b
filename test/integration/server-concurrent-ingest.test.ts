/**
 * Node server, acceptance 5: while `afb ingest` (a separate process) replaces a dataset again and
 * again, a concurrent load of lookups sees no error and only whole old or whole new answers:
 * each batch answer equals, as a whole, the answer of one of the two versions.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { readTruth, tempDir } from '../helpers/fixtures';
import { postJson, startNode, type TestNode } from '../helpers/node-server';
import { startAfb } from '../helpers/cli';
import { BATCH_PART } from '../../src/pipeline/batch';

const tmp = tempDir();
const db = join(tmp.dir, 'node.db');
const DATA = join(__dirname, '..', '..', 'data', '1kg');
// 1,500 entries: a batch read in three parts (BATCH_PART) with other requests between them must still be all-old or all-new.
const rows = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv').rows.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
const ids = Array.from({ length: 3 * BATCH_PART }, (_, i) => rows[i % rows.length]!);
let node: TestNode;

function ingestArgs(samples: string, target = db): string[] {
  return ['ingest', '--db', target, '--dataset', 'kg', '--assembly', 'GRCh37', '--panel', join(DATA, '1kg.panel.txt'), '--samples', join(DATA, samples), join(DATA, '1kg.vcf.gz')];
}

/** A batch answer reduced to what must be all-old or all-new: every population's AC/AN of every variant. */
function fingerprint(body: { results: { record?: { frequencyInPopulations: { frequencies: { population: string; alleleCount?: number; alleleNumber?: number }[] }[] } }[] }): string {
  return body.results.map((r) => r.record?.frequencyInPopulations.flatMap((f) => f.frequencies.map((p) => `${p.population}:${p.alleleCount}/${p.alleleNumber}`)).join(',') ?? '-').join(';');
}

beforeAll(async () => {
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: join(DATA, '1kg.panel.txt'), samples: join(DATA, 'samples-fi.txt'), inputs: [join(DATA, '1kg.vcf.gz')] });
  node = await startNode(db);
});
afterAll(async () => {
  await node.close();
  tmp.cleanup();
});

test('lookups during repeated re-ingests: no errors, only whole old-or-new answers', async () => {
  // The two possible answers, each from a store holding just that version.
  const expected = new Set<string>();
  for (const samples of ['samples-fi.txt', 'samples-ee.txt']) {
    const other = join(tmp.dir, `${samples}.db`);
    await ingestVcf({ db: other, dataset: 'kg', assembly: 'GRCh37', panel: join(DATA, '1kg.panel.txt'), samples: join(DATA, samples), inputs: [join(DATA, '1kg.vcf.gz')] });
    const n = await startNode(other);
    expected.add(fingerprint((await postJson(n.api + '/batch', { variants: ids })).body));
    await n.close();
  }
  expect(expected.size).toBe(2);

  let ingesting = true;
  const seen = new Map<string, number>();
  const errors: string[] = [];
  const load = async () => {
    while (ingesting) {
      const res = await postJson(node.api + '/batch', { variants: ids });
      if (res.status !== 200) {
        errors.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        continue;
      }
      const fp = fingerprint(res.body);
      seen.set(fp, (seen.get(fp) ?? 0) + 1);
    }
  };
  const workers = [load(), load(), load(), load()];
  for (const samples of ['samples-ee.txt', 'samples-fi.txt', 'samples-ee.txt', 'samples-fi.txt']) {
    const child = startAfb(ingestArgs(samples));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
  }
  ingesting = false;
  await Promise.all(workers);

  expect(errors).toEqual([]);
  const answers = [...seen.entries()];
  expect(answers.reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(10);
  for (const [fp] of answers) expect(expected.has(fp)).toBe(true);
  // Both versions were actually served during the run.
  expect(answers.length).toBe(2);
}, 120_000);
