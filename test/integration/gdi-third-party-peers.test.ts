import { getJson } from '../helpers/node-server';
import { peer, startBroker, type TestBroker } from '../helpers/federation';
import { miniNodeReadme, piApiDocs, riToolsDocs, startMiniNode, startPiApi, type FakePeer, type MiniNodeDataset } from '../helpers/gdi-peers';
import { responseErrors } from '../helpers/beacon-schemas';

/**
 * Acceptance (issue 10): a broker whose peers answer exactly like beacon2-pi-api, beacon2-ri-tools-v2
 * (served by a pi-api) and gdi-mini-node, with their shipped example data. Pooled counts equal the
 * sums of what the peers sent; no variant a peer returned is reported as `miss`; an impossible
 * record is refused alone and named; two datasets of one peer are both pooled.
 */

let pi: FakePeer;
let rit: FakePeer;
let mn: FakePeer;
let sloppy: FakePeer;
let broker: TestBroker;

// mini-node's README example: dataset GDI-DS-20251201001, population DEMO, 3-45864731-T-C.
const readme = miniNodeReadme();
const demoRow = readme.response.resultSets[0].results[0].frequencyInPopulations[0].populations[0];
// A second mini-node dataset as `parquet-writer allele-freq -c JP` makes from a GoE-style VCF (country and sex groups; made up here).
const jp: MiniNodeDataset = {
  id: 'GDI-DS-JP-0001',
  rows: {
    '3-45864731-T-C': [
      { population: 'JP', alleleFrequency: 0.004, alleleCount: 4, alleleNumber: 1000, alleleCountHomozygous: 1, alleleCountHeterozygous: 2, alleleCountHemizygous: 0 },
      { population: 'JP_M', alleleFrequency: 0.006, alleleCount: 3, alleleNumber: 500, alleleCountHomozygous: 1, alleleCountHeterozygous: 1, alleleCountHemizygous: 0 },
      { population: 'JP_F', alleleFrequency: 0.002, alleleCount: 1, alleleNumber: 500, alleleCountHomozygous: 0, alleleCountHeterozygous: 1, alleleCountHemizygous: 0 },
    ],
    '3-45864800-T-TA': [{ population: 'JP', alleleFrequency: 0.002, alleleCount: 2, alleleNumber: 1000, alleleCountHomozygous: 0, alleleCountHeterozygous: 2, alleleCountHemizygous: 0 }],
  },
};
const demo: MiniNodeDataset = { id: readme.response.resultSets[0].id, rows: { '3-45864731-T-C': [{ ...demoRow, alleleCountHomozygous: null, alleleCountHeterozygous: null, alleleCountHemizygous: null }] } };

beforeAll(async () => {
  // Two datasets of one pi-api, the same source ("gnomAD") and no datasetId on the wire: distinct datasets.
  pi = await startPiApi({ CINECA_synthetic_cohort_EUROPE_UK1: piApiDocs(), 'second-cohort': piApiDocs() });
  rit = await startPiApi({ synthetic_usecases_4beacon_testingV4: riToolsDocs() }, 'org.ega.ri-tools');
  mn = await startMiniNode([demo, jp]);
  sloppy = await startPiApi({ loose: piApiDocs() }, 'org.example.loose', { ignoreAlleles: true });
  broker = await startBroker('gdi-net', [
    peer('pi', pi.base, { kind: 'beacon' }),
    peer('rit', rit.base, { kind: 'beacon' }),
    peer('mn', mn.base, { kind: 'beacon' }),
  ], { cacheTtlMs: 0 });
}, 30_000);

afterAll(async () => {
  await broker.close();
  for (const p of [pi, rit, mn, sloppy]) await p.close();
});

function outcomes(body: any): Record<string, any> {
  return Object.fromEntries((body.info.afb.peers as { peer: string }[]).map((p) => [p.peer, p]));
}

