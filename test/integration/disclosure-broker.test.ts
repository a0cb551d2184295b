/**
 * Issue 9, acceptance 4: three nodes made from disjoint thirds of the samples (1000 Genomes
 * genotypes; the generated 24-group sex-split cohort), each under k = 5, behind a broker under the
 * same policy. An anonymous client fetches everything directly from each node and through the
 * broker (pooled and per-node rows, every door); over the union, the oracle finds no withheld count
 * with a single feasible value, the broker shows no cell a node withholds, and nothing visible is
 * in 1..k-1. Twice: a broker that is an ordinary caller of its nodes (it gets their withheld
 * markers), and a broker holding a `controlled` token at each node (it gets every count and must
 * withhold for its own anonymous callers what the nodes withhold for theirs, pooled entries included).
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { disclosureFor } from '../../src/pipeline';
import { canonicalPopulation } from '../../src/domain/populations';
import type { AccessPolicy } from '../../src/domain/access';
import { loadAccessConfig } from '../../src/config/access-config';
import { sha256 } from '../../src/access';
import { realFile, tempDir } from '../helpers/fixtures';
import { startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, type TestBroker } from '../helpers/federation';
import { audit, Knowledge, truthOf, type Relation } from '../helpers/disclosure-oracle';
import { collect, targetOf, type Range, type Target } from '../helpers/disclosure-attacker';
import { makeSamples, makeSite, rng, writeCohort } from '../helpers/synthetic-cohort';

const K = 5;
const policy: AccessPolicy = {
  levels: { anonymous: { granularity: 'record', minCount: K }, registered: { granularity: 'record', minCount: 1 }, controlled: { granularity: 'record', minCount: 1 } },
  datasets: {},
};
const tmp = tempDir();
const running: (TestNode | TestBroker)[] = [];
let guarded: { nodes: string[]; broker: string };
let privileged: { nodes: string[]; broker: string };
/** The token the privileged broker holds at each node (level `controlled`: every count). */
const BROKER_TOKEN = 'broker-token-at-the-nodes';
let open: string;
let synGroups: string[];
const SUPER = ['AFR', 'AMR', 'EAS', 'EUR'];

/** 24 groups with sex, 60 sites (X every third, two ALTs every tenth), mostly 1-8 carriers. */
function syntheticCohort(dir: string): { vcf: string; panel: string } {
  const rand = rng(4242);
  const samples = makeSamples(rand, 24, () => 10 + Math.floor(rand() * 30));
  synGroups = [...new Set(samples.map((s) => s.group))].sort();
  const sites = [];
  for (let i = 0; i < 60; i++) {
    const contig = i % 3 === 2 ? 'X' : '1';
    const carriers = Array.from({ length: i % 10 === 9 ? 2 : 1 }, () => (rand() < 0.8 ? 1 + Math.floor(rand() * 8) : 20 + Math.floor(rand() * 200)));
    sites.push(makeSite(rand, samples, contig, (contig === 'X' ? 5_000_000 : 1_000_000) + i * 100, carriers, 0.03));
  }
  const vcf = join(dir, 'syn.vcf');
  const panel = join(dir, 'syn.panel.tsv');
  writeCohort(vcf, panel, samples, sites);
  return { vcf, panel };
}

