/**
 * VA-Spec CohortAlleleFrequencyStudyResult (issue 13, acceptance 5), over real HTTP: answers asked
 * with requestedSchemas validate against the VA-Spec JSON Schema (test/fixtures/va-spec), and every
 * cohort's counts equal the Beacon record's for the same request; directly (populations and their
 * XX/XY splits as sub-cohorts), through a broker (pooled on top, nodes below) and with small-cell
 * disclosure (withheld cohorts named, never given a number).
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { disclosureFor } from '../../src/pipeline';
import type { AccessPolicy } from '../../src/domain/access';
import type { WireFrequencies, WirePopulation, WireRecord } from '../../src/beacon/record';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, startThreeNodes } from '../helpers/federation';
import { schemaErrors } from '../helpers/beacon-schemas';
import { CAF_ID, cafErrors } from '../helpers/va-spec-schemas';

const tmp = tempDir();
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  tmp.cleanup();
});

const truth = readTruth('pyvcf-1kg/1kg.sites.popsex.split.tsv');
const common = truth.rows.filter((r) => Number(r.AC) >= 30 && Number(r.AC_EUR_XX) > 0 && Number(r.AC_EUR_XY) > 0).slice(0, 6);

interface Caf {
  focusAlleleCount: number;
  locusAlleleCount: number;
  focusAlleleFrequency: number;
  cohort: { id: string; label: string; characteristics?: { name: string; value: string }[] };
  sourceDataSet?: { id: string }[];
  subCohortFrequency?: Caf[];
  extensions?: { name: string; value: { population: string; reason: string; countsWithheld?: string[] }[] }[];
  ancillaryResults?: Record<string, any>;
  focusAllele: unknown;
}

function flatten(c: Caf, out: Caf[] = []): Caf[] {
  out.push(c);
  for (const s of c.subCohortFrequency ?? []) flatten(s, out);
  return out;
}

async function both(api: string, r: Record<string, string>): Promise<{ caf: any; beacon: any }> {
  const requestParameters = { referenceName: r.CHROM, start: [Number(r.POS) - 1], referenceBases: r.REF, alternateBases: r.ALT, assemblyId: 'GRCh37' };
  const query = { requestParameters, requestedGranularity: 'record' };
  const caf = await postJson(`${api}/g_variants`, { meta: { apiVersion: 'v2.0', requestedSchemas: [{ entityType: 'genomicVariant', schema: CAF_ID }] }, query });
  const beacon = await postJson(`${api}/g_variants`, { meta: { apiVersion: 'v2.0' }, query });
  expect(caf.status).toBe(200);
  expect(beacon.status).toBe(200);
  return { caf: caf.body, beacon: beacon.body };
}

/** Every published population of an entry, by `<datasetId>:<population>`. */
function beaconCells(rec: WireRecord): Map<string, WirePopulation> {
  const m = new Map<string, WirePopulation>();
  for (const f of rec.frequencyInPopulations as WireFrequencies[]) for (const p of f.frequencies) m.set(`${f.datasetId}:${p.population}`, p);
  return m;
}

function checkAgainstBeacon(caf: Caf, rec: WireRecord): number {
  const cells = beaconCells(rec);
  let n = 0;
  for (const c of flatten(caf)) {
    const dataset = c.sourceDataSet![0]!.id;
    const population = c.cohort.id === dataset ? 'Total' : c.cohort.id;
    const p = cells.get(`${dataset}:${population}`);
    expect(p).toBeDefined();
    expect([c.focusAlleleCount, c.locusAlleleCount, c.focusAlleleFrequency]).toEqual([p!.alleleCount, p!.alleleNumber, p!.alleleFrequency]);
    if (p!.faf95 !== undefined) expect(c.ancillaryResults?.faf95).toBe(p!.faf95);
    if (p!.alleleCountHomozygous !== undefined) expect(c.ancillaryResults?.homozygotes).toBe(p!.alleleCountHomozygous);
    n++;
  }
  return n;
}

