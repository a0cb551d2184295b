/**
 * Federated annotation, acceptance 1 of issue 11: three real nodes hold disjoint thirds of the
 * samples of real genotype VCFs, a real broker sits over them, and `afb annotate --broker` of the
 * original VCF writes, on every record and ALT, the whole-cohort AC and AN per population that
 * bcftools +fill-tags computed (the truth files); every input record is kept, in order. The same
 * through POST /api/annotate (VCF and TSV), and a broker with small-cell suppression writes withheld
 * counts as missing and names them, never as numbers.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realFile, tempDir } from '../helpers/fixtures';
import { AFB } from '../helpers/cli';
import type { TestNode } from '../helpers/node-server';
import { freePort, peer, startBroker, startThreeNodes, type TestBroker } from '../helpers/federation';
import { allelesOfTsv, allelesOfVcf, compareWithTruth, layoutProblems, readVcfText } from '../helpers/annotated-vcf';
import { disclosureFor, type DisclosureStep } from '../../src/pipeline';
import { OPEN_POLICY } from '../../src/domain/access';
import { loadAccessConfig } from '../../src/config/access-config';
import { startNode, type TestNode as Node } from '../helpers/node-server';

const SETS = [
  { id: 'kg', dir: 'pyvcf-1kg', vcf: '1kg.vcf.gz', panel: '1kg.panel.txt', truth: '1kg.sites.pop.split.tsv' },
  { id: 'indels', dir: 'pysam-1kg-indels', vcf: '15.vcf.gz', panel: '15.panel.txt', truth: '15.sites.pop.split.tsv' },
  // 40 multi-allelic records: each ALT's counts go in its Number=A slot.
  { id: 'exome', dir: 'variantannotation', vcf: 'hapmap_exome_chr22.vcf.gz', panel: 'hapmap_exome_chr22.panel.txt', truth: 'hapmap_exome_chr22.sites.pop.split.tsv' },
];

const tmp = tempDir();
let nodes: TestNode[];
let broker: TestBroker;

beforeAll(async () => {
  nodes = await startThreeNodes(tmp.dir, SETS);
  // Generous deadlines: nodes and broker share one loaded test process (a timeout is not what is tested here).
  broker = await startBroker('b', nodes.map((n, k) => peer(`n${k}`, n.api, { timeoutMs: 30_000 })), { deadlineMs: 30_000 });
}, 120_000);
afterAll(async () => {
  await broker?.close();
  for (const n of nodes ?? []) await n.close();
  tmp.cleanup();
});

/** `afb annotate ...` run asynchronously (the servers live in this process). */
function afb(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [AFB, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const datasetsOf = (id: string) => [0, 1, 2].map((k) => `n${k}:${id}`).join(',');

describe.each(SETS)('$id', (set) => {
  const input = realFile(`${set.dir}/${set.vcf}`);
  const truth = `${set.dir}/${set.truth}`;

  test('afb annotate --broker: every record kept in order; pooled AC/AN per population equal the whole-cohort truth', async () => {
    const out = join(tmp.dir, `${set.id}.annotated.vcf.gz`);
    // Small parts and several in flight: order must survive parts answered out of order.
    const r = await afb(['annotate', '--broker', broker.url, '--datasets', datasetsOf(set.id), '--batch-size', '97', '--in-flight', '3', '--output', out, input]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const text = readVcfText(out);
    expect(layoutProblems(readVcfText(input), text)).toEqual([]);
    const { problems, cells, rows, perRow } = compareWithTruth(allelesOfVcf(text), truth);
    expect(problems).toEqual([]);
    expect(rows).toBeGreaterThan(100);
    expect(cells).toBe(rows * perRow);
    // The header describes each field and says who answered.
    expect(text).toMatch(/^##INFO=<ID=AFB_AC_EUR,Number=A,Type=Integer,Description="Alternate allele count in population EUR/m);
    expect(text).toMatch(/^##afb_answered=<Part="first \d+ variants",Contributors="broker\/n0:\w+,broker\/n1:\w+,broker\/n2:\w+",Peers="broker:ok">/m);
    // The summary on stderr counts what was done.
    const summary = JSON.parse(r.stderr.slice(r.stderr.indexOf('{')));
    expect(summary.records).toBe(layoutCount(text));
    expect(summary.annotated).toBe(rows);
    expect(summary.contributors[`broker/n0:${set.id}`]).toBe(rows);
  });

  test('POST /api/annotate (VCF and TSV) gives the same counts', async () => {
    const body = readFileSync(input);
    for (const format of ['vcf', 'tsv']) {
      const res = await fetch(`${broker.api}/annotate?format=${format}&datasetIds=${datasetsOf(set.id)}`, { method: 'POST', body });
      expect(res.status).toBe(200);
      const text = await res.text();
      const alleles = format === 'vcf' ? allelesOfVcf(text) : allelesOfTsv(text);
      if (format === 'vcf') expect(layoutProblems(readVcfText(input), text)).toEqual([]);
      const { problems, rows } = compareWithTruth(alleles, truth);
      expect(problems).toEqual([]);
      expect(rows).toBeGreaterThan(100);
    }
  });
});

function layoutCount(text: string): number {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

test('afb annotate --db (one node store): its own counts, the same file layout', async () => {
  const input = realFile('pyvcf-1kg/1kg.vcf.gz');
  const r = await afb(['annotate', '--db', join(tmp.dir, 'node0.db'), '--datasets', 'kg', '--populations', 'EUR,Total', '--format', 'tsv', input]);
  expect(r.status).toBe(0);
  const rows = allelesOfTsv(r.stdout);
  expect(rows.length).toBe(layoutCount(readVcfText(input)));
  // Only the populations asked, in the order asked.
  expect(r.stdout.split('\n').find((l) => l.startsWith('#CHROM'))).toBe('#CHROM\tPOS\tID\tREF\tALT\tAFB_AC_EUR\tAFB_AN_EUR\tAFB_AF_EUR\tAFB_nhomalt_EUR\tAFB_nhemi_EUR\tAFB_faf95_EUR\tAFB_faf99_EUR\tAFB_AC\tAFB_AN\tAFB_AF\tAFB_nhomalt\tAFB_nhemi\tAFB_faf95\tAFB_faf99\tAFB_withheld\tAFB_missing');
  // A third of the samples: AN_EUR is a third of the cohort's, give or take rounding of the thirds.
  expect(rows.some((a) => Number(a.values.get('AFB_AN_EUR')) > 0)).toBe(true);
});

test('withheld counts are written as missing and named, never as numbers (small-cell suppression on the broker)', async () => {
  const k = 5;
  const policy = { ...OPEN_POLICY, levels: { ...OPEN_POLICY.levels, anonymous: { granularity: 'record' as const, minCount: k } } };
  const strict = await startBroker('strict', nodes.map((n, i) => peer(`n${i}`, n.api, { timeoutMs: 30_000 })), { deadlineMs: 30_000 }, 0, {}, disclosureFor(policy));
  try {
    const res = await fetch(`${strict.api}/annotate?datasetIds=${datasetsOf('kg')}`, { method: 'POST', body: readFileSync(realFile('pyvcf-1kg/1kg.vcf.gz')) });
    expect(res.status).toBe(200);
    const alleles = allelesOfVcf(await res.text());
    let withheld = 0;
    for (const a of alleles) {
      const named = (a.values.get('AFB_withheld') ?? '.').split('|');
      for (const [field, v] of a.values) {
        if (!/^AFB_(AC|nhomalt)/.test(field) || v === '.') continue;
        // A published count is 0 or at least k.
        expect(Number(v) === 0 || Number(v) >= k).toBe(true);
      }
      for (const f of named.filter((x) => x !== '.')) {
        withheld++;
        expect(a.values.get(f) ?? '.').toBe('.');
      }
    }
    expect(withheld).toBeGreaterThan(0);
  } finally {
    await strict.close();
  }
});

test('a node that does not answer is named on every record it is missing from, through the broker and through afb annotate --broker', async () => {
  const dead = `http://127.0.0.1:${await freePort()}/api`;
  const partial = await startBroker('partial', [peer('n0', nodes[0]!.api, { timeoutMs: 30_000 }), peer('n1', nodes[1]!.api, { timeoutMs: 30_000 }), peer('n2', dead)], { deadlineMs: 30_000 });
  try {
    const input = realFile('pysam-1kg-indels/15.vcf.gz');
    // No dataset scope: a peer that never answered lists no datasets, and a scope naming others would rightly not ask it.
    const direct = await (await fetch(`${partial.api}/annotate`, { method: 'POST', body: readFileSync(input) })).text();
    const r = await afb(['annotate', '--broker', partial.url, input]);
    expect(r.status).toBe(0);
    for (const [text, name] of [[direct, 'n2'], [r.stdout, 'broker/n2']] as const) {
      const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      const annotated = lines.filter((l) => l.includes('AFB_AN='));
      expect(annotated.length).toBeGreaterThan(100);
      expect(annotated.filter((l) => !l.includes(`AFB_missing=${name}`))).toEqual([]);
    }
  } finally {
    await partial.close();
  }
});

test('afb annotate --broker at an address nothing answers: exit 1 naming it, nothing written', async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const r = await afb(['annotate', '--broker', url, realFile('pysam-1kg-indels/15.vcf.gz')]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`error PEERS_UNAVAILABLE: cannot reach ${url}/api: `));
  expect(r.stdout).toBe('');
});

describe('POST /api/annotate is a door of the one pipeline', () => {
  const vcf = () => readFileSync(realFile('pyvcf-1kg/1kg.vcf.gz'));
  async function node(options: Parameters<typeof startNode>[2]): Promise<Node> {
    return startNode(join(tmp.dir, 'node0.db'), {}, options);
  }

  test('a disclosure step added to the pipeline is seen through it: withholding everything leaves every record unannotated', async () => {
    const none: DisclosureStep = (answer) => ({ ...answer, total: 0, records: answer.records.map(() => undefined) });
    const n = await node([none]);
    try {
      const res = await fetch(`${n.api}/annotate?datasetIds=kg`, { method: 'POST', body: vcf() });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(layoutProblems(readVcfText(realFile('pyvcf-1kg/1kg.vcf.gz')), text)).toEqual([]);
      expect(allelesOfVcf(text).filter((a) => a.values.size > 0)).toEqual([]);
    } finally {
      await n.close();
    }
  });

  test("the caller's level holds: its batch limit (413 naming it) and its granularity (400); bad input is a 400 naming the line", async () => {
    const access = loadAccessConfig({ access: { levels: { anonymous: { granularity: 'count', minCount: 1 }, registered: { granularity: 'record', maxBatch: 50 } }, tokens: [{ id: 'r', sha256: sha256('reg-token'), level: 'registered' }] } });
    const n = await node({ access });
    try {
      const refused = await fetch(`${n.api}/annotate`, { method: 'POST', body: vcf() });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { errorMessage: string } }).error.errorMessage).toMatch(/anonymous access level is answered at count granularity/);
      const big = await fetch(`${n.api}/annotate`, { method: 'POST', body: vcf(), headers: { authorization: 'Bearer reg-token' } });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { errorMessage: string } }).error.errorMessage).toMatch(/registered access level takes at most 50 variants/);
      const bad = await fetch(`${n.api}/annotate`, { method: 'POST', body: '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n2\tten\t.\tA\tG\n', headers: { authorization: 'Bearer reg-token' } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { errorMessage: string } }).error.errorMessage).toBe("request body:3: POS 'ten' must be a 1-based integer position");
      const pops = await fetch(`${n.api}/annotate?populations=XYZ`, { method: 'POST', body: vcf(), headers: { authorization: 'Bearer reg-token' } });
      expect(pops.status).toBe(400);
      expect(((await pops.json()) as { error: { errorMessage: string } }).error.errorMessage).toMatch(/^populations: XYZ not in the datasets in scope; they have Total, AFR, AMR, EAS, EUR/);
      const kinds = await fetch(`${n.api}/annotate?fields=AC,DP`, { method: 'POST', body: vcf(), headers: { authorization: 'Bearer reg-token' } });
      expect(kinds.status).toBe(400);
      expect(((await kinds.json()) as { error: { errorMessage: string } }).error.errorMessage).toBe('fields: DP unknown; the counts annotation writes are AC, AN, AF, nhomalt, nhemi, faf95, faf99');
      const few = readVcfText(realFile('pyvcf-1kg/1kg.vcf.gz')).split('\n').filter((l) => l.startsWith('#') || l === '').concat(['22\t16050075\t.\tA\tG']).join('\n');
      const two = await fetch(`${n.api}/annotate?fields=an,AC&populations=AFR`, { method: 'POST', body: few, headers: { authorization: 'Bearer reg-token' } });
      expect(two.status).toBe(200);
      const infos = (await two.text()).split('\n').filter((l) => l.startsWith('##INFO=<ID=AFB_')).map((l) => l.slice(11, l.indexOf(',')));
      expect(infos).toEqual(['AFB_AC_AFR', 'AFB_AN_AFR', 'AFB_withheld', 'AFB_missing']);
    } finally {
      await n.close();
    }
  });
});

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
