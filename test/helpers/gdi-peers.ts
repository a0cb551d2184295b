import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Peers that answer exactly like the GDI network's implementations, serving their shipped example
 * data (test/fixtures/gdi/, see its README for sources and licences) on the upstream routes and
 * methods. How each answers is read from its code:
 *
 * - beacon2-pi-api (`beacon/` framework): base `/api`; `g_variants` by GET (query string) and POST
 *   (Beacon request body); exact match on 0-based `start`, `referenceBases`, `alternateBases`
 *   (`.../request_parameters/mapping.py`), ranges by `start`/`end`; one result set per dataset
 *   (`id` = datasetId, `setType` dataset), the stored documents as records.
 * - beacon2-ri-tools-v2: its output documents are what a pi-api serves, so it is a pi-api with
 *   ri-tools' `output_docs/all-fields` loaded.
 * - gdi-mini-node (`mini_node/beacon/api/router.py`, `service/allele_freq.py`): base
 *   `/beacon/aggregated/v2`, `POST /g_variants` only (GET answers 405 as FastAPI does), match on
 *   Parquet POS (0-based) == `start[0]`, REF, ALT and VT (default `SNP`); one result set per
 *   dataset with `frequencyInPopulations[{source, sourceReference, numberOfPopulations,
 *   populations}]`, `variation.location.sequence_id` `HGVSid:<chr>:g.<pos+1><ref>><alt>`,
 *   `identifiers.genomicHGVSId` with the RefSeq accession, `numTotalResults` = the number of result sets.
 */

const GDI = join(__dirname, '..', 'fixtures', 'gdi');

export interface FakePeer {
  /** The Beacon API base to register (as the upstream serves it). */
  base: string;
  /** Every request: method and path (with query). */
  log: { method: string; url: string; body?: unknown }[];
  close(): Promise<void>;
}

type Doc = Record<string, any>;

export function piApiDocs(): Doc[] {
  return JSON.parse(readFileSync(join(GDI, 'beacon2-pi-api', 'genomicVariations-first5.json'), 'utf8'));
}

export function riToolsDocs(): Doc[] {
  return JSON.parse(readFileSync(join(GDI, 'beacon2-ri-tools-v2', 'all-fields-genomicVariations.json'), 'utf8'));
}

export function miniNodeReadme(): Doc {
  return JSON.parse(readFileSync(join(GDI, 'gdi-mini-node', 'g_variants-response-README.json'), 'utf8'));
}

interface Query {
  referenceName?: string;
  start: number[];
  end: number[];
  referenceBases?: string;
  alternateBases?: string;
  variantType?: string;
  limit?: number;
}

function queryOf(req: IncomingMessage, body: unknown): Query {
  if (req.method === 'GET') {
    const u = new URL(req.url ?? '/', 'http://x');
    const nums = (k: string) => (u.searchParams.get(k) ?? '').split(',').filter(Boolean).map(Number);
    return {
      referenceName: u.searchParams.get('referenceName') ?? undefined,
      start: nums('start'),
      end: nums('end'),
      referenceBases: u.searchParams.get('referenceBases') ?? undefined,
      alternateBases: u.searchParams.get('alternateBases') ?? undefined,
      variantType: u.searchParams.get('variantType') ?? undefined,
    };
  }
  const q = (body as Doc)?.query ?? {};
  const p = q.requestParameters ?? {};
  const list = (v: unknown) => (Array.isArray(v) ? v.map(Number) : typeof v === 'string' ? v.split(',').map(Number) : typeof v === 'number' ? [v] : []);
  return { referenceName: p.referenceName, start: list(p.start), end: list(p.end), referenceBases: p.referenceBases, alternateBases: p.alternateBases, variantType: p.variantType, limit: q.pagination?.limit };
}

