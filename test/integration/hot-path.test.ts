/**
 * The single-lookup hot path (issue 11, acceptance 5) does the work its answer shows, and no less:
 * - FAF95/FAF99 and grpmax (derived at render from the counts after disclosure) are computed for a
 *   record answer and equal the FAF of its counts; a boolean or count answer, which shows no
 *   record, computes none and shows none;
 * - a node describes its store and reads coverage only for a variant some dataset in scope lacks:
 *   a found variant needs no "0 of AN", an absent one in a callable region still gets it.
 * Truth: the bcftools TSV of the real fixture (counts) and domain/faf (checked against gnomAD's
 * published values in test/unit/domain/faf.test.ts).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ingestVcf } from '../../src/ingest';
import { NodeLookup, openNodeLookup } from '../../src/store';
import { CoverageReader } from '../../src/store/coverage-store';
import * as faf from '../../src/domain/faf';
import { createPipeline, type Pipeline } from '../../src/pipeline';
import type { WireRecord } from '../../src/beacon/record';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';

const tmp = tempDir('afb-hot-path-');
let store: ReturnType<typeof openNodeLookup>;
let pipeline: Pipeline;
const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
// A variant with AC >= 2 in a population (a FAF above 0 to compute) and one with no record in the callable region.
const row = truth.rows.find((r) => Number(r.AC_AFR) >= 2 && Number(r.AC_EUR) >= 2)!;
const FOUND = `${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`;
const ABSENT = '2-15100-A-G';

beforeAll(async () => {
  const db = join(tmp.dir, 'kg.db');
  writeFileSync(join(tmp.dir, 'callable.bed'), '2\t10000\t20000\n');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), callable: join(tmp.dir, 'callable.bed'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  store = openNodeLookup(db);
  const describe = () => store.lookup.describe();
  pipeline = createPipeline({ lookup: store.lookup, describe, beaconId: 'hot', role: 'node', sourceReference: 'test', limits: { maxLimit: 100, maxRangeBases: 1e6, defaultGranularity: 'record', maxBatch: 100 } });
}, 60_000);

afterAll(() => {
  store.close();
  tmp.cleanup();
});

afterEach(() => jest.restoreAllMocks());

async function ask(id: string, requestedGranularity?: string): Promise<any> {
  const reply = await pipeline({ endpoint: 'g_variant', method: 'GET', id, query: requestedGranularity ? { requestedGranularity } : {}, headers: { clientIp: '127.0.0.1' } });
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body as string);
}

test('a record answer carries each population FAF of its counts, and grpmax', async () => {
  const spy = jest.spyOn(faf, 'filteringAlleleFrequency');
  const body = await ask(FOUND);
  const rec: WireRecord = body.response.resultSets[0].results[0];
  const pops = rec.frequencyInPopulations[0]!.frequencies;
  for (const code of ['AFR', 'EUR']) {
    const p = pops.find((x) => x.population === code)!;
    expect(p.alleleCount).toBe(Number(row[`AC_${code}`]));
    expect(p.faf95).toBe(Number(faf.filteringAlleleFrequency(Number(row[`AC_${code}`]), Number(row[`AN_${code}`]), 0.95)!.toPrecision(9)));
    expect(p.faf95).toBeGreaterThan(0);
    expect(p.faf99).toBeLessThan(p.faf95!);
  }
  expect(rec.frequencyInPopulations[0]!.grpmax?.population).toBeDefined();
  expect(spy).toHaveBeenCalled();
});

test.each(['boolean', 'count'])('a %s answer computes no FAF and shows none', async (granularity) => {
  const spy = jest.spyOn(faf, 'filteringAlleleFrequency');
  const body = await ask(FOUND, granularity);
  expect(body.responseSummary).toMatchObject({ exists: true });
  expect(JSON.stringify(body)).not.toMatch(/faf95|grpmax/);
  expect(spy).not.toHaveBeenCalled();
});

test('a found variant reads no coverage; an absent one in the callable region is answered "0 of AN"', async () => {
  const describe = jest.spyOn(NodeLookup.prototype as unknown as { datasets(): unknown }, 'datasets');
  const covers = jest.spyOn(CoverageReader.prototype, 'covers');
  const found = await ask(FOUND);
  expect(found.responseSummary).toMatchObject({ exists: true, numTotalResults: 1 });
  expect(found.info.afb.coverage).toBeUndefined();
  expect(describe).not.toHaveBeenCalled();
  expect(covers).not.toHaveBeenCalled();

  const absent = await ask(ABSENT);
  expect(absent.responseSummary).toMatchObject({ exists: false });
  expect(covers).toHaveBeenCalled();
  const entry = absent.info.afb.coverage[0].frequencyInPopulations[0];
  expect(entry.absent).toBe(true);
  expect(entry.frequencies.find((p: { population: string }) => p.population === 'Total')).toMatchObject({ alleleCount: 0 });
  expect(entry.frequencies.find((p: { population: string }) => p.population === 'Total').alleleNumber).toBeGreaterThan(0);
});
