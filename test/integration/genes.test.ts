/**
 * Gene queries (issue 13, acceptance 3): a geneId query returns exactly the variants inside the
 * gene's span, directly and through a broker. Gene: DDX11L1 from a real GENCODE v19 excerpt
 * (test/fixtures/genes); data: the vcfanno ExAC and gnomAD sites fixtures (chr1, GRCh37); truth:
 * bcftools view -r of the split fixtures over the gene's span (test/fixtures/genes/make_truth.sh).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openForWrite } from '../../src/store/open';
import { writeGenes } from '../../src/store';
import { readGeneFile } from '../../src/config/gene-file';
import { GeneIndex } from '../../src/domain/genes';
import { trimAlleles } from '../../src/domain/alleles';
import { fromWireRecord } from '../../src/beacon/record';
import { realFile, tempDir } from '../helpers/fixtures';
import { getJson, postJson, startNode, type TestNode } from '../helpers/node-server';
import { peer, startBroker, type TestBroker } from '../helpers/federation';
import { responseErrors } from '../helpers/beacon-schemas';
import { runAfb } from '../helpers/cli';

const GENES = join(__dirname, '..', 'fixtures', 'genes');
const GTF = join(GENES, 'gencode-v19.gtf');

function truthKeys(set: 'exac' | 'gno'): string[] {
  const lines = readFileSync(join(GENES, `DDX11L1.${set}.truth.tsv`), 'utf8').split('\n').slice(1).filter(Boolean);
  return lines.map((l) => {
    const [chrom, pos, ref, alt] = l.split('\t');
    const t = trimAlleles(Number(pos) - 1, ref!, alt!);
    return `${chrom}:${t.start0}:${t.ref}:${t.alt}`;
  });
}
const EXAC = truthKeys('exac');
const GNO = truthKeys('gno');
const BOTH = [...new Set([...EXAC, ...GNO])].sort();

let tmp: { dir: string; cleanup(): void };
let exacNode: TestNode;
let gnoNode: TestNode;
let bareNode: TestNode;
let broker: TestBroker;
let thirdPartyBroker: TestBroker;

beforeAll(async () => {
  tmp = tempDir('afb-genes-');
  const db = (n: string) => join(tmp.dir, `${n}.db`);
  await ingestVcf({ db: db('exac'), dataset: 'exac', assembly: 'GRCh37', inputs: [realFile('vcfanno-exac-gnomad/exac.vcf.gz')] });
  await ingestVcf({ db: db('gno'), dataset: 'gno', assembly: 'GRCh37', inputs: [realFile('vcfanno-exac-gnomad/gno.vcf.gz')] });
  await ingestVcf({ db: db('bare'), dataset: 'gno', assembly: 'GRCh37', inputs: [realFile('vcfanno-exac-gnomad/gno.vcf.gz')] });
  // One gene table through the CLI, as an operator loads it; one through the store API.
  const cli = runAfb(['genes', '--db', db('exac'), '--assembly', 'GRCh37', GTF]);
  expect(cli.stderr).toBe('');
  expect(JSON.parse(cli.stdout)).toMatchObject({ assembly: 'GRCh37', genes: 1 });
  const w = openForWrite(db('gno'));
  writeGenes(w, 'GRCh37', await readGeneFile(GTF));
  w.close();
  exacNode = await startNode(db('exac'), { beaconId: 'exacnode' });
  gnoNode = await startNode(db('gno'), { beaconId: 'gnonode' });
  bareNode = await startNode(db('bare'), { beaconId: 'barenode' });
  broker = await startBroker('eu', [peer('ex', exacNode.api), peer('gn', gnoNode.api)]);
  // A broker with its own gene table over a third-party Beacon (here an afb node without any gene table, asked as kind 'beacon').
  thirdPartyBroker = await startBroker('eu3', [peer('ex', exacNode.api), peer('tp', bareNode.api, { kind: 'beacon' })], {}, 0, { genes: new GeneIndex(await readGeneFile(GTF)) });
}, 60_000);

afterAll(async () => {
  for (const b of [broker, thirdPartyBroker]) await b?.close();
  for (const n of [exacNode, gnoNode, bareNode]) await n?.close();
  tmp?.cleanup();
});

/** The variants of a record-granularity answer, as trimmed keys (each variant once). */
function keysOf(body: any): string[] {
  const keys = new Set<string>();
  for (const set of body.response.resultSets) {
    for (const r of set.results) {
      const v = fromWireRecord(r);
      keys.add(`${v.contig}:${v.trimmed.start0}:${v.trimmed.ref}:${v.trimmed.alt}`);
    }
  }
  return [...keys].sort();
}