async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: unknown, log: FakePeer['log']) => void, basePath: string): Promise<FakePeer> {
  const log: FakePeer['log'] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      log.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      handle(req, res, body, log);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    base: `http://127.0.0.1:${port}${basePath}`,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The metadata a Beacon serves (enough for afb's health polls). */
function metadata(res: ServerResponse, path: string, id: string): boolean {
  const meta = { beaconId: id, apiVersion: 'v2.0.0', returnedSchemas: [] };
  if (path === '/service-info') return void res.end(JSON.stringify({ id, name: id, type: { group: 'org.ga4gh', artifact: 'beacon', version: 'v2.0.0' }, organization: { name: id, url: 'https://example.org' }, version: 'v2.0.0' })), true;
  if (path === '/info' || path === '/') return void res.end(JSON.stringify({ meta, response: { id, name: id, apiVersion: 'v2.0.0', environment: 'test', organization: { id, name: id } } })), true;
  return false;
}

function chrOf(doc: Doc): string {
  return String(doc.variation.location.sequence_id).split(':')[1]!;
}

/**
 * A beacon2-pi-api holding `datasets` (id -> documents), answering GET and POST g_variants. The
 * documents' own `datasetId` (and `_id`) are not sent: the result set names the dataset.
 */
export function startPiApi(datasets: Record<string, Doc[]>, beaconId = 'org.ega.pi-api', o: { ignoreAlleles?: boolean } = {}): Promise<FakePeer> {
  return serve((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/api/, '') || '/';
    if (req.method === 'GET' && metadata(res, path, beaconId)) return;
    if (path !== '/g_variants' || (req.method !== 'GET' && req.method !== 'POST')) {
      res.statusCode = 404;
      return void res.end(JSON.stringify({ error: { errorCode: 404, errorMessage: 'not found' } }));
    }
    const q = queryOf(req, body);
    const sets = Object.entries(datasets).map(([id, docs]) => {
      const results = docs
        .filter((d) => q.referenceName === undefined || chrOf(d) === String(q.referenceName).replace(/^chr/i, ''))
        .filter((d) => {
          const s = d.variation.location.interval.start.value as number;
          if (o.ignoreAlleles && q.referenceBases !== undefined) return s === q.start[0];
          if (q.referenceBases !== undefined || q.alternateBases !== undefined) {
            return s === q.start[0] && d.variation.referenceBases === q.referenceBases && d.variation.alternateBases === q.alternateBases;
          }
          const e = d.variation.location.interval.end.value as number;
          return q.end.length > 0 ? s < q.end[q.end.length - 1]! && e > q.start[0]! : s === q.start[0];
        })
        .map(({ _id, datasetId, ...rest }) => rest);
      return { id, setType: 'dataset', exists: results.length > 0, resultsCount: results.length, results };
    }).filter((s) => s.exists);
    const n = sets.reduce((a, s) => a + s.resultsCount, 0);
    res.end(JSON.stringify({
      meta: { beaconId, apiVersion: 'v2.0.0', returnedGranularity: 'record', receivedRequestSummary: {}, returnedSchemas: [{ entityType: 'genomicVariation', schema: 'beacon-g_variant-v2.0.0' }] },
      responseSummary: { exists: n > 0, numTotalResults: n },
      response: { resultSets: sets },
    }));
  }, '/api');
}

/** One mini-node dataset: its id and, per variant `chr-pos1-ref-alt`, its Parquet population rows. */
export interface MiniNodeDataset {
  id: string;
  rows: Record<string, { population: string; alleleFrequency: number; alleleCount: number | null; alleleNumber: number | null; alleleCountHomozygous?: number | null; alleleCountHeterozygous?: number | null; alleleCountHemizygous?: number | null }[]>;
}

const GRCH37_REFSEQ: Record<string, string> = { '3': 'NC_000003.11', '2': 'NC_000002.11', '20': 'NC_000020.10', '22': 'NC_000022.10' };

/** A gdi-mini-node aggregated Beacon: POST-only g_variants under /beacon/aggregated/v2. */
export function startMiniNode(datasets: MiniNodeDataset[], beaconId = 'org.example.aggregated.beacon.v2'): Promise<FakePeer> {
  const base = '/beacon/aggregated/v2';
  return serve((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(base, '') || '/';
    if (req.method === 'GET' && metadata(res, path, beaconId)) return;
    if (path === '/g_variants' && req.method !== 'POST') {
      res.statusCode = 405;
      return void res.end(JSON.stringify({ detail: 'Method Not Allowed' }));
    }
    if (path !== '/g_variants') {
      res.statusCode = 404;
      return void res.end(JSON.stringify({ detail: 'Not Found' }));
    }
    const q = queryOf(req, body);
    const resultSets = [];
    for (const ds of datasets) {
      for (const [key, rows] of Object.entries(ds.rows)) {
        const [chr, pos1, ref, alt] = key.split('-') as [string, string, string, string];
        const pos0 = Number(pos1) - 1;
        const vt = ref.length === 1 && alt.length === 1 ? 'SNP' : 'INDEL';
        if (String(q.referenceName) !== chr || q.start[0] !== pos0 || q.referenceBases !== ref || q.alternateBases !== alt || (q.variantType ?? 'SNP') !== vt) continue;
        resultSets.push({
          id: ds.id,
          setType: 'dataset',
          exists: true,
          resultsCount: 1,
          results: [{
            identifiers: { genomicHGVSId: `${GRCH37_REFSEQ[chr] ?? ''}:g.${pos0 + 1}${ref}>${alt}` },
            variantInternalId: `3f1c2a4e-0000-11f0-8000-000000000000:${ref}:${alt}`,
            variation: {
              location: { type: 'SequenceLocation', sequence_id: `HGVSid:${chr}:g.${pos0 + 1}${ref}>${alt}`, interval: { type: 'SequenceInterval', start: { type: 'Number', value: pos0 }, end: { type: 'Number', value: pos0 + ref.length } } },
              referenceBases: ref,
              alternateBases: alt,
              variantType: vt,
            },
            frequencyInPopulations: [{ source: 'The Genome of Europe', sourceReference: 'https://genomeofeurope.eu/', numberOfPopulations: rows.length, populations: rows }],
          }],
        });
      }
    }
    res.end(JSON.stringify({
      meta: { beaconId, apiVersion: 'v2.2.0', receivedRequestSummary: {}, returnedSchemas: [{ entityType: 'genomicVariant', schemaUrl: 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/v2.2.0/models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json' }], returnedGranularity: 'record' },
      responseSummary: { exists: resultSets.length > 0, numTotalResults: resultSets.length },
      response: { resultSets },
    }));
  }, base);
}
