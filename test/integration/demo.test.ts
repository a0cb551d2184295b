/**
 * Issue 5, acceptance 1: the demo federation that `npm start` runs comes up from data/ (stores
 * built on first start), its page answers, the broker's pooled counts equal the truth for the whole
 * cohort, and Ctrl-C stops every process (exit 0).
 */
import { readTruth, tempDir } from '../helpers/fixtures';
import { startDemo } from '../helpers/demo';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test('npm start: three nodes and a broker on loopback, the page and the API answer, Ctrl-C stops all', async () => {
  const started = Date.now();
  const demo = await startDemo(tmp.dir);
  try {
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(Object.keys(demo.nodes)).toEqual(['Finland', 'Estonia', 'Japan']);
    const page = await fetch(demo.page);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('allele-frequency browser');
    const row = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv').rows.find((r) => r.POS === '10297')!;
    // The demo runs with access control: anonymous under k = 5, registered (the printed token) exact.
    expect(demo.token).toMatch(/^afb-demo-researcher-/);
    const anonymous = (await (await fetch(`${demo.page}api/g_variants/2-10297-G-T`)).json()) as any;
    expect(anonymous.info.afb.caller.level).toBe('anonymous');
    const body = (await (await fetch(`${demo.page}api/g_variants/2-10297-G-T`, { headers: { authorization: `Bearer ${demo.token}` } })).json()) as any;
    expect(body.info.afb.caller.level).toBe('registered');
    const rec = body.response.resultSets[0].results[0];
    const pooled = rec.frequencyInPopulations[0];
    expect(pooled.source).toBe('Pooled: 3 of 3 peers');
    for (const pop of ['Total', 'AFR', 'AMR', 'EAS', 'EUR']) {
      const p = pooled.frequencies.find((x: { population: string }) => x.population === pop);
      const suffix = pop === 'Total' ? '' : `_${pop}`;
      expect([p.alleleCount, p.alleleNumber]).toEqual([Number(row[`AC${suffix}`]), Number(row[`AN${suffix}`])]);
    }
    expect(rec.frequencyInPopulations.slice(1).map((f: { datasetId: string }) => f.datasetId)).toEqual(['fi:1kg', 'ee:1kg', 'ja:1kg']);
    // Coverage (issue 13): Finland's callable regions cover 2:30000, Estonia's do not, Japan declares none.
    const auth = { headers: { authorization: `Bearer ${demo.token}` } };
    const cov = (await (await fetch(`${demo.page}api/g_variants/2-30000-A-G`, auth)).json()) as any;
    expect(cov.responseSummary.exists).toBe(false);
    expect(cov.info.afb.coverage[0].frequencyInPopulations.filter((f: any) => f.absent).map((f: any) => f.datasetId)).toEqual(['fi:1kg']);
    expect(cov.info.afb.coverage[0].notCovered.map((d: any) => d.datasetId)).toEqual(['ee:1kg']);
    // The demo's gene table finds the gnomAD excerpt inside DDX11L1 (every one of its 127 sites lies in the gene).
    const gene = (await (await fetch(`${demo.page}api/g_variants?geneId=DDX11L1&requestedGranularity=count`, auth)).json()) as any;
    expect(gene.responseSummary).toEqual({ exists: true, numTotalResults: 127 });
    for (const url of Object.values(demo.nodes)) expect((await fetch(`${url}health`)).status).toBe(200);
    // The configs hold only the tokens' hashes.
    const { readFileSync } = await import('node:fs');
    for (const f of ['broker.json', 'node.json', 'peers.json']) expect(readFileSync(`${tmp.dir}/${f}`, 'utf8')).not.toContain(demo.token);
    expect(JSON.parse(readFileSync(`${tmp.dir}/broker.json`, 'utf8')).access.levels.anonymous.preset).toBe('ukbiobank');
  } finally {
    expect(await demo.stop()).toBe(0);
  }
  for (const url of Object.values(demo.nodes)) await expect(fetch(`${url}health`)).rejects.toThrow();
}, 150_000);
