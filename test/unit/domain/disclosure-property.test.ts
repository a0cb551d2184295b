/**
 * Issue 9, the rules alone: over many random small cohorts (rare and common variants, autosomes
 * and X, one or two ALT alleles, groups smaller than k, a broker pooling three disjoint nodes),
 * the disclosure oracle's integer program finds no withheld count with a single feasible value and
 * no visible count in 1..k-1.
 */
import { discloseRecord, effectiveK } from '../../../src/domain/disclosure';
import { poolPopulations } from '../../../src/domain/pooling';
import { toWireRecord } from '../../../src/beacon/record';
import type { DatasetFrequencies, VariantRecord } from '../../../src/domain/lookup';
import { audit, Knowledge, truthOf, type AuditResult, type Relation } from '../../helpers/disclosure-oracle';
import { countSite, groupsOf, makeSamples, makeSite, rng, type Sample, type Site } from '../../helpers/synthetic-cohort';

function record(site: Site, a: number, frequencies: DatasetFrequencies[]): VariantRecord {
  const display = { start0: site.pos1 - 1, ref: site.ref, alt: site.alts[a - 1]! };
  return { assembly: 'GRCh37', contig: site.contig, trimmed: display, display, rsids: [], frequencies };
}

const entry = (id: string, samples: Sample[], site: Site, a: number): DatasetFrequencies => ({ datasetId: id, source: id, filters: [], populations: countSite(samples, site, a) });

function relationsFor(samples: Sample[]): (entry: string) => Relation[] {
  const groups = groupsOf(samples);
  const panel = groups.filter((g) => g !== 'Total' && g !== 'XX' && g !== 'XY');
  return () => [
    { parent: 'Total', children: panel, exact: true },
    { parent: 'Total', children: ['XX', 'XY'], exact: true },
  ];
}

function cohort(seed: number) {
  const rand = rng(seed);
  const groups = 2 + Math.floor(rand() * 4);
  const samples = makeSamples(rand, groups, () => (rand() < 0.25 ? 1 + Math.floor(rand() * 4) : 3 + Math.floor(rand() * 14)));
  const contig = rand() < 0.35 ? 'X' : '1';
  const alts = rand() < 0.25 ? 2 : 1;
  const carriers = Array.from({ length: alts }, () => (rand() < 0.8 ? 1 + Math.floor(rand() * 6) : 1 + Math.floor(rand() * samples.length)));
  const site = makeSite(rand, samples, contig, contig === 'X' ? 5_000_000 : 1_000_000, carriers, rand() < 0.5 ? 0 : 0.1);
  const k = [2, 3, 5, 5, 10][Math.floor(rand() * 5)]!;
  return { rand, samples, site, k };
}

function total(rs: AuditResult[]) {
  return rs.reduce((a, r) => ({ withheld: a.withheld + r.withheldCells, determined: [...a.determined, ...r.determined], zero: [...a.zero, ...r.determinedZero] }), { withheld: 0, determined: [] as string[], zero: [] as string[] });
}

describe('disclosure rules under the oracle', () => {
  test('one dataset: 400 random cohorts, no withheld count determined', async () => {
    const results: AuditResult[] = [];
    const smallVisible: string[] = [];
    const conflicts: string[] = [];
    const knowledge: Knowledge[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const { samples, site, k } = cohort(seed);
      const open = site.alts.map((_, i) => record(site, i + 1, [entry('d', samples, site, i + 1)]));
      const kn = new Knowledge();
      knowledge.push(kn);
      for (const r of open) kn.addRecord(toWireRecord(discloseRecord(r, () => k).record, 'test'));
      smallVisible.push(...kn.smallVisible);
      conflicts.push(...kn.conflicts);
      const truth = truthOf(open.map((r) => toWireRecord(r, 'test')));
      results.push(await audit(kn, { relations: relationsFor(samples), truth, model: 'rule', k: effectiveK(k) }));
    }
    const t = total(results);
    expect(conflicts).toEqual([]);
    expect(smallVisible).toEqual([]);
    expect(t.determined).toEqual([]);
    expect(t.withheld).toBeGreaterThan(1000);
    // A determined 0 is a group too small to publish whose entry shows no carrier anywhere that could be in it.
    expect(t.zero.filter((z) => !knowledge.some((kn) => kn.inSmallGroup(z)))).toEqual([]);
    // The numbers the report quotes (cells withheld and checked).
    // eslint-disable-next-line no-console
    console.log(`unit oracle, one dataset: ${t.withheld} withheld cells checked over 400 cohorts; ${t.zero.length} determined zeros (small groups)`);
  }, 300_000);

  test('a broker pooling three disjoint nodes: 80 random cohorts, nothing determined across pooled and per-node rows', async () => {
    const results: AuditResult[] = [];
    const smallVisible: string[] = [];
    const knowledge: Knowledge[] = [];
    for (let seed = 1001; seed <= 1080; seed++) {
      const { rand, samples, site, k } = cohort(seed);
      const node = samples.map(() => Math.floor(rand() * 3));
      const parts = [0, 1, 2].map((n) => samples.filter((_, i) => node[i] === n));
      const sub = (n: number): Site => ({ ...site, calls: site.calls.filter((_, i) => node[i] === n) });
      const kn = new Knowledge();
      knowledge.push(kn);
      const openRecords: VariantRecord[] = [];
      for (let a = 1; a <= site.alts.length; a++) {
        const nodes = [0, 1, 2].filter((n) => parts[n]!.length > 0).map((n) => entry(`n${n}:d`, parts[n]!, sub(n), a));
        const pool = (es: DatasetFrequencies[]): DatasetFrequencies => ({
          datasetId: 'pooled',
          source: 'Pooled',
          filters: [],
          populations: poolPopulations(es.map((e) => ({ contributor: e.datasetId, frequencies: e }))),
          pooled: { contributors: es.map((e) => e.datasetId), missing: [] },
        });
        openRecords.push(record(site, a, [pool(nodes), ...nodes]));
        // Each node discloses its own entry; the broker pools what it got and discloses again.
        const fromNodes = nodes.map((e) => discloseRecord(record(site, a, [e]), () => k).record.frequencies[0]!);
        const broker = discloseRecord(record(site, a, [pool(fromNodes), ...fromNodes]), () => k).record;
        kn.addRecord(toWireRecord(broker, 'test'));
        for (const e of fromNodes) kn.addRecord(toWireRecord(record(site, a, [e]), 'test'));
      }
      smallVisible.push(...kn.smallVisible);
      expect(kn.conflicts).toEqual([]);
      const truth = truthOf(openRecords.map((r) => toWireRecord(r, 'test')));
      const rel = relationsFor(samples);
      results.push(await audit(kn, { relations: (id) => (id.startsWith('pooled') ? rel(id) : relationsFor(parts[Number(id[1])]!)(id)), truth, model: 'rule', k: effectiveK(k) }));
    }
    const t = total(results);
    expect(smallVisible).toEqual([]);
    expect(t.determined).toEqual([]);
    expect(t.withheld).toBeGreaterThan(1000);
    expect(t.zero.filter((z) => !knowledge.some((kn) => kn.inSmallGroup(z)))).toEqual([]);
    // The numbers the report quotes (cells withheld and checked).
    // eslint-disable-next-line no-console
    console.log(`unit oracle, broker: ${t.withheld} withheld cells checked over 80 cohorts; ${t.zero.length} determined zeros (small groups)`);
  }, 300_000);
});
