/**
 * Issue 15: the federated dataset catalogue, over real servers on port 0.
 * 1. /api/datasets (and /{id}) validate against the official Beacon v2 schemas (collections
 *    response, datasets/defaultSchema.json); /api/catalogue is DCAT-AP JSON-LD: expanded to RDF
 *    by a JSON-LD processor (jsonld) and checked against the DCAT-AP 3.0.1 SHACL shapes (copied
 *    from SEMICeu/DCAT-AP, test/fixtures/dcat-ap) and for the properties the issue names.
 * 2. Three nodes, one of them reached both directly and through a second broker: the top broker
 *    lists each dataset once, and their per-population sizes add up to the whole cohort's (counted
 *    here from the panel and the VCF header, not by afb).
 * 3. k = 5 for anonymous callers, on a node and through a broker: no population or sex cell of
 *    1..4 is shown, and total minus the shown cells gives none back.
 * Also: --metadata errors name file and field; a failed ingest leaves the previous metadata.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as jsonld from 'jsonld';
import { ingestVcf } from '../../src/ingest';
import { loadAccessConfig } from '../../src/config/access-config';
import { sha256 } from '../../src/access';
import { realFile, tempDir } from '../helpers/fixtures';
import { getJson, startNode, type TestNode } from '../helpers/node-server';
import { freePort, peer, startBroker, type TestBroker } from '../helpers/federation';
import { schemaErrors } from '../helpers/beacon-schemas';

const tmp = tempDir();
const PANEL = realFile('pyvcf-1kg/1kg.panel.txt');
const VCF = realFile('pyvcf-1kg/1kg.vcf.gz');
const SHAPES = ['shapes.ttl', 'range.ttl'].map((f) => join(__dirname, '..', 'fixtures', 'dcat-ap', f));
const TOKEN = 'catalogue-registered-41c9';
const COUNTRIES = [['fi', 'FI'], ['ee', 'EE'], ['ja', 'JP']] as const;

/** The cohort as the files say: panel population of every VCF sample the panel lists. */
function cohort(): Map<string, number> {
  const header = gunzipSync(readFileSync(VCF)).toString('utf8').split('\n').find((l) => l.startsWith('#CHROM'))!;
  const inVcf = new Set(header.split('\t').slice(9));
  const out = new Map<string, number>();
  for (const line of readFileSync(PANEL, 'utf8').split('\n')) {
    const [sample, pop] = line.split('\t');
    if (sample && pop && inVcf.has(sample)) out.set(pop, (out.get(pop) ?? 0) + 1);
  }
  return out;
}

function metadataYaml(country: string, extra = ''): string {
  return [
    `title: 1000 Genomes pilot, ${country} share`,
    'description: A third of the 1000 Genomes pilot excerpt.',
    'cohort: 1000 Genomes Project',
    `country: ${country}`,
    'assembly: GRCh37',
    'technology: WGS',
    'release: { version: "2010-11", date: 2010-11-23 }',
    'licence: https://creativecommons.org/licenses/by/4.0/',
    'dataUse: [DUO:0000042, { id: DUO:0000007, modifiers: [{ id: "MONDO:0005148", label: type 2 diabetes }] }]',
    'duoVersion: "2021-02-23"',
    `contact: { name: Data access committee, email: dac@${country.toLowerCase()}.example.org }`,
    'landingPage: https://www.internationalgenome.org/',
    'keywords: [population genetics]',
    extra,
  ].join('\n') + '\n';
}

const nodes: TestNode[] = [];
let sub: TestBroker;
let top: TestBroker;

beforeAll(async () => {
  const samples = readFileSync(PANEL, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
  for (let k = 0; k < 3; k++) {
    const [id, country] = COUNTRIES[k]!;
    const db = join(tmp.dir, `${id}.db`);
    const list = join(tmp.dir, `samples-${id}.txt`);
    writeFileSync(list, samples.filter((_, i) => i % 3 === k).join('\n') + '\n');
    const meta = join(tmp.dir, `metadata-${id}.yaml`);
    writeFileSync(meta, metadataYaml(country));
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: PANEL, samples: list, metadata: meta, inputs: [VCF] });
    nodes.push(await startNode(db, { beaconId: `node-${id}`, beaconName: `Node ${country}` }));
  }
  // A second broker over Japan and (again) Finland; the top broker over Finland, Estonia and it.
  sub = await startBroker('sub-broker', [peer('ja', nodes[2]!.api, { country: 'JP' }), peer('fi', nodes[0]!.api, { country: 'FI' })], { cacheTtlMs: 0 });
  top = await startBroker('top-broker', [peer('fi', nodes[0]!.api, { country: 'FI' }), peer('ee', nodes[1]!.api, { country: 'EE' }), peer('sub', sub.api, { timeoutMs: 4000 })], { cacheTtlMs: 0, deadlineMs: 5000 });
}, 60_000);

