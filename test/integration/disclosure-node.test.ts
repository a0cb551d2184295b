/**
 * Issue 9, acceptance 1: an anonymous client of a real node under k = 5 collects everything it
 * can for a set of variants (every door, granularity and dataset; see helpers/disclosure-attacker)
 * from three datasets: the 1000 Genomes genotypes (4 super-populations), the 1000 Genomes indels
 * and a generated genotype VCF with 24 groups (four smaller than k), a sex column, X outside PAR1,
 * multi-allelic sites and many rare variants. The oracle's integer program over every identity the
 * counts obey and the rule itself finds no withheld count with a single feasible value, no visible
 * count in 1..k-1, and no cell shown through one door and withheld through another.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { loadServerConfig } from '../../src/config/server-config';
import { startServer, type RunningServer } from '../../src/server';
import { disclosureFor } from '../../src/pipeline';
import type { AccessPolicy } from '../../src/domain/access';
import { realFile, tempDir } from '../helpers/fixtures';
import { audit, truthOf, type Relation } from '../helpers/disclosure-oracle';
import { collect, targetOf, truthRecords, type Target } from '../helpers/disclosure-attacker';
import { makeSamples, makeSite, rng, writeCohort } from '../helpers/synthetic-cohort';

const K = 5;
const policy: AccessPolicy = {
  levels: { anonymous: { granularity: 'record', minCount: K }, registered: { granularity: 'record', minCount: 1 }, controlled: { granularity: 'record', minCount: 1 } },
  datasets: {},
};
const tmp = tempDir();
const servers: { api: string; server: RunningServer; close(): Promise<void> }[] = [];
let open: string;
let guarded: string;

async function serve(db: string, disclosure?: ReturnType<typeof disclosureFor>) {
  const store = openStoreLookup(db);
  // Whole contigs in one range query: the attacker reads everything there is.
  const config = { ...loadServerConfig(undefined, {}, {}), port: 0, logLevel: 'silent' as const, maxRangeBases: 300_000_000 };
  const server = await startServer({ lookup: store.lookup, config, role: 'node', version: 'test', disclosure });
  const s = { api: `${server.url}/api`, server, close: async () => (await server.close(), store.close()) };
  servers.push(s);
  return s.api;
}

/** 24 groups, four of them smaller than k; 120 sites on 1 and X, mostly 1–6 carriers, some common, some with two ALTs. */
function syntheticCohort(dir: string): { vcf: string; panel: string; groups: string[] } {
  const rand = rng(2026);
  const samples = makeSamples(rand, 24, (g) => (g % 6 === 5 ? 2 + (g % 3) : 8 + Math.floor(rand() * 25)));
  const sites = [];
  for (let i = 0; i < 120; i++) {
    const contig = i % 3 === 2 ? 'X' : '1';
    const alts = i % 10 === 9 ? 2 : 1;
    const carriers = Array.from({ length: alts }, () => (rand() < 0.85 ? 1 + Math.floor(rand() * 6) : 10 + Math.floor(rand() * 150)));
    sites.push(makeSite(rand, samples, contig, (contig === 'X' ? 5_000_000 : 1_000_000) + i * 100, carriers, 0.03));
  }
  const vcf = join(dir, 'syn.vcf');
  const panel = join(dir, 'syn.panel.tsv');
  writeCohort(vcf, panel, samples, sites);
  return { vcf, panel, groups: [...new Set(samples.map((s) => s.group))].sort() };
}

let synGroups: string[];
beforeAll(async () => {
  const db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  await ingestVcf({ db, dataset: 'indels', assembly: 'GRCh37', panel: realFile('pysam-1kg-indels/15.panel.txt'), inputs: [realFile('pysam-1kg-indels/15.vcf.gz')] });
  const syn = syntheticCohort(tmp.dir);
  synGroups = syn.groups;
  await ingestVcf({ db, dataset: 'syn', assembly: 'GRCh37', panel: syn.panel, inputs: [syn.vcf] });
  open = await serve(db);
  guarded = await serve(db, disclosureFor(policy));
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  tmp.cleanup();
});

const SUPER = ['AFR', 'AMR', 'EAS', 'EUR'];
function relations(entry: string): Relation[] {
  if (entry === 'syn') return [
    { parent: 'Total', children: synGroups, exact: true },
    { parent: 'Total', children: ['XX', 'XY'], exact: true },
  ];
  return [{ parent: 'Total', children: SUPER, exact: true }];
}

const RANGES = [
  { contig: '2', start0: 0, end0: 250_000_000, datasets: ['kg'] },
  { contig: '20', start0: 0, end0: 65_000_000, datasets: ['indels'] },
  { contig: '1', start0: 0, end0: 2_000_000, datasets: ['syn'] },
  { contig: 'X', start0: 0, end0: 10_000_000, datasets: ['syn'] },
];

test('k = 5: from everything an anonymous client can fetch, no withheld count is determined', async () => {
  const truth = await truthRecords(open, [], RANGES);
  const truthMap = truthOf(truth);
  // Targets for the per-variant doors: every variant with a carrier count in 1..k-1 somewhere, and every fifth of the rest.
  const rare = (r: any) => r.frequencyInPopulations.some((f: any) => f.frequencies.some((p: any) => [p.alleleCount, p.alleleCountHomozygous, p.alleleCountHeterozygous, p.alleleCountHemizygous].some((v) => v >= 1 && v < K)));
  const targets: Target[] = truth.filter((r, i) => rare(r) || i % 5 === 0).map(targetOf);
  const haul = await collect(guarded, targets, RANGES);
  const kn = haul.knowledge;
  expect(haul.schemaProblems.slice(0, 5)).toEqual([]);
  expect(haul.booleanLeaks).toEqual([]);
  expect(kn.conflicts.slice(0, 5)).toEqual([]);
  expect(kn.smallVisible.slice(0, 5)).toEqual([]);
  const result = await audit(kn, { relations, truth: truthMap, model: 'rule', k: K });
  expect(result.determined.slice(0, 10)).toEqual([]);
  // A determined 0 is in a group too small to publish, on an entry whose visible counts leave it no carrier.
  expect(result.determinedZero.filter((z) => !kn.inSmallGroup(z))).toEqual([]);
  expect(result.withheldCells).toBeGreaterThan(2000);
  const strong = await audit(kn, { relations, truth: truthMap, model: 'intervals', k: K });
  // The numbers the report quotes (cells withheld and checked).
  // eslint-disable-next-line no-console
  console.log(
    `disclosure oracle, node, k=${K}: ${haul.requests} requests, ${targets.length} target variants, ${truth.length} records in ranges, ${kn.observations} observations; ` +
      `${result.withheldCells} withheld cells checked in ${result.components} components (${result.solves} MILP solves): ${result.determined.length} determined, ` +
      `${result.determinedZero.length} determined zeros (small groups); under the stronger interval model ${strong.determined.length} determined; ` +
      `entries shown whole ${kn.entryCounts().shown}, with carrier counts withheld ${kn.entryCounts().withheld}`,
  );
}, 900_000);