beforeAll(async () => {
  const syn = syntheticCohort(tmp.dir);
  const sets = [
    { id: 'kg', vcf: realFile('pyvcf-1kg/1kg.vcf.gz'), panel: realFile('pyvcf-1kg/1kg.panel.txt') },
    { id: 'syn', vcf: syn.vcf, panel: syn.panel },
  ];
  const dbs: string[] = [];
  for (let k = 0; k < 3; k++) {
    const db = join(tmp.dir, `node${k}.db`);
    for (const s of sets) {
      const samples = readFileSync(s.panel, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
      const list = join(tmp.dir, `${s.id}-part${k}.txt`);
      writeFileSync(list, samples.filter((_, i) => i % 3 === k).join('\n') + '\n');
      await ingestVcf({ db, dataset: s.id, assembly: 'GRCh37', panel: s.panel, samples: list, inputs: [s.vcf] });
    }
    dbs.push(db);
  }
  const wide = { maxRangeBases: 300_000_000 };
  const start = async (steps?: ReturnType<typeof disclosureFor>, brokerToken?: string) => {
    // The test policy's levels, without the default rate and size limits (the attacker asks thousands of times).
    const unlimited = { requestsPerMinute: null, maxBatch: null, maxRangeBases: null };
    const levels = Object.fromEntries(Object.entries(policy.levels).map(([level, p]) => [level, { granularity: p.granularity, minCount: p.minCount, ...unlimited }]));
    const access = brokerToken
      ? loadAccessConfig({ access: { levels, tokens: [{ id: 'broker', sha256: sha256(brokerToken), level: 'controlled', datasets: ['kg', 'syn'] }] } }, 'node.json')
      : undefined;
    const nodes = await Promise.all(dbs.map((db, k) => startNode(db, { beaconId: `node${k}`, ...wide }, access ? { access, disclosure: steps } : steps)));
    const peers = nodes.map((n, k) => peer(`n${k}`, n.api, brokerToken ? { token: brokerToken } : {}));
    const broker = await startBroker(`broker-${steps ? 'k' : 'open'}${brokerToken ? '-token' : ''}`, peers, {}, 0, {}, steps, wide);
    running.push(...nodes, broker);
    return { nodes: nodes.map((n) => n.api), broker: broker.api };
  };
  guarded = await start(disclosureFor(policy));
  privileged = await start(disclosureFor(policy), BROKER_TOKEN);
  open = (await start()).broker;
}, 180_000);
afterAll(async () => {
  for (const s of running.reverse()) await s.close();
  tmp.cleanup();
});

/** The sums the attacker knows (Total = XX + XY in every synthetic entry, pooled ones included). */
function relations(entry: string): Relation[] {
  return [
    { parent: 'Total', children: SUPER, exact: true },
    { parent: 'Total', children: synGroups, exact: true },
    ...(entry.includes('syn') ? [{ parent: 'Total', children: ['XX', 'XY'], exact: true }] : []),
  ];
}

const RANGES: Range[] = [
  { contig: '2', start0: 0, end0: 250_000_000, datasets: [] },
  { contig: '1', start0: 0, end0: 2_000_000, datasets: [] },
  { contig: 'X', start0: 0, end0: 10_000_000, datasets: [] },
];

test.each([
  ['an ordinary caller of its nodes', () => guarded],
  ['holding a controlled token at each node', () => privileged],
])('k = 5 at every node and at the broker (%s): over everything fetched directly and through the broker, no withheld count is determined', async (name, federation) => {
  const fed = federation();
  // The true counts: the same federation without disclosure control (pooled and per-node rows).
  const truth: any[] = [];
  for (const r of RANGES) {
    const qs = new URLSearchParams({ referenceName: r.contig, start: String(r.start0), end: String(r.end0), requestedGranularity: 'record', limit: '1000' });
    const body = (await (await fetch(`${open}/g_variants?${qs}`)).json()) as any;
    truth.push(...body.response.resultSets.flatMap((s: any) => s.results));
  }
  expect(truth.length).toBeGreaterThan(400);
  const rare = (r: any) => r.frequencyInPopulations.some((f: any) => f.frequencies.some((p: any) => [p.alleleCount, p.alleleCountHomozygous, p.alleleCountHeterozygous, p.alleleCountHemizygous].some((v) => v >= 1 && v < K)));
  // A third of the rare variants and every twelfth other one (each costs ~60 requests here and at the nodes).
  const picked = truth.filter((r, i) => (rare(r) && i % 3 === 0) || i % 12 === 0).map(targetOf);
  const kn = new Knowledge();
  // Through the broker: its own dataset ids (n0:kg ...), the pooled entry not being askable by id.
  const viaBroker: Target[] = picked.map((t) => ({ ...t, datasets: t.datasets.filter((d) => d !== 'pooled') }));
  const broker = await collect(fed.broker, viaBroker, RANGES, kn);
  let requests = broker.requests;
  const problems = [...broker.schemaProblems, ...broker.booleanLeaks];
  // Directly at each node: its `kg` is the broker's `nK:kg`, so the cells join (and must agree).
  for (const [k, api] of fed.nodes.entries()) {
    kn.rename = (id) => (id.includes(':') ? id : `n${k}:${id}`);
    const own = picked.map((t) => ({ ...t, datasets: t.datasets.filter((d) => d.startsWith(`n${k}:`)).map((d) => d.slice(3)) })).filter((t) => t.datasets.length > 0);
    const direct = await collect(api, own, RANGES.map((r) => ({ ...r, datasets: r.contig === '2' ? ['kg'] : ['syn'] })), kn);
    requests += direct.requests;
    problems.push(...direct.schemaProblems, ...direct.booleanLeaks);
  }
  expect(problems.slice(0, 5)).toEqual([]);
  expect(kn.conflicts.slice(0, 5)).toEqual([]);
  expect(kn.smallVisible.slice(0, 5)).toEqual([]);
  const canonical = (code: string, given?: string) => given ?? canonicalPopulation(code) ?? code;
  const result = await audit(kn, { relations, truth: truthOf(truth), model: 'rule', k: K, canonical });
  expect(result.determined.slice(0, 10)).toEqual([]);
  expect(result.determinedZero.filter((z) => !kn.inSmallGroup(z))).toEqual([]);
  expect(result.withheldCells).toBeGreaterThan(2000);
  // The numbers the report quotes.
  // eslint-disable-next-line no-console
  console.log(
    `disclosure oracle, broker (${name}) over three nodes, k=${K}: ${requests} requests, ${picked.length} target variants, ${kn.observations} observations; ` +
      `${result.withheldCells} withheld cells checked in ${result.components} components (${result.propagated} settled by propagation, ${result.solves} MILP solves): ` +
      `${result.determined.length} determined, ${result.determinedZero.length} determined zeros (small groups)`,
  );
}, 900_000);