afterAll(async () => {
  await top?.close();
  await sub?.close();
  for (const n of nodes) await n.close();
  tmp.cleanup();
});

function datasetSchemaErrors(body: any): string[] {
  const errs = schemaErrors('collections', body);
  for (const c of body.response?.collections ?? []) errs.push(...schemaErrors('dataset', c));
  return errs;
}

async function nquads(doc: unknown): Promise<string> {
  return (await jsonld.toRDF(doc as jsonld.JsonLdDocument, { format: 'application/n-quads' })) as unknown as string;
}

/**
 * SHACL validation in a child process, asynchronously: the servers under test run in this process,
 * and blocking its event loop for seconds (spawnSync) makes their keep-alive timers fire late, all at
 * once, resetting connections the next request reuses.
 */
function shacl(nq: string): Promise<{ conforms: boolean; triples: number; results: { focus: string; path: string; message: string[] }[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'helpers', 'shacl-validate.mjs'), ...SHAPES], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`shacl-validate exited ${code}: ${err}`))));
    child.stdin.end(nq);
  });
}

/** Objects of `predicate` for `subject` in N-Quads text (IRIs, or literal values). */
function objects(nq: string, subject: string, predicate: string): string[] {
  return nq.split('\n').filter((l) => l.startsWith(`${subject} <${predicate}> `)).map((l) => l.slice(subject.length + predicate.length + 4).replace(/ \.$/, ''));
}

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