describe('a node', () => {
  let node: TestNode;
  let guarded: TestNode;
  beforeAll(async () => {
    const db = join(tmp.dir, 'kg.db');
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.sex.txt'), inputs: [realFile('pyvcf-1kg/1kg.bgz.vcf.gz')] });
    node = await startNode(db);
    closers.push(() => node.close());
    const policy: AccessPolicy = {
      levels: { anonymous: { granularity: 'record', minCount: 5 }, registered: { granularity: 'record', minCount: 1 }, controlled: { granularity: 'record', minCount: 1 } },
      datasets: {},
    };
    guarded = await startNode(db, {}, disclosureFor(policy));
    closers.push(() => guarded.close());
  }, 60_000);

  test('/api/entry_types declares CAF as an additionally supported schema', async () => {
    const res = await getJson(`${node.api}/entry_types`);
    expect(schemaErrors('entryTypes', res.body)).toEqual([]);
    expect(res.body.response.entryTypes.genomicVariant.additionallySupportedSchemas.map((s: { id: string }) => s.id)).toEqual([CAF_ID]);
  });

  test('CAF answers validate against VA-Spec; every cohort equals the Beacon record; XX/XY nest under their population', async () => {
    let cohorts = 0;
    for (const r of common) {
      const { caf, beacon } = await both(node.api, r);
      expect(caf.meta.returnedSchemas).toEqual([{ entityType: 'genomicVariant', schema: CAF_ID }]);
      const [result] = caf.response.resultSets[0].results as Caf[];
      expect(cafErrors(result)).toEqual([]);
      // The oracle can fail: a count that is not an integer, or a missing required field, is caught.
      expect(cafErrors({ ...result, focusAlleleCount: 1.5 })).not.toEqual([]);
      expect(cafErrors({ ...result, cohort: undefined })).not.toEqual([]);
      cohorts += checkAgainstBeacon(result!, recordsOf(beacon)[0]!);
      // The focus allele is the VRS 2.0 Allele, the same id the Beacon record names.
      const id = recordsOf(beacon)[0]!.identifiers!.variantAlternativeIds!.find((x) => x.id.startsWith('ga4gh:VA.'))!.id;
      expect((result!.focusAllele as { id: string }).id).toBe(id);
      const eur = result!.subCohortFrequency!.find((c) => c.cohort.id === "EUR")!;
      expect(eur.subCohortFrequency!.map((c) => c.cohort.id).sort()).toEqual(['EUR_XX', 'EUR_XY']);
      expect(eur.subCohortFrequency!.find((c) => c.cohort.id === 'EUR_XX')!.focusAlleleCount).toBe(Number(r.AC_EUR_XX));
      expect(result!.subCohortFrequency!.find((c) => c.cohort.id === 'XY')!.focusAlleleCount).toBe(Number(r.AC_XY));
    }
    expect(common).toHaveLength(6);
    expect(cohorts).toBeGreaterThan(6 * 10);
  });

  test('GET requestedSchema works too; boolean answers stay Beacon summaries', async () => {
    const r = common[0]!;
    const res = await getJson(`${node.api}/g_variants?referenceName=${r.CHROM}&start=${Number(r.POS) - 1}&referenceBases=${r.REF}&alternateBases=${r.ALT}&assemblyId=GRCh37&requestedGranularity=record&requestedSchema=${encodeURIComponent(CAF_ID)}`);
    expect(cafErrors(res.body.response.resultSets[0].results[0])).toEqual([]);
    const b = await getJson(`${node.api}/g_variants?referenceName=${r.CHROM}&start=${Number(r.POS) - 1}&referenceBases=${r.REF}&alternateBases=${r.ALT}&assemblyId=GRCh37&requestedGranularity=boolean&requestedSchema=CohortAlleleFrequencyStudyResult`);
    expect(b.body.responseSummary.exists).toBe(true);
    expect(b.body.meta.returnedSchemas[0].schema).toBe('ga4gh-beacon-variant-v2.0.0');
  });

  test('under k = 5, withheld cohorts are named with what is withheld, never given a count; the rest equals the Beacon record', async () => {
    let withheldSeen = 0;
    let shown = 0;
    for (const r of truth.rows.filter((x) => Number(x.AC) >= 1).slice(0, 40)) {
      const { caf, beacon } = await both(guarded.api, r);
      const rec = recordsOf(beacon)[0]!;
      const set = caf.response.resultSets[0];
      const [result] = set.results as Caf[];
      if (!result) {
        // The whole entry is withheld: no CAF, and the set says why.
        expect(set.info.afb.cafNotShown[0].variantInternalId).toBe(rec.variantInternalId);
        expect(rec.frequencyInPopulationsWithheld ?? rec.frequencyInPopulations[0]!.populationsWithheld).toBeDefined();
        withheldSeen++;
        continue;
      }
      expect(cafErrors(result)).toEqual([]);
      checkAgainstBeacon(result, rec);
      const named = flatten(result).flatMap((c) => (c.extensions ?? []).flatMap((e) => e.value));
      for (const w of named.filter((x) => x.reason === 'withheld')) {
        expect(w.countsWithheld).toContain('alleleCount');
        withheldSeen++;
      }
      shown++;
    }
    expect(withheldSeen).toBeGreaterThan(0);
    expect(shown).toBeGreaterThan(0);
  });
});

describe('through a broker', () => {
  test('the pooled result is the top cohort, each node a sub-cohort; all equal the broker\'s Beacon record', async () => {
    const nodes = await startThreeNodes(tmp.dir, [{ id: 'kg3', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt' }]);
    for (const n of nodes) closers.push(() => n.close());
    const broker = await startBroker('b', nodes.map((n, k) => peer(`n${k}`, n.api)));
    closers.push(() => broker.close());
    for (const r of common.slice(0, 3)) {
      const { caf, beacon } = await both(broker.api, r);
      const [result] = caf.response.resultSets[0].results as Caf[];
      expect(cafErrors(result)).toEqual([]);
      expect(result!.sourceDataSet![0]!.id).toBe('pooled');
      expect(result!.ancillaryResults!.contributors).toHaveLength(3);
      const nodeCohorts = result!.subCohortFrequency!.filter((c) => c.sourceDataSet![0]!.id !== 'pooled' && c.cohort.id === c.sourceDataSet![0]!.id);
      expect(nodeCohorts).toHaveLength(3);
      expect(nodeCohorts.reduce((s, c) => s + c.focusAlleleCount, 0)).toBe(result!.focusAlleleCount);
      checkAgainstBeacon(result!, recordsOf(beacon)[0]!);
    }
  }, 120_000);
});
