/**
 * Covered vs absent (issue 13, acceptance 1): three nodes hold the same real genotype VCF (pyvcf-1kg,
 * 629 samples) with different coverage declarations: A callable 2:[10000,20000), B callable
 * 2:[15000,40500), C none. Each answers a present variant, absent variants at a called site and in
 * callable regions ("0 of AN"), and not-covered ones distinctly, directly and through a broker whose
 * pooled AN sums the covering nodes only. A fourth node D holds the same VCF without P1's site line
 * (callable 2:[10000,40500)): through the broker P1 is a hit pooled with D's "0 of N". AN truth: the bcftools TSV of the fixture (the site's AN;
 * the largest AN on the contig for a fully called site).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { getJson, postJson, startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, type TestBroker } from '../helpers/federation';
import { responseErrors } from '../helpers/beacon-schemas';
import { disclosureFor } from '../../src/pipeline';
import { OPEN_POLICY, type AccessPolicy } from '../../src/domain/access';

const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv');
const site = (pos: number) => truth.rows.find((r) => r.POS === String(pos) && r.ALT === 'T')!;
const maxAn = (col: string) => Math.max(...truth.rows.map((r) => Number(r[col])));
const FULL = maxAn('AN');
const FULL_AFR = maxAn('AN_AFR');

// 1-based positions. P1 present; P2 another ALT at P1's site; P3 no record, callable at A and B;
// P4 no record, callable at A only; P5 no record, callable nowhere.
const P1 = { pos: 20016, ref: 'C', alt: 'T' };
const P2 = { pos: 20016, ref: 'C', alt: 'G' };
const P3 = { pos: 15100, ref: 'A', alt: 'G' };
const P4 = { pos: 12500, ref: 'A', alt: 'G' };
const P5 = { pos: 41000, ref: 'A', alt: 'G' };
type V = { pos: number; ref: string; alt: string; contig?: string };

let tmp: { dir: string; cleanup(): void };
const nodes: Record<string, TestNode> = {};
let broker: TestBroker;
let brokerD: TestBroker;

beforeAll(async () => {
  tmp = tempDir('afb-coverage-');
  const beds = { A: '2\t10000\t20000\n', B: 'chr2\t15000\t30000\n2\t29000\t40500\n', C: undefined };
  for (const [id, bed] of Object.entries(beds)) {
    const db = join(tmp.dir, `${id}.db`);
    let callable: string | undefined;
    if (bed) writeFileSync((callable = join(tmp.dir, `${id}.bed`)), `track name=callable\n${bed}`);
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), callable, inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
    nodes[id] = await startNode(db, { beaconId: `node${id}` });
  }
  const vcf = gunzipSync(readFileSync(realFile('pyvcf-1kg/1kg.vcf.gz'))).toString('latin1');
  writeFileSync(join(tmp.dir, 'D.vcf'), vcf.split('\n').filter((l) => !l.startsWith(`2\t${P1.pos}\t`)).join('\n'));
  writeFileSync(join(tmp.dir, 'D.bed'), '2\t10000\t40500\n');
  await ingestVcf({ db: join(tmp.dir, 'D.db'), dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), callable: join(tmp.dir, 'D.bed'), inputs: [join(tmp.dir, 'D.vcf')] });
  nodes.D = await startNode(join(tmp.dir, 'D.db'), { beaconId: 'nodeD' });
  broker = await startBroker('eu', ['A', 'B', 'C'].map((id) => peer(id, nodes[id]!.api)));
  brokerD = await startBroker('eu-d', ['A', 'D'].map((id) => peer(id, nodes[id]!.api)));
}, 60_000);

afterAll(async () => {
  await broker?.close();
  await brokerD?.close();
  for (const n of Object.values(nodes)) await n.close();
  tmp?.cleanup();
});

const query = (v: V) => `g_variants?referenceName=${v.contig ?? '2'}&start=${v.pos - 1}&referenceBases=${v.ref}&alternateBases=${v.alt}&assemblyId=GRCh37&requestedGranularity=record`;

async function ask(api: string, v: V): Promise<any> {
  const r = await getJson(`${api}/${query(v)}`);
  expect(r.status).toBe(200);
  expect(responseErrors(r.body)).toEqual([]);
  return r.body;
}

/** Total AN (and AFR AN) of a wire entry, by its population codes. */
function an(entry: any): { total?: number; afr?: number; ac: number[] } {
  const pops = entry.frequencies as any[];
  return {
    total: pops.find((p) => p.population === 'Total' || p.population === 'ALL')?.alleleNumber,
    afr: pops.find((p) => p.population === 'AFR')?.alleleNumber,
    ac: pops.map((p) => p.alleleCount),
  };
}

