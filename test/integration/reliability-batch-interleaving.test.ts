/**
 * Issue 16, defect 6: one 10,000-variant batch must not stall everyone. The batch is read in parts
 * (inside one snapshot of the store) and other requests run between its parts: a recording lookup
 * shows a single lookup, sent while the batch is being read, answered before the batch's last part
 * (an order, not a time: no wall-clock assertion).
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { loadServerConfig } from '../../src/config/server-config';
import { startServer, type RunningServer } from '../../src/server';
import type { AlleleQuery, LookupScope, VariantLookup } from '../../src/domain/lookup';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { BATCH_PART } from '../../src/pipeline/batch';

const tmp = tempDir();
let server: RunningServer;
let closeStore: () => void;
const calls: string[] = [];

/** The store's lookup, recording each findAlleles call as `batch` (many variants) or `single`. */
function recording(inner: VariantLookup): VariantLookup {
  const tag = (queries: readonly AlleleQuery[]) => calls.push(queries.length > 1 ? 'batch' : 'single');
  return {
    describe: () => inner.describe(),
    scan: (s, q, p) => inner.scan(s, q, p),
    findRsid: (s, r) => inner.findRsid(s, r),
    findAlleles: (s: LookupScope, q: readonly AlleleQuery[]) => (tag(q), inner.findAlleles(s, q)),
    snapshot: async () => {
      const snap = await inner.snapshot!();
      return { findAlleles: (s, q) => (tag(q), snap.findAlleles(s, q)), release: () => snap.release() };
    },
  };
}

beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  const store = openStoreLookup(db);
  closeStore = () => store.close();
  const config = { ...loadServerConfig(undefined, {}, {}), port: 0, logLevel: 'silent' as const };
  server = await startServer({ lookup: recording(store.lookup), config, role: 'node', version: 'test' });
});
afterAll(async () => {
  await server.close();
  closeStore();
  tmp.cleanup();
});

test('a single lookup sent during a 10,000-variant batch is answered between the batch\'s parts', async () => {
  const ids = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv').rows.map((r) => `${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`);
  const variants = Array.from({ length: 10_000 }, (_, i) => ids[i % ids.length]);
  const batch = fetch(`${server.url}/api/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variants }) }).then(async (r) => (await r.json()) as { results: unknown[] });
  // Once the batch has started reading, ask for one variant.
  while (!calls.includes('batch')) await new Promise((r) => setImmediate(r));
  const single = await fetch(`${server.url}/api/g_variants/${ids[0]}`);
  expect(single.status).toBe(200);
  expect((await batch).results).toHaveLength(10_000);
  const parts = calls.filter((c) => c === 'batch').length;
  expect(parts).toBe(10_000 / BATCH_PART);
  // The single lookup came before the batch's last part: the batch did not hold the server.
  expect(calls.indexOf('single')).toBeGreaterThan(0);
  expect(calls.indexOf('single')).toBeLessThan(calls.lastIndexOf('batch'));
});