function pooledRow(body: any, population: string): any {
  const rec = body.response.resultSets[0].results[0];
  expect(rec.frequencyInPopulations[0].datasetId).toBe('pooled');
  return rec.frequencyInPopulations[0].frequencies.find((f: any) => f.population === population);
}

test('pi-api (HGVSid sequence_id): found, not a silent miss; its two datasets sharing a source are both pooled', async () => {
  const { status, body } = await getJson(`${broker.api}/g_variants/22-16050075-A-G`);
  expect(status).toBe(200);
  expect(responseErrors(body)).toEqual([]);
  const o = outcomes(body);
  expect(o.pi.status).toBe('ok');
  // The others do not hold the variant: a real miss (mini-node asked by POST after its 405).
  expect(o.rit.status).toBe('miss');
  expect(o.mn.status).toBe('miss');
  expect(o.mn.notes).toEqual(['asked by POST (the peer answered GET with 405)']);
  // Truth: each shipped record says AC 1, AN 5008; two datasets hold it.
  const total = pooledRow(body, 'Total');
  expect([total.alleleCount, total.alleleNumber]).toEqual([2, 10016]);
  expect(total.pooledFrom).toEqual(['pi:CINECA_synthetic_cohort_EUROPE_UK1', 'pi:second-cohort']);
  const rec = body.response.resultSets[0].results[0];
  expect(rec.variantId).toBe('22-16050075-A-G');
});

test('mini-node: POST only (405 on GET, then POST), `populations` read as a labelled dialect, group-only datasets pooled into Total, GoE codes kept', async () => {
  const { status, body } = await getJson(`${broker.api}/g_variants/3-45864731-T-C`);
  expect(status).toBe(200);
  expect(responseErrors(body)).toEqual([]);
  const o = outcomes(body).mn;
  expect(o.status).toBe('ok');
  expect(o.notes).toEqual(expect.arrayContaining([
    'asked by POST (the peer answered GET with 405)',
    'dialect: frequencyInPopulations[].populations read as frequencies (gdi-mini-node 0.9.1)',
  ]));
  expect(mn.log.filter((l) => l.url.endsWith('/g_variants')).map((l) => l.method)).toContain('POST');
  // Truth: DEMO 1/5008 (the README's row) + JP 4/1000 (its only country group) = 5/6008.
  const total = pooledRow(body, 'Total');
  expect([total.alleleCount, total.alleleNumber]).toEqual([5, 6008]);
  expect(total.pooledFrom).toEqual(['mn:GDI-DS-20251201001', 'mn:GDI-DS-JP-0001']);
  // GoE codes stay as sent in pooled rows.
  expect(pooledRow(body, 'JP_M')).toMatchObject({ alleleCount: 3, alleleNumber: 500, alleleCountHomozygous: 1 });
  expect(pooledRow(body, 'JP_F')).toMatchObject({ alleleCount: 1, alleleNumber: 500 });
  expect(pooledRow(body, 'JP')).toMatchObject({ alleleCount: 4, alleleNumber: 1000 });
});

test('ri-tools-v2 all-fields example: the impossible records (2·hom > AC) are refused one by one and named; the rest are pooled', async () => {
  // Every insertion after 21:7232464 (VCF POS), as a range.
  const { status, body } = await getJson(`${broker.api}/g_variants?referenceName=21&start=7232463&end=7232464&limit=100`);
  expect(status).toBe(200);
  expect(responseErrors(body)).toEqual([]);
  const o = outcomes(body).rit;
  expect(o.status).toBe('ok');
  const refused = (o.notes as string[]).filter((n) => n.startsWith('refused'));
  expect(refused).toHaveLength(4);
  for (const alt of ['AC', 'AACAAAC', 'AAAACAAAC', 'AAAAAAAAC']) {
    expect(refused.some((n) => n.includes(`HGVSid:21:g.7232463A>${alt} in synthetic_usecases_4beacon_testingV4`) && /2 x nhomalt = \d+ > AC \d+/.test(n))).toBe(true);
  }
  const shipped = riToolsDocs().filter((d) => 2 * d.frequencyInPopulations[0].frequencies[0].alleleCountHomozygous <= d.frequencyInPopulations[0].frequencies[0].alleleCount);
  const records = body.response.resultSets[0].results;
  expect(records.map((r: any) => r.variation.alternateBases).sort()).toEqual(shipped.map((d) => d.variation.alternateBases).sort());
  for (const d of shipped) {
    const r = records.find((x: any) => x.variation.alternateBases === d.variation.alternateBases);
    const t = r.frequencyInPopulations[0].frequencies.find((f: any) => f.population === 'Total');
    const f = d.frequencyInPopulations[0].frequencies[0];
    expect([t.alleleCount, t.alleleNumber, t.alleleCountHomozygous]).toEqual([f.alleleCount, f.alleleNumber, f.alleleCountHomozygous]);
  }
});