describe('a node', () => {
  test('present: a hit with its counts; datasets missing nothing say nothing more', async () => {
    const b = await ask(nodes.A!.api, P1);
    expect(b.responseSummary).toEqual({ exists: true, numTotalResults: 1 });
    const e = b.response.resultSets[0].results[0].frequencyInPopulations[0];
    expect(an(e).total).toBe(Number(site(P1.pos).AN));
    expect(e.absent).toBeUndefined();
    expect(b.info.afb.coverage).toBeUndefined();
  });

  test('absent at a called site: a miss (exists false), and "0 of the site\'s AN" beside it, with or without a BED', async () => {
    for (const id of ['A', 'B', 'C']) {
      const b = await ask(nodes[id]!.api, P2);
      expect(b.responseSummary).toEqual({ exists: false, numTotalResults: 0 });
      expect(b.response.resultSets).toEqual([]);
      const [c] = b.info.afb.coverage;
      expect(c.variantId).toBe('2-20016-C-G');
      const e = c.frequencyInPopulations[0];
      expect(e.absent).toBe(true);
      expect(an(e)).toEqual({ total: Number(site(P2.pos).AN), afr: Number(site(P2.pos).AN_AFR), ac: e.frequencies.map(() => 0) });
      expect(c.notCovered).toBeUndefined();
    }
  });

  test('absent in a callable region: "0 of N", N the AN of a fully called site (the largest on the contig)', async () => {
    const b = await ask(nodes.A!.api, P4);
    expect(b.responseSummary.exists).toBe(false);
    const e = b.info.afb.coverage[0].frequencyInPopulations[0];
    expect(e.absent).toBe(true);
    expect(an(e).total).toBe(FULL);
    expect(an(e).afr).toBe(FULL_AFR);
    expect(FULL).toBe(2 * 629);
  });

  test('outside the callable regions: "not covered", no AN', async () => {
    const b = await ask(nodes.B!.api, P4);
    expect(b.responseSummary.exists).toBe(false);
    const [c] = b.info.afb.coverage;
    expect(c.frequencyInPopulations).toEqual([]);
    expect(c.notCovered).toEqual([expect.objectContaining({ datasetId: 'kg' })]);
  });

  test('no declaration and no site: unknown, as before (nothing beside the miss)', async () => {
    const b = await ask(nodes.C!.api, P3);
    expect(b.responseSummary.exists).toBe(false);
    expect(b.info.afb.coverage).toBeUndefined();
  });

  test('boolean and count answers carry no coverage (AN is a record-level detail)', async () => {
    const r = await getJson(`${nodes.A!.api}/${query(P4).replace('requestedGranularity=record', 'requestedGranularity=count')}`);
    expect(r.body.responseSummary).toEqual({ exists: false, numTotalResults: 0 });
    expect(r.body.info.afb.coverage).toBeUndefined();
  });
});

