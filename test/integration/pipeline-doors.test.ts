/**
 * Issue 8, acceptance 1: every door into the request pipeline (the node:http fast path, express
 * GET and POST, the single entry by GET and POST, batch, TSV, afb-counts/1 by POST and on its
 * stream) gives the same records and counts
 * for the same variant; and a step added to the pipeline is seen through every door, so no door
 * can skip a rule. A real store behind a real server on a free port.
 */
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { loadServerConfig } from '../../src/config/server-config';
import { startServer, type RunningServer } from '../../src/server';
import type { DisclosureStep } from '../../src/pipeline';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { getJson, postJson, recordsOf } from '../helpers/node-server';
import type { WireRecord } from '../../src/beacon/record';
import { CountsReader } from '../../src/beacon/counts-lines';
import { openRawStream } from '../helpers/counts-stream';
import type { VariantRecord } from '../../src/domain/lookup';

const tmp = tempDir();
let db: string;

/** One row per (variant, dataset, population) with every count the wire carries. */
type Cell = string;

function cellsOfRecords(records: WireRecord[]): Cell[] {
  const out: Cell[] = [];
  for (const r of records) {
    for (const f of r.frequencyInPopulations) {
      for (const p of f.frequencies) {
        out.push([r.variantId, f.datasetId, p.population, p.populationLabel, p.alleleCount, p.alleleNumber, p.alleleCountHomozygous, p.alleleCountHeterozygous, p.alleleCountHemizygous].join('|'));
      }
    }
  }
  return out.sort();
}

/** The same cells from domain records (what afb-counts/1 gives, read by the broker's reader). */
function cellsOfDomain(records: VariantRecord[]): Cell[] {
  const out: Cell[] = [];
  for (const r of records) {
    for (const f of r.frequencies) {
      for (const p of f.populations) {
        if (p.withheld?.some((k) => k === 'ac' || k === 'an' || k === 'af')) continue;
        const c = p.counts;
        out.push([`${r.contig}-${r.display.start0 + 1}-${r.display.ref}-${r.display.alt}`, f.datasetId, p.code, p.label, c.ac, c.an, c.nhomalt, c.nhet, c.nhemi].join('|'));
      }
    }
  }
  return out.sort();
}

function cellsOfTsv(text: string): Cell[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split('\t');
  const at = (cells: string[], name: string) => cells[cols.indexOf(name)] ?? '';
  // A batch miss is one row naming only the query: no cell.
  return lines
    .map((l) => l.split('\t'))
    .filter((c) => at(c, 'variantId') !== '')
    .map((c) =>
      [at(c, 'variantId'), at(c, 'datasetId'), at(c, 'population'), at(c, 'populationLabel'), at(c, 'alleleCount'), at(c, 'alleleNumber'), at(c, 'homozygous'), at(c, 'heterozygous'), at(c, 'hemizygous')].join('|'),
    )
    .sort();
}

async function text(url: string, init?: RequestInit): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** The same variant through every door; each door's answer as cells. */
async function throughEveryDoor(api: string, id: string, q: { referenceName: string; start: number; referenceBases: string; alternateBases: string }): Promise<Record<string, Cell[]>> {
  const qs = new URLSearchParams({ ...q, start: String(q.start), requestedGranularity: 'record' });
  const body = { meta: { apiVersion: 'v2.0' }, query: { requestParameters: { ...q, start: [q.start] }, requestedGranularity: 'record' } };
  const tsv = { accept: 'text/tab-separated-values' };
  const doors: Record<string, Cell[]> = {};
  doors['fast path GET /g_variants/{id}'] = cellsOfRecords(recordsOf((await getJson(`${api}/g_variants/${id}`)).body));
  doors['fast path GET /g_variants/{id}?…'] = cellsOfRecords(recordsOf((await getJson(`${api}/g_variants/${id}?requestedGranularity=record`)).body));
  // A trailing slash is a spelling the fast path leaves to express: the express routes stay a door of their own.
  doors['express GET /g_variants/{id}/?…'] = cellsOfRecords(recordsOf((await getJson(`${api}/g_variants/${id}/?requestedGranularity=record`)).body));
  doors['POST /g_variants/{id}'] = cellsOfRecords(recordsOf((await postJson(`${api}/g_variants/${id}`, {})).body));
  doors['fast path GET /g_variants?…'] = cellsOfRecords(recordsOf((await getJson(`${api}/g_variants?${qs}`)).body));
  doors['express GET /g_variants/?…'] = cellsOfRecords(recordsOf((await getJson(`${api}/g_variants/?${qs}`)).body));
  doors['POST /g_variants'] = cellsOfRecords(recordsOf((await postJson(`${api}/g_variants`, body)).body));
  doors['GDI portal POST /v2.0.0/g_variants'] = cellsOfRecords(recordsOf((await postJson(`${api.replace(/\/api$/, '')}/v2.0.0/g_variants`, body)).body));
  const batch = (await postJson(`${api}/batch`, { variants: [id] })).body;
  doors['POST /batch'] = cellsOfRecords(batch.results.map((r: { record?: WireRecord }) => r.record).filter(Boolean));
  doors['fast path TSV'] = cellsOfTsv((await text(`${api}/g_variants/${id}`, { headers: tsv })).body);
  doors['GET TSV'] = cellsOfTsv((await text(`${api}/g_variants?${qs}&format=tsv`)).body);
  doors['express GET TSV'] = cellsOfTsv((await text(`${api}/g_variants/?${qs}&format=tsv`)).body);
  doors['POST TSV'] = cellsOfTsv((await text(`${api}/g_variants`, { method: 'POST', headers: { ...tsv, 'content-type': 'application/json' }, body: JSON.stringify(body) })).body);
  doors['batch TSV'] = cellsOfTsv((await text(`${api}/batch?format=tsv`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variants: [id] }) })).body);
  const counts = async (request: Record<string, unknown>): Promise<Cell[]> => {
    const reader = new CountsReader('GRCh37', { op: request.op as 'alleles' | 'scan' });
    for (const line of (await text(`${api}/afb-counts/1`, { method: 'POST', body: JSON.stringify(request) })).body.split('\n')) reader.line(line);
    reader.finish();
    return cellsOfDomain(reader.variants.map((v) => v.record));
  };
  doors['afb-counts/1 alleles'] = await counts({ op: 'alleles', variants: [[q.referenceName, q.start, q.referenceBases, q.alternateBases]] });
  // The long-lived stream (afb-counts/1+stream): the same request as a line, its answer read to its end line.
  const stream = await openRawStream(api);
  try {
    const request = { op: 'alleles', variants: [[q.referenceName, q.start, q.referenceBases, q.alternateBases]] };
    stream.send([request]);
    const reader = new CountsReader('GRCh37', { op: 'alleles' });
    for (const line of (await stream.answers(1))[0]!) reader.line(line);
    reader.finish();
    doors['afb-counts/1 stream'] = cellsOfDomain(reader.variants.map((v) => v.record));
  } finally {
    stream.close();
  }
  doors['afb-counts/1 scan'] = await counts({ op: 'scan', query: { kind: 'range', contig: q.referenceName, start0: q.start, end0: q.start + 1, alt: q.alternateBases }, limit: 10 });
  return doors;
}