test('a peer that sends records, none of them the variant asked, is `unmatched` (named missing), never `miss`', async () => {
  const b = await startBroker('loose-net', [peer('loose', sloppy.base, { kind: 'beacon' })], { cacheTtlMs: 0 });
  try {
    const { body } = await getJson(`${b.api}/g_variants/22-16050075-A-C`);
    expect(responseErrors(body)).toEqual([]);
    expect(outcomes(body).loose).toMatchObject({ status: 'unmatched', message: expect.stringMatching(/asked for 22:16050074:A:C, answered 22:16050074:A:G/) });
  } finally {
    await b.close();
  }
});

test('kind gdi-mini-node: asked by POST at once, with mini-node\'s variantType, so its indels are found too', async () => {
  const b = await startBroker('mn-net', [peer('mn', mn.base, { kind: 'gdi-mini-node' })], { cacheTtlMs: 0 });
  try {
    const before = mn.log.length;
    const { body } = await getJson(`${b.api}/g_variants/3-45864800-T-TA`);
    expect(responseErrors(body)).toEqual([]);
    expect(outcomes(body).mn.status).toBe('ok');
    expect(outcomes(body).mn.notes).not.toContain('asked by POST (the peer answered GET with 405)');
    const asked = mn.log.slice(before).filter((l) => l.url.endsWith('/g_variants'));
    expect(asked.map((l) => l.method)).toEqual(['POST']);
    expect((asked[0]!.body as any).query.requestParameters).toMatchObject({ variantType: 'INDEL', start: [45864799], referenceBases: 'T', alternateBases: 'TA' });
    expect(pooledRow(body, 'Total')).toMatchObject({ alleleCount: 2, alleleNumber: 1000 });
  } finally {
    await b.close();
  }
});

test('what a peer cannot be asked is `skipped_unsupported` and named missing, never a miss: rsIDs of third-party Beacons, ranges of gdi-mini-node', async () => {
  const b = await startBroker('unsupported-net', [peer('pi', pi.base, { kind: 'beacon' }), peer('mn', mn.base, { kind: 'gdi-mini-node' })], { cacheTtlMs: 0 });
  try {
    const rs = (await getJson(`${b.api}/g_variants/rs587697622?assemblyId=GRCh37`)).body;
    expect(responseErrors(rs)).toEqual([]);
    expect(outcomes(rs).pi).toMatchObject({ status: 'skipped_unsupported', message: expect.stringMatching(/rsID/) });
    const before = mn.log.length;
    const range = (await getJson(`${b.api}/g_variants?referenceName=3&start=45864700&end=45864900&limit=10`)).body;
    expect(responseErrors(range)).toEqual([]);
    expect(outcomes(range).mn).toMatchObject({ status: 'skipped_unsupported', message: expect.stringMatching(/single variants only/) });
    expect(mn.log.slice(before).some((l) => l.url.endsWith('/g_variants'))).toBe(false);
    expect(range.info.afb.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^not asked, as they cannot answer this query: mn/)]));
  } finally {
    await b.close();
  }
});