describe('acceptance 1: Beacon v2 datasets and DCAT-AP', () => {
  test('/api/datasets and /api/datasets/{id} validate against the Beacon v2 schemas, on a node and a broker', async () => {
    for (const url of [`${nodes[0]!.api}/datasets`, `${nodes[0]!.api}/datasets/kg`, `${top.api}/datasets`, `${top.api}/datasets/fi:kg`, `${top.api}/datasets?population=AFR`]) {
      const { status, body } = await getJson(url);
      expect([url, status]).toEqual([url, 200]);
      expect(datasetSchemaErrors(body)).toEqual([]);
      expect(body.response.collections.length).toBeGreaterThan(0);
    }
    const { body } = await getJson(`${nodes[0]!.api}/datasets/kg`);
    const d = body.response.collections[0];
    expect(d.dataUseConditions.duoDataUse.map((t: any) => `${t.id} ${t.label}`)).toEqual(['DUO:0000042 general research use', 'DUO:0000007 disease specific research']);
    expect(d.info.afb.metadata).toMatchObject({ country: 'FI', technology: 'WGS', release: { version: '2010-11', date: '2010-11-23' } });
    // The schema is the oracle: a dataset without its required name fails it.
    expect(schemaErrors('dataset', { id: 'x' })).not.toEqual([]);
    const missing = await getJson(`${nodes[0]!.api}/datasets/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.errorCodeName).toBe('UNKNOWN_DATASET');
    expect(schemaErrors('error', missing.body)).toEqual([]);
    const bad = await getJson(`${nodes[0]!.api}/datasets?sex=robot`);
    expect([bad.status, bad.body.error.errorCodeName]).toEqual([400, 'INVALID_PARAMETER']);
  });

  test('/api/catalogue expands to RDF, conforms to the DCAT-AP SHACL shapes and has the properties the issue names', async () => {
    for (const api of [nodes[1]!.api, top.api]) {
      const res = await fetch(`${api}/catalogue`);
      expect(res.headers.get('content-type')).toMatch(/^application\/ld\+json/);
      const doc = await res.json();
      const nq = await nquads(doc);
      const report = await shacl(nq);
      expect(report.results).toEqual([]);
      expect(report.conforms).toBe(true);
      const catalog = nq.split('\n').find((l) => l.endsWith(`<${RDF_TYPE}> <${DCAT}Catalog> .`))!.split(' ')[0]!;
      for (const p of [`${DCT}title`, `${DCT}description`, `${DCT}publisher`, `${DCT}identifier`]) expect([p, objects(nq, catalog, p).length]).toEqual([p, 1]);
      const datasets = objects(nq, catalog, `${DCAT}dataset`);
      expect(datasets.length).toBe(api === top.api ? 3 : 1);
      for (const ds of datasets) {
        for (const p of [`${DCT}title`, `${DCT}description`, `${DCT}publisher`, `${DCT}identifier`, `${DCAT}theme`, `${DCT}issued`, `${DCAT}version`, `${DCT}accessRights`]) {
          expect([ds, p, objects(nq, ds, p).length]).toEqual([ds, p, 1]);
        }
        expect(objects(nq, ds, `${DCAT}keyword`).length).toBeGreaterThan(1);
        const dist = objects(nq, ds, `${DCAT}distribution`)[0]!;
        expect(objects(nq, dist, `${DCAT}accessURL`)).toEqual([`<${api}/g_variants>`]);
        expect(objects(nq, dist, `${DCT}license`)).toEqual(['<https://creativecommons.org/licenses/by/4.0/>']);
        const rights = objects(nq, dist, `${DCT}rights`);
        expect(rights.length).toBe(1);
        expect(objects(nq, rights[0]!, 'http://www.w3.org/2000/01/rdf-schema#seeAlso').sort()).toEqual(['<http://purl.obolibrary.org/obo/DUO_0000007>', '<http://purl.obolibrary.org/obo/DUO_0000042>']);
      }
      // Content negotiation on /api/datasets gives the same graph.
      const negotiated = await fetch(`${api}/datasets`, { headers: { accept: 'application/ld+json' } });
      expect(negotiated.headers.get('content-type')).toMatch(/^application\/ld\+json/);
      expect(((await negotiated.json()) as Record<string, unknown>)['@type']).toBe('dcat:Catalog');
      // The shapes are the oracle: a catalogue without its publisher and a dataset without a title fail them.
      const broken = JSON.parse(JSON.stringify(doc));
      delete broken['dct:publisher'];
      delete broken['dcat:dataset'][0]['dct:title'];
      const failed = await shacl(await nquads(broken));
      expect(failed.conforms).toBe(false);
      expect(failed.results.map((r) => r.path).sort()).toEqual([`${DCT}publisher`, `${DCT}title`]);
    }
  });
});

describe('acceptance 2: the federation lists each dataset once', () => {
  test('three nodes, one reached directly and through a second broker: three datasets, population sizes summing to the cohort', async () => {
    const { body } = await getJson(`${top.api}/datasets`);
    const list = body.response.collections;
    expect(list.map((d: any) => d.id).sort()).toEqual(['ee:kg', 'fi:kg', 'sub/ja:kg']);
    expect(new Set(list.map((d: any) => d.info.afb.origin)).size).toBe(3);
    expect(list.map((d: any) => [d.id, d.info.afb.node.id, d.info.afb.node.country, d.info.afb.status, d.info.afb.path.join('>')]).sort()).toEqual([
      ['ee:kg', 'node-ee', 'EE', 'available', 'top-broker'],
      ['fi:kg', 'node-fi', 'FI', 'available', 'top-broker'],
      ['sub/ja:kg', 'node-ja', 'JP', 'available', 'sub-broker>top-broker'],
    ]);
    // The second broker alone lists Finland too (so the top broker did drop a duplicate).
    const viaSub = (await getJson(`${sub.api}/datasets`)).body.response.collections;
    expect(viaSub.map((d: any) => d.id).sort()).toEqual(['fi:kg', 'ja:kg']);
    const whole = cohort();
    const summed = new Map<string, number>();
    let total = 0;
    for (const d of list) {
      const ind = d.info.afb.individuals;
      expect(ind.source).toBe('counted');
      expect(ind.populations.reduce((s: number, c: any) => s + c.count, 0)).toBe(ind.total);
      total += ind.total;
      for (const c of ind.populations) summed.set(c.code, (summed.get(c.code) ?? 0) + c.count);
    }
    expect(Object.fromEntries(summed)).toEqual(Object.fromEntries(whole));
    expect(total).toBe([...whole.values()].reduce((s, n) => s + n, 0));
    // Filters: by population, assembly, technology, DUO code, country.
    const ids = async (q: string) => (await getJson(`${top.api}/datasets?${q}`)).body.response.collections.map((d: any) => d.id).sort();
    expect(await ids('population=AFR')).toEqual(['ee:kg', 'fi:kg', 'sub/ja:kg']);
    expect(await ids('population=NOPE')).toEqual([]);
    expect(await ids('country=JP')).toEqual(['sub/ja:kg']);
    expect(await ids('assembly=hg19&technology=wgs&duo=DUO:0000007')).toEqual(['ee:kg', 'fi:kg', 'sub/ja:kg']);
    expect(await ids('duo=DUO:0000004')).toEqual([]);
    expect(await ids('assembly=GRCh38')).toEqual([]);
  });

  test('two brokers listing each other: the hop header stops the loop, each dataset once', async () => {
    const portA = await freePort();
    const b = await startBroker('cycle-b', [peer('a', `http://127.0.0.1:${portA}/api`, { timeoutMs: 3000 }), peer('fi', nodes[0]!.api)], { cacheTtlMs: 0, deadlineMs: 4000 });
    const a = await startBroker('cycle-a', [peer('b', b.api, { timeoutMs: 3000 }), peer('ee', nodes[1]!.api)], { cacheTtlMs: 0, deadlineMs: 4000 }, portA);
    try {
      const list = (await getJson(`${a.api}/datasets`)).body.response.collections;
      expect(list.map((d: any) => `${d.id} ${d.info.afb.path.join('>')}`).sort()).toEqual(['b/fi:kg cycle-b>cycle-a', 'ee:kg cycle-a']);
      const fromB = (await getJson(`${b.api}/datasets`)).body.response.collections;
      expect(fromB.map((d: any) => d.id).sort()).toEqual(['a/ee:kg', 'fi:kg']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a node that stops answering is listed from its last answer, as unreachable', async () => {
    const passing = await startNode(join(tmp.dir, 'fi.db'), { beaconId: 'node-fi' });
    const b = await startBroker('lone-broker', [peer('fi', passing.api, { timeoutMs: 500 })], { cacheTtlMs: 0, deadlineMs: 2000 });
    try {
      const first = (await getJson(`${b.api}/datasets`)).body;
      expect(first.response.collections.map((d: any) => `${d.id}:${d.info.afb.status}`)).toEqual(['fi:kg:available']);
      await passing.close();
      const then = (await getJson(`${b.api}/datasets`)).body;
      expect(then.response.collections.map((d: any) => `${d.id}:${d.info.afb.status}`)).toEqual(['fi:kg:unreachable']);
      expect(then.info.afb.peers.map((p: any) => `${p.peer}:${p.status}`)).toEqual(['fi:failed']);
      expect(datasetSchemaErrors(then)).toEqual([]);
    } finally {
      await b.close();
    }
  });
});

describe('acceptance 3: k = 5 for anonymous callers', () => {
  let small: TestNode;
  let guarded: TestBroker;
  const access = () =>
    loadAccessConfig({
      access: {
        levels: { anonymous: { minCount: 5 }, registered: { minCount: 1 } },
        tokens: [{ id: 'lab', sha256: sha256(TOKEN), level: 'registered' }],
      },
    }, 'test.json');

  beforeAll(async () => {
    // Three samples relabelled as their own population SML: a cell of 3 people.
    const lines = readFileSync(PANEL, 'utf8').split('\n').filter(Boolean);
    const relabelled = lines.map((l, i) => (i < 3 ? `${l.split('\t')[0]}\tSML` : l));
    const panel = join(tmp.dir, 'small.panel.txt');
    writeFileSync(panel, relabelled.join('\n') + '\n');
    const db = join(tmp.dir, 'small.db');
    await ingestVcf({ db, dataset: 'small', assembly: 'GRCh37', panel, inputs: [VCF] });
    small = await startNode(db, { beaconId: 'node-small' }, { access: access() });
    guarded = await startBroker('guarded-broker', [peer('open', nodes[0]!.api), peer('small', small.api, { token: TOKEN })], { cacheTtlMs: 0 }, 0, {}, undefined, {}, access());
  }, 60_000);

  afterAll(async () => {
    await guarded?.close();
    await small?.close();
  });

  /** Every way to learn a cell of 1..4 from one dataset's published individuals. */
  function exposures(ind: any, k: number): string[] {
    const out: string[] = [];
    for (const which of ['populations', 'sexes']) {
      const cells = ind[which] as any[];
      for (const c of cells) if (typeof c.count === 'number' && c.count >= 1 && c.count < k) out.push(`${which} ${c.code} shown: ${c.count}`);
      const hidden = cells.filter((c) => c.withheld);
      if (typeof ind.total === 'number' && hidden.length > 0) {
        const rest = ind.total - cells.reduce((s, c) => s + (c.count ?? 0), 0);
        if (hidden.length === 1) out.push(`${which} ${hidden[0].code} = total - others = ${rest}`);
        if (hidden.length > 1 && rest === hidden.length) out.push(`${which}: ${hidden.length} hidden cells hold ${rest}: all ones`);
      }
    }
    if (typeof ind.total === 'number' && ind.total >= 1 && ind.total < k) out.push(`total shown: ${ind.total}`);
    return out;
  }

  test('on the node: anonymous sees SML withheld and cannot get it back; a registered caller sees 3', async () => {
    const anon = (await getJson(`${small.api}/datasets/small`)).body.response.collections[0].info.afb.individuals;
    expect(anon.minCount).toBe(5);
    expect(anon.populations.find((c: any) => c.code === 'SML')).toEqual({ code: 'SML', label: 'SML', withheld: true });
    expect(exposures(anon, 5)).toEqual([]);
    const reg = (await getJson(`${small.api}/datasets/small`, { headers: { authorization: `Bearer ${TOKEN}` } })).body.response.collections[0].info.afb.individuals;
    expect(reg.populations.find((c: any) => c.code === 'SML').count).toBe(3);
    expect(reg.populations.reduce((s: number, c: any) => s + c.count, 0)).toBe(reg.total);
    // The attack the rule is there for: with only SML hidden, total minus the others would be 3.
    expect(exposures({ ...reg, populations: reg.populations.map((c: any) => (c.code === 'SML' ? { code: 'SML', withheld: true } : c)) }, 5)).toEqual(['populations SML = total - others = 3']);
    // Filters work on what is shown: SML is there (withheld cells hold at least one person).
    expect((await getJson(`${small.api}/datasets?population=SML`)).body.response.collections.length).toBe(1);
    // The DCAT view carries no count the Beacon view withholds.
    const dcat = await (await fetch(`${small.api}/catalogue`)).json();
    expect(JSON.stringify(dcat)).not.toMatch(/"3"/);
  });

  test('countsAccess: registered hides every count from anonymous callers, whatever k', async () => {
    const meta = join(tmp.dir, 'gated.yaml');
    writeFileSync(meta, 'countsAccess: registered\n');
    const db = join(tmp.dir, 'gated.db');
    await ingestVcf({ db, dataset: 'gated', assembly: 'GRCh37', panel: PANEL, metadata: meta, inputs: [VCF] });
    const node = await startNode(db, {}, { access: access() });
    try {
      const anon = (await getJson(`${node.api}/datasets/gated`)).body.response.collections[0].info.afb.individuals;
      expect(anon.totalWithheld).toBe(true);
      expect(anon.populations.every((c: any) => c.withheld && c.count === undefined)).toBe(true);
      const reg = (await getJson(`${node.api}/datasets/gated`, { headers: { authorization: `Bearer ${TOKEN}` } })).body.response.collections[0].info.afb.individuals;
      expect(reg.total).toBe(629);
      const dcat = await (await fetch(`${node.api}/catalogue`)).json();
      expect(JSON.stringify(dcat)).not.toContain('numberOfUniqueIndividuals');
      expect(JSON.stringify(dcat)).toContain('access-right/RESTRICTED');
    } finally {
      await node.close();
    }
  });

  test('through a broker: the broker applies its own anonymous k to what the node showed it', async () => {
    const { body } = await getJson(`${guarded.api}/datasets`);
    const byId = new Map(body.response.collections.map((d: any) => [d.id, d.info.afb.individuals]));
    const smallInd: any = byId.get('small:small');
    expect(smallInd.populations.find((c: any) => c.code === 'SML').withheld).toBe(true);
    for (const [id, ind] of byId) expect([id, exposures(ind, 5)]).toEqual([id, []]);
    const reg = (await getJson(`${guarded.api}/datasets/small:small`, { headers: { authorization: `Bearer ${TOKEN}` } })).body.response.collections[0].info.afb.individuals;
    expect(reg.populations.find((c: any) => c.code === 'SML').count).toBe(3);
  });
});

describe('metadata at ingest', () => {
  test('a bad file names the file and the field; a failed ingest leaves the published metadata as it was', async () => {
    const db = join(tmp.dir, 'meta.db');
    const good = join(tmp.dir, 'good.yaml');
    writeFileSync(good, metadataYaml('EE'));
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: PANEL, metadata: good, inputs: [VCF] });
    const cases: [string, RegExp][] = [
      ['country: Estonia\n', /bad-0\.yaml: country must be an ISO 3166-1 alpha-2 code/],
      ['dataUse: [DUO:42]\n', /bad-1\.yaml: dataUse\[0\] must be a DUO code/],
      ['release: { date: 23.11.2010 }\n', /bad-2\.yaml: release\.date must be a date YYYY-MM-DD/],
      ['titel: typo\n', /bad-3\.yaml: titel must be one of the known fields/],
      ['individuals: { total: 10, populations: { A: 8, B: 4 } }\n', /bad-4\.yaml: individuals\.populations must be counts that add up to at most individuals\.total \(10\)/],
      ['countsAccess: everyone\n', /bad-5\.yaml: countsAccess must be one of anonymous, registered, controlled/],
      ['assembly: GRCh38\n', /bad-6\.yaml: assembly is GRCh38 but --assembly is GRCh37/],
      ['title: [unclosed\n', /bad-7\.yaml:\d+: not valid YAML or JSON \(Flow sequence/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const f = join(tmp.dir, `bad-${i}.yaml`);
      writeFileSync(f, text);
      // (toMatchObject on an Error compares neither code nor message as asked: read them.)
      const e = await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: PANEL, metadata: f, inputs: [VCF] }).then(() => undefined, (x: unknown) => x as { code?: string; message: string });
      expect([i, e?.code, e?.message]).toEqual([i, 'INVALID_OPTION', expect.stringMatching(message)]);
    }
    // Valid metadata, but the VCF fails: the new version and its metadata are dropped.
    const other = join(tmp.dir, 'other.yaml');
    writeFileSync(other, metadataYaml('LV'));
    await expect(ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: PANEL, metadata: other, inputs: [join(tmp.dir, 'missing.vcf.gz')] })).rejects.toThrow();
    const node = await startNode(db);
    try {
      const d = (await getJson(`${node.api}/datasets/kg`)).body.response.collections[0];
      expect(d.info.afb.metadata.country).toBe('EE');
      expect(d.info.afb.individuals.total).toBe([...cohort().values()].reduce((s, n) => s + n, 0));
    } finally {
      await node.close();
    }
    // A sites-mode dataset takes the declared individuals, with the rest of a partition as its own cell.
    const declared = join(tmp.dir, 'declared.yaml');
    writeFileSync(declared, 'individuals: { total: 100, populations: { nfe: 60, afr: 30 }, sexes: { XX: 50, male: 50 } }\n');
    await ingestVcf({ db, dataset: 'sites', assembly: 'GRCh37', mode: 'sites', metadata: declared, inputs: [realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz')] });
    const n2 = await startNode(db);
    try {
      const ind = (await getJson(`${n2.api}/datasets/sites`)).body.response.collections[0].info.afb.individuals;
      expect(ind.source).toBe('declared');
      expect(ind.populations.map((c: any) => `${c.code}:${c.count}`)).toEqual(['nfe:60', 'afr:30', 'unassigned:10']);
      expect(ind.sexes.map((c: any) => `${c.code}:${c.count}:${c.ontologyTerm}`)).toEqual(['female:50:NCIT:C16576', 'male:50:NCIT:C20197']);
      const ids = async (q: string) => (await getJson(`${n2.api}/datasets?${q}`)).body.response.collections.map((d: any) => d.id).sort();
      // The genotype dataset's panel has no sex column: only the declared one has sexes.
      expect(await ids('sex=F')).toEqual(['sites']);
      expect(await ids('sex=unknown')).toEqual([]);
      expect(await ids('population=nfe,EUR')).toEqual(['kg', 'sites']);
    } finally {
      await n2.close();
    }
  });
});