async function gene(api: string, geneId: string, extra = ''): Promise<any> {
  const r = await getJson(`${api}/g_variants?geneId=${encodeURIComponent(geneId)}&assemblyId=GRCh37&requestedGranularity=record&limit=1000${extra}`);
  expect(responseErrors(r.body)).toEqual([]);
  return r;
}

describe('directly', () => {
  test('geneId by HGNC symbol returns exactly the fixture records inside the span', async () => {
    const r = await gene(exacNode.api, 'DDX11L1');
    expect(r.status).toBe(200);
    expect(EXAC.length).toBeGreaterThan(0);
    expect(keysOf(r.body)).toEqual([...EXAC].sort());
    expect(r.body.responseSummary.numTotalResults).toBe(EXAC.length);
    const g = await gene(gnoNode.api, 'DDX11L1');
    expect(keysOf(g.body)).toEqual([...new Set(GNO)].sort());
  });

  test('by Ensembl id, with or without its version, any case: the same answer', async () => {
    const want = [...EXAC].sort();
    for (const id of ['ENSG00000223972', 'ENSG00000223972.4', 'ddx11l1']) expect(keysOf((await gene(exacNode.api, id)).body)).toEqual(want);
  });

  test('POST with geneId in requestParameters', async () => {
    const r = await postJson(`${exacNode.api}/g_variants`, { meta: { apiVersion: 'v2.0' }, query: { requestParameters: { assemblyId: 'GRCh37', geneId: 'DDX11L1' }, requestedGranularity: 'count' } });
    expect(r.body.responseSummary).toEqual({ exists: true, numTotalResults: EXAC.length });
  });

  test('an unknown gene, a node without a gene table, and geneId with positions are 400s naming the problem', async () => {
    const unknown = await gene(exacNode.api, 'NOSUCHGENE1');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.errorCodeName).toBe('UNKNOWN_GENE');
    const bare = await gene(bareNode.api, 'DDX11L1');
    expect(bare.status).toBe(400);
    expect(bare.body.error.errorMessage).toMatch(/no GRCh37 gene table/);
    const clash = await getJson(`${exacNode.api}/g_variants?geneId=DDX11L1&referenceName=1&start=1&end=100`);
    expect(clash.status).toBe(400);
    expect(clash.body.error.errorMessage).toMatch(/geneId names the region/);
  });
});

describe('through a broker', () => {
  test('forwarded to afb peers: the union of both fixtures inside the span, each variant once', async () => {
    const r = await gene(broker.api, 'DDX11L1');
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(BOTH);
    expect(r.body.info.afb.peers.map((p: any) => p.status)).toEqual(['ok', 'ok']);
  });

  test('a third-party peer is asked the span from the broker\'s gene table (it has none of its own)', async () => {
    const r = await gene(thirdPartyBroker.api, 'DDX11L1');
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(BOTH);
    const tp = r.body.info.afb.peers.find((p: any) => p.peer === 'tp');
    expect(tp.status).toBe('ok');
    expect(tp.notes.join(' ')).toMatch(/asked as 1:11868-14412/);
  });

  test('an afb peer without a gene table is skipped and named (never a failure that marks it down)', async () => {
    const b = await startBroker('eu5', [peer('ex', exacNode.api), peer('bare', bareNode.api)], { cacheTtlMs: 0 });
    try {
      for (let i = 0; i < 4; i++) {
        const r = await gene(b.api, 'DDX11L1');
        expect(keysOf(r.body)).toEqual([...EXAC].sort());
        const bare = r.body.info.afb.peers.find((p: any) => p.peer === 'bare');
        expect(bare.status).toBe('skipped_unsupported');
        expect(bare.message).toMatch(/UNKNOWN_GENE: geneId: this node has no GRCh37 gene table/);
      }
    } finally {
      await b.close();
    }
  });

  test('without a broker gene table a third-party peer is skipped and named, never read as a miss', async () => {
    const b = await startBroker('eu4', [peer('ex', exacNode.api), peer('tp', bareNode.api, { kind: 'beacon' })]);
    try {
      const r = await gene(b.api, 'DDX11L1');
      expect(keysOf(r.body)).toEqual([...EXAC].sort());
      expect(r.body.info.afb.peers.find((p: any) => p.peer === 'tp').status).toBe('skipped_unsupported');
    } finally {
      await b.close();
    }
  });
});