async function start(disclosure?: DisclosureStep[]): Promise<{ api: string; server: RunningServer; close(): Promise<void> }> {
  const store = openStoreLookup(db);
  const config = { ...loadServerConfig(undefined, {}, {}), port: 0, logLevel: 'silent' as const };
  const server = await startServer({ lookup: store.lookup, config, role: 'node', version: 'test', disclosure });
  return {
    api: `${server.url}/api`,
    server,
    close: async () => {
      await server.close();
      store.close();
    },
  };
}

// Variants from the bcftools truth file of the 1000 Genomes example: a carried SNP, the first (AN 0: nobody called), the last.
const truth = readTruth('pyvcf-1kg/1kg.sites.pop.split.tsv').rows;
const picks = [truth.find((r) => Number(r.AC) > 0)!, truth[0]!, truth[truth.length - 1]!];

beforeAll(async () => {
  db = join(tmp.dir, 'node.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', name: '1000 Genomes 2010', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
});
afterAll(() => tmp.cleanup());

test.each(picks.map((r) => [`${r.CHROM}-${r.POS}-${r.REF}-${r.ALT}`, r] as const))('%s: every door gives the same records and counts', async (id, row) => {
  const node = await start();
  try {
    const doors = await throughEveryDoor(node.api, id, { referenceName: row.CHROM!, start: Number(row.POS) - 1, referenceBases: row.REF!, alternateBases: row.ALT! });
    const reference = doors['fast path GET /g_variants/{id}']!;
    // Overall group plus the four super-populations of the panel, with the truth's total AC/AN.
    expect(reference.length).toBe(5);
    expect(reference.some((c) => c.includes(`|${row.AC}|${row.AN}|`))).toBe(true);
    for (const [door, cells] of Object.entries(doors)) expect({ door, cells }).toEqual({ door, cells: reference });
  } finally {
    await node.close();
  }
});

test('a step added to the pipeline is seen through every door, JSON and TSV', async () => {
  const mark: DisclosureStep = (answer) => ({
    ...answer,
    records: answer.records.map((r) => r && { ...r, frequencies: r.frequencies.map((f) => ({ ...f, populations: f.populations.map((p) => ({ ...p, label: `MARKED ${p.label}` })) })) }),
  });
  const node = await start([mark]);
  try {
    const row = picks[0]!;
    const doors = await throughEveryDoor(node.api, `${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`, { referenceName: row.CHROM!, start: Number(row.POS) - 1, referenceBases: row.REF!, alternateBases: row.ALT! });
    expect(Object.keys(doors).length).toBe(17);
    for (const [door, cells] of Object.entries(doors)) {
      expect({ door, n: cells.length }).toEqual({ door, n: 5 });
      expect({ door, unmarked: cells.filter((c) => c.split('|')[3]!.startsWith('MARKED ') === false) }).toEqual({ door, unmarked: [] });
    }
  } finally {
    await node.close();
  }
});

test('a step that withholds everything leaves nothing to see through any door, counts included', async () => {
  const none: DisclosureStep = (answer) => ({ ...answer, total: 0, records: answer.records.map(() => undefined) });
  const node = await start([none]);
  try {
    const row = picks[0]!;
    const id = `${row.CHROM}-${row.POS}-${row.REF}-${row.ALT}`;
    const doors = await throughEveryDoor(node.api, id, { referenceName: row.CHROM!, start: Number(row.POS) - 1, referenceBases: row.REF!, alternateBases: row.ALT! });
    for (const [door, cells] of Object.entries(doors)) expect({ door, cells }).toEqual({ door, cells: [] });
    const count = (await getJson(`${node.api}/g_variants?referenceName=2&start=0&end=100000&requestedGranularity=count`)).body;
    expect(count.responseSummary).toEqual({ exists: false, numTotalResults: 0 });
  } finally {
    await node.close();
  }
});
