/**
 * Issue 9, point 5, update gating: a new version of a dataset that differs from the published one
 * by fewer than k individuals would let anyone subtract the two and read those people's
 * genotypes (genome reconstruction from updates). `afb ingest --min-count k` refuses to publish it
 * (exit 1, SMALL_UPDATE, the published version unchanged); `--allow-small-update` publishes it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures';
import { runAfb } from '../helpers/cli';
import { sqlite } from './reliability-ingest-helpers';

const tmp = tempDir();
const DATA = join(__dirname, '..', '..', 'data', '1kg');
const db = join(tmp.dir, 'node.db');
const fi = readFileSync(join(DATA, 'samples-fi.txt'), 'utf8').trim().split('\n');

function samples(name: string, ids: string[]): string {
  const f = join(tmp.dir, name);
  writeFileSync(f, ids.join('\n') + '\n');
  return f;
}

function ingest(list: string, extra: string[] = []) {
  return runAfb(['ingest', '--db', db, '--dataset', 'kg', '--assembly', 'GRCh37', '--panel', join(DATA, '1kg.panel.txt'), '--samples', list, '--min-count', '5', ...extra, join(DATA, '1kg.vcf.gz')]);
}

const published = () => sqlite(db, `SELECT current FROM datasets WHERE id = 'kg'`);

afterAll(() => tmp.cleanup());

test('one sample removed is refused, published data unchanged; --allow-small-update publishes it; five removed is a normal update', () => {
  expect(ingest(samples('all.txt', fi)).status).toBe(0);
  const first = published();

  const refused = ingest(samples('minus-one.txt', fi.slice(1)));
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/SMALL_UPDATE/);
  expect(refused.stderr).toMatch(/1 individual/);
  expect(refused.stderr).toMatch(/--allow-small-update/);
  expect(published()).toBe(first);

  // Two added and one removed: three differ, still fewer than k = 5.
  const swapped = ingest(samples('swap.txt', [...fi.slice(1), ...readFileSync(join(DATA, 'samples-ee.txt'), 'utf8').trim().split('\n').slice(0, 2)]));
  expect(swapped.status).toBe(1);
  expect(swapped.stderr).toMatch(/3 individuals/);
  expect(published()).toBe(first);

  const forced = ingest(samples('minus-one.txt', fi.slice(1)), ['--allow-small-update']);
  expect(forced.status).toBe(0);
  const second = published();
  expect(second).not.toBe(first);

  expect(ingest(samples('minus-five.txt', fi.slice(1, -5))).status).toBe(0);
  expect(published()).not.toBe(second);
});

test('without --min-count (k = 1) every update publishes, as before', () => {
  const other = join(tmp.dir, 'other.db');
  const run = (list: string) => runAfb(['ingest', '--db', other, '--dataset', 'kg', '--assembly', 'GRCh37', '--panel', join(DATA, '1kg.panel.txt'), '--samples', list, join(DATA, '1kg.vcf.gz')]);
  expect(run(samples('all2.txt', fi)).status).toBe(0);
  expect(run(samples('minus-one2.txt', fi.slice(1))).status).toBe(0);
});