describe('through a broker over nodes with different coverage', () => {
  const pooled = (recordOrCoverage: any) => recordOrCoverage.frequencyInPopulations.find((f: any) => f.datasetId === 'pooled');

  test('present: pooled AN sums every node', async () => {
    const b = await ask(broker.api, P1);
    expect(b.responseSummary.exists).toBe(true);
    const p = pooled(b.response.resultSets[0].results[0]);
    expect(an(p).total).toBe(3 * Number(site(P1.pos).AN));
    expect(p.frequencies.find((x: any) => x.population === 'Total' || x.population === 'ALL').alleleCount).toBe(3 * Number(site(P1.pos).AC));
  });

  test('absent at a called site everywhere: 0 of the sum of the three site ANs; a miss', async () => {
    const b = await ask(broker.api, P2);
    expect(b.responseSummary).toEqual({ exists: false, numTotalResults: 0 });
    const [c] = b.info.afb.coverage;
    expect(an(pooled(c))).toEqual({ total: 3 * Number(site(P2.pos).AN), afr: 3 * Number(site(P2.pos).AN_AFR), ac: pooled(c).frequencies.map(() => 0) });
    expect(b.info.afb.peers.map((p: any) => p.status)).toEqual(['miss', 'miss', 'miss']);
  });

  test('covered at A and B, unknown at C: pooled AN = A + B; C is in no sum and not named as not covered', async () => {
    const c = (await ask(broker.api, P3)).info.afb.coverage[0];
    expect(an(pooled(c)).total).toBe(2 * FULL);
    expect(c.frequencyInPopulations.filter((f: any) => f.absent).map((f: any) => f.datasetId).sort()).toEqual(['A:kg', 'B:kg']);
    expect(c.notCovered).toBeUndefined();
  });

  test('covered at A only: pooled AN = A; B named as not covered', async () => {
    const c = (await ask(broker.api, P4)).info.afb.coverage[0];
    expect(an(pooled(c)).total).toBe(FULL);
    expect(c.notCovered.map((d: any) => d.datasetId)).toEqual(['B:kg']);
  });

  test('covered nowhere: no pooled AN at all, both declaring nodes named', async () => {
    const b = await ask(broker.api, P5);
    expect(b.responseSummary.exists).toBe(false);
    const [c] = b.info.afb.coverage;
    expect(c.frequencyInPopulations).toEqual([]);
    expect(c.notCovered.map((d: any) => d.datasetId).sort()).toEqual(['A:kg', 'B:kg']);
  });

  test('present at A, absent at D (no such site, callable): a hit whose pooled AN adds D\'s N and AC nothing', async () => {
    const direct = await ask(nodes.D!.api, P1);
    expect(direct.responseSummary.exists).toBe(false);
    expect(an(direct.info.afb.coverage[0].frequencyInPopulations[0]).total).toBe(FULL);
    const b = await ask(brokerD.api, P1);
    expect(b.responseSummary.exists).toBe(true);
    const rec = b.response.resultSets[0].results[0];
    const p = pooled(rec);
    expect(an(p).total).toBe(Number(site(P1.pos).AN) + FULL);
    expect(p.frequencies.find((x: any) => x.population === 'Total').alleleCount).toBe(Number(site(P1.pos).AC));
    // D's absent entry is beside the hit, not in it (a result lists the datasets that hold the variant).
    expect(rec.frequencyInPopulations.map((f: any) => f.datasetId)).toEqual(['pooled', 'A:kg']);
    expect(b.info.afb.coverage[0].frequencyInPopulations.map((f: any) => [f.datasetId, f.absent])).toEqual([['D:kg', true]]);
  });

  test('a batch through the broker (POST /batch to the peers) gives the same coverage per entry', async () => {
    const vs = [P1, P2, P3, P4, P5];
    const r = await postJson(`${broker.api}/batch`, { assemblyId: 'GRCh37', variants: vs.map((v) => `2-${v.pos}-${v.ref}-${v.alt}`) });
    expect(r.status).toBe(200);
    const res = r.body.results as any[];
    expect(res.map((x) => x.found)).toEqual([true, false, false, false, false]);
    expect(res[0].coverage).toBeUndefined();
    expect(an(pooled(res[1].coverage)).total).toBe(3 * Number(site(P2.pos).AN));
    expect(an(pooled(res[2].coverage)).total).toBe(2 * FULL);
    expect(an(pooled(res[3].coverage)).total).toBe(FULL);
    expect(res[3].coverage.notCovered.map((d: any) => d.datasetId)).toEqual(['B:kg']);
    expect(res[4].coverage.notCovered.map((d: any) => d.datasetId).sort()).toEqual(['A:kg', 'B:kg']);
  });
});

describe('sites mode (gnomAD r2 sites, AN per population from INFO)', () => {
  test('in a callable region without a site, N is the largest AN the input reports, per population', async () => {
    const gno = readTruth('vcfanno-exac-gnomad/gno.split.tsv');
    const db = join(tmp.dir, 'gno.db');
    writeFileSync(join(tmp.dir, 'gno.bed'), '1\t12000\t14000\n');
    await ingestVcf({ db, dataset: 'gno', assembly: 'GRCh37', callable: join(tmp.dir, 'gno.bed'), inputs: [realFile('vcfanno-exac-gnomad/gno.vcf.gz')] });
    const node = await startNode(db, { beaconId: 'gno' });
    try {
      expect(gno.rows.some((r) => r.POS === '12100')).toBe(false);
      const b = await ask(node.api, { contig: '1', pos: 12100, ref: 'A', alt: 'G' });
      const e = b.info.afb.coverage[0].frequencyInPopulations[0];
      const max = (col: string) => Math.max(...gno.rows.map((r) => Number(r[col] === '.' ? 0 : r[col])));
      expect(e.frequencies.find((p: any) => p.population === 'NFE')).toMatchObject({ alleleCount: 0, alleleNumber: max('AN_NFE') });
      expect(an(e).total).toBe(max('AN'));
      const outside = await ask(node.api, { contig: '1', pos: 15000, ref: 'A', alt: 'G' });
      expect(outside.info.afb.coverage[0].notCovered.map((d: any) => d.datasetId)).toEqual(['gno']);
    } finally {
      await node.close();
    }
  });
});

describe('disclosure control', () => {
  test('an absent entry goes through the same small-cell rule: a group with fewer than k individuals called there is withheld, AC 0 of a large group is not', async () => {
    const k = 20;
    const policy: AccessPolicy = { ...OPEN_POLICY, levels: { ...OPEN_POLICY.levels, anonymous: { granularity: 'record', minCount: k } } };
    const guarded = await startNode(join(tmp.dir, 'A.db'), { beaconId: 'guarded' }, disclosureFor(policy));
    try {
      const b = await ask(guarded.api, P2);
      const [c] = b.info.afb.coverage;
      const row = site(P2.pos);
      // At 2:20016 AMR has AN 10 (5 individuals < k): not published; AFR (AN 338) is "0 of 338".
      const entry = [...(c.frequencyInPopulations ?? []), ...(c.frequencyInPopulationsWithheld ?? [])][0];
      expect(entry.frequencies.find((p: any) => p.population === 'AFR')).toMatchObject({ alleleCount: 0, alleleNumber: Number(row.AN_AFR) });
      expect(entry.frequencies.find((p: any) => p.population === 'AMR')).toBeUndefined();
      expect(entry.populationsWithheld.find((p: any) => p.population === 'AMR').countsWithheld).toContain('alleleNumber');
      expect(Number(row.AN_AMR) / 2).toBeLessThan(k);
    } finally {
      await guarded.close();
    }
  });
});

describe('bad callable BEDs', () => {
  test('are refused naming file and line, and the published version stays as it was', async () => {
    const db = join(tmp.dir, 'A.db');
    const before = await getJson(`${nodes.A!.api}/${query(P4)}`);
    const bad = join(tmp.dir, 'bad.bed');
    writeFileSync(bad, '2\t10000\t20000\n2\t300\t100\n');
    const e = await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), callable: bad, inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] }).catch((x: unknown) => x);
    expect((e as { code?: string }).code).toBe('INVALID_OPTION');
    expect((e as Error).message).toMatch(/bad\.bed:2: start '300' and end '100'/);
    writeFileSync(bad, 'track name=x\n');
    await expect(ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', callable: bad, inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] })).rejects.toThrow(/bad\.bed: no regions/);
    const after = await getJson(`${nodes.A!.api}/${query(P4)}`);
    expect(after.body.info.afb.coverage).toEqual(before.body.info.afb.coverage);
  });
});
