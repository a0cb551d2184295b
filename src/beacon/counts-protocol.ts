import { AfbError } from '../domain/errors';
import { requireAssembly, type Assembly } from '../domain/assemblies';
import { resolveContig } from '../domain/contigs';
import type { AlleleQuery, ScanQuery, VariantKey } from '../domain/lookup';
import { parseBatchRequest, type BatchItem } from './batch';
import { scalar, show } from './values';

/**
 * afb-counts/1: the compact afb <-> afb protocol (DESIGN §8, docs/network-operators.md "The compact
 * peer protocol"). A request is one JSON body `POST <api>/afb-counts/1`; the answer is NDJSON: a
 * header object, then one JSON array per line (dataset and group declarations, variants or keys),
 * then an end line that counts them, so a cut stream is seen as cut. Counts only: no Beacon
 * envelope, no per-record wrapping, each dataset's and group's names sent once.
 *
 * Why NDJSON and not length-prefixed binary frames: V8's JSON.parse is native code and reads a line
 * of small arrays faster than a frame decoder written in JS would; a line is a frame (the newline
 * is its end, and no JSON text holds a raw newline); and an operator can read it with curl.
 */
export const COUNTS_PROTOCOL = 'afb-counts/1';
/** Below the API base: `POST /api/afb-counts/1`. */
export const COUNTS_PATH = '/afb-counts/1';
export const COUNTS_CONTENT_TYPE = 'application/x-ndjson; charset=utf-8';
/**
 * The `pooled` option of an alleles request, announced beside the protocol in `afb.protocols`: a
 * broker answers each variant with its pooled entry only (no per-node entries). For a client that
 * wants the pooled counts and who answered (afb annotate), not the parts to pool again; a node
 * (no pooled entry) answers its entries as always.
 */
export const COUNTS_POOLED = `${COUNTS_PROTOCOL}+pooled`;
/**
 * The long-lived stream, announced as `afb-counts/1+stream`: `GET <api>/afb-counts/1` with
 * `Connection: Upgrade` and `Upgrade: afb-counts/1` (and the headers a POST would carry:
 * Authorization, X-Afb-Visited). After `101 Switching Protocols` the client writes one request per
 * line, the same JSON object a POST carries, and may write the next before the last is answered.
 * The server answers them one after another in the order they came: each answer is exactly the
 * lines a POST would have been answered with (header, ..., end line), or, when the request failed,
 * the one line `{"protocol":"afb-counts/1","status":<HTTP status>,"error":{...}}` (the Beacon
 * error's `error` object). Every request on it goes through the server's pipeline as a POST does
 * (its caller identified, its budget taken, its audit line written), so access levels and
 * disclosure control hold on it exactly. Why: a broker's single lookup costs it ~45 µs of HTTP
 * exchange per peer (undici's request, the HTTP/1.1 parser, timers); on a stream it is one line
 * written and one read.
 */
export const COUNTS_STREAM = `${COUNTS_PROTOCOL}+stream`;
/** The Upgrade token of the stream. */
export const COUNTS_UPGRADE = COUNTS_PROTOCOL;
/** What a server announces in `afb.protocols` (service-info and info). */
export const COUNTS_PROTOCOLS: readonly string[] = [COUNTS_PROTOCOL, COUNTS_POOLED, COUNTS_STREAM];

/** A failed request's one line on the stream (its Beacon error's `error` object and HTTP status). */
export function streamErrorLine(status: number, error: unknown): string {
  return JSON.stringify({ protocol: COUNTS_PROTOCOL, status, error }) + '\n';
}

/**
 * The first line of an answer on the stream, when it is an error line: its status and Beacon
 * error; undefined when it is an answer's header (which never holds `"error"`).
 */
export function readStreamError(line: string): { status: number; code?: string; message?: string } | undefined {
  if (!line.includes('"error"')) return undefined;
  let v: { protocol?: unknown; status?: unknown; error?: { errorCode?: unknown; errorCodeName?: unknown; errorMessage?: unknown } };
  try {
    v = JSON.parse(line) as typeof v;
  } catch {
    return undefined;
  }
  if (!v || v.protocol !== COUNTS_PROTOCOL || !Number.isInteger(v.status) || (v.status as number) < 400 || (v.status as number) > 599) return undefined;
  const e = v.error ?? {};
  return { status: v.status as number, ...(typeof e.errorCodeName === 'string' ? { code: e.errorCodeName } : {}), ...(typeof e.errorMessage === 'string' ? { message: e.errorMessage } : {}) };
}

/** Most matches one scan answer streams (`limit`); more is PAGE_LIMIT_EXCEEDED, never a silent cap. */
export const MAX_COUNTS_SCAN = 100_000;

/** What an afb-counts/1 request asks. */
export type CountsRequest =
  | {
      op: 'alleles';
      assembly?: Assembly;
      datasetIds?: string[];
      items: BatchItem[];
      /** Pooled entries only where a record has one (COUNTS_POOLED). */
      pooled: boolean;
    }
  | {
      op: 'scan';
      assembly?: Assembly;
      datasetIds?: string[];
      query: ScanQuery;
      /** Matches to stream (0: the total only). */
      limit: number;
      /** Stream keys only (`K` lines): for exact distinct totals across peers. */
      keys: boolean;
      /** Keyset cursor: only matches after this key. */
      after?: VariantKey;
    };

/** A variant as the protocol writes it in a request: [contig, 0-based start, ref, alt]. */
export type WireAllele = [string, number, string, string];

/** The request body a broker sends for alleles (one or many variants). */
export function allelesCountsBody(assembly: Assembly, queries: readonly AlleleQuery[], datasetIds?: readonly string[], pooled = false): unknown {
  return { op: 'alleles', assemblyId: assembly, ...(datasetIds ? { datasetIds } : {}), ...(pooled ? { pooled: true } : {}), variants: queries.map((q): WireAllele => [q.contig, q.start0, q.ref.toUpperCase(), q.alt.toUpperCase()]) };
}

/** The request body a broker sends for a scan. */
export function scanCountsBody(assembly: Assembly, query: ScanQuery, limit: number, keys: boolean, datasetIds?: readonly string[], after?: VariantKey): unknown {
  return { op: 'scan', assemblyId: assembly, ...(datasetIds ? { datasetIds } : {}), query, limit, keys, ...(after ? { after: [after.contig, after.start0, after.ref, after.alt] } : {}) };
}

/**
 * An afb-counts/1 request body read (the node side of the door), every field checked: an
 * AfbError names the field and its valid form. `maxBatch` bounds `variants`, `maxRangeBases` a range.
 */
export function parseCountsRequest(body: unknown, limits: { maxBatch: number; maxRangeBases: number }): CountsRequest {
  const b = body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL}: the body must be a JSON object {"op":"alleles"|"scan", "assemblyId":..., ...}`);
  const known = new Set(['op', 'assemblyId', 'datasetIds', 'variants', 'query', 'limit', 'keys', 'after', 'pooled']);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new AfbError('UNKNOWN_PARAMETER', `${COUNTS_PROTOCOL}: unknown field ${unknown.map((u) => `'${u}'`).join(', ')}; it takes ${[...known].join(', ')}`);
  const name = scalar(b.assemblyId, 'assemblyId', 'GRCh38');
  const assembly = name === undefined ? undefined : requireAssembly(name);
  let datasetIds: string[] | undefined;
  if (b.datasetIds !== undefined) {
    if (!Array.isArray(b.datasetIds) || !b.datasetIds.every((x) => typeof x === 'string' && x !== '')) throw new AfbError('INVALID_PARAMETER', 'datasetIds must be a list of dataset ids, e.g. ["fi"]');
    datasetIds = b.datasetIds as string[];
  }
  if (b.pooled !== undefined && (typeof b.pooled !== 'boolean' || b.op !== 'alleles')) throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL}: pooled must be true or false, and only with op 'alleles'`);
  if (b.op === 'alleles') {
    if (!Array.isArray(b.variants)) throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL} alleles: variants must be a list of [contig, start0, ref, alt]`);
    const variants = b.variants.map((v) => (Array.isArray(v) && v.length === 4 ? { referenceName: v[0], start: v[1], referenceBases: v[2], alternateBases: v[3] } : v));
    const batch = parseBatchRequest({ variants }, limits.maxBatch);
    return { op: 'alleles', assembly, datasetIds, items: batch.items, pooled: b.pooled === true };
  }
  if (b.op === 'scan') {
    const limit = b.limit;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL} scan: limit ${show(limit)} must be an integer >= 0`);
    if (limit > MAX_COUNTS_SCAN) {
      throw new AfbError('PAGE_LIMIT_EXCEEDED', `${COUNTS_PROTOCOL} scan: limit ${limit}; one answer streams at most ${MAX_COUNTS_SCAN} matches: continue from the last key (after)`);
    }
    if (b.keys !== undefined && typeof b.keys !== 'boolean') throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL} scan: keys must be true or false`);
    const after = b.after === undefined ? undefined : wireKey(b.after, 'after');
    return { op: 'scan', assembly, datasetIds, query: scanQuery(b.query, limits.maxRangeBases), limit, keys: b.keys === true, ...(after ? { after } : {}) };
  }
  throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL}: op ${show(b.op)} must be 'alleles' or 'scan'`);
}

function wireKey(v: unknown, field: string): VariantKey {
  const a = v as unknown[];
  const c = Array.isArray(a) && a.length === 4 && typeof a[0] === 'string' ? resolveContig(a[0]) : undefined;
  if (!c || c.contig === '' || !Number.isSafeInteger(a[1]) || (a[1] as number) < 0 || typeof a[2] !== 'string' || typeof a[3] !== 'string' || !/^[ACGTN]*$/.test(a[2]) || !/^[ACGTN]*$/.test(a[3])) {
    throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL}: ${field} must be [contig, trimmed start0, ref, alt], e.g. ["22",16050074,"A","G"]`);
  }
  return { contig: c.contig, start0: a[1] as number, ref: a[2], alt: a[3] };
}

/** A ScanQuery as the broker sends it (the domain shape, as JSON), checked field by field. */
function scanQuery(v: unknown, maxRangeBases: number): ScanQuery {
  const q = v as Record<string, unknown> | undefined;
  const bad = (why: string): never => {
    throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL} scan: query ${why}`);
  };
  if (!q || typeof q !== 'object') return bad('must be {"kind":"range"|"bracket"|"all", ...}');
  if (q.kind === 'all') return { kind: 'all' };
  if (q.kind !== 'range' && q.kind !== 'bracket' && q.kind !== 'gene') return bad(`kind ${show(q.kind)} must be range, bracket, gene or all`);
  const int = (k: string): number => {
    const x = q[k];
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) bad(`${k} ${show(x)} must be an integer >= 0`);
    return x as number;
  };
  const filters: Record<string, unknown> = {};
  if (q.alt !== undefined) filters.alt = typeof q.alt === 'string' && /^[ACGTN]*$/i.test(q.alt) ? q.alt : bad('alt must be bases');
  if (q.variantType !== undefined) filters.variantType = typeof q.variantType === 'string' && ['SNP', 'SNV', 'MNP', 'INS', 'DEL', 'INDEL'].includes(q.variantType) ? q.variantType : bad('variantType must be SNP, MNP, INS, DEL or INDEL');
  if (q.minLength !== undefined) filters.minLength = int('minLength');
  if (q.maxLength !== undefined) filters.maxLength = int('maxLength');
  // A gene is resolved by the answering node's own gene table (a broker's span, if sent, is not trusted for that).
  if (q.kind === 'gene') {
    if (typeof q.geneId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(q.geneId)) return bad('geneId must be an HGNC symbol or an Ensembl gene id');
    return { kind: 'gene', geneId: q.geneId, ...filters };
  }
  const c = typeof q.contig === 'string' ? resolveContig(q.contig) : undefined;
  if (!c || c.contig === '') return bad(`contig ${show(q.contig)} is not a contig name`);
  if (q.kind === 'range') {
    const start0 = int('start0');
    const end0 = int('end0');
    if (end0 <= start0) bad(`range [${start0}, ${end0}) is empty`);
    if (end0 - start0 > maxRangeBases) bad(`spans ${end0 - start0} bases; at most ${maxRangeBases} are allowed`);
    return { kind: 'range', contig: c.contig, start0, end0, ...filters };
  }
  const [s0, s1, e0, e1] = [int('startMin0'), int('startMax0'), int('endMin0'), int('endMax0')];
  if (s0 > s1 || e0 > e1) bad('brackets must be [min, max]');
  if (e1 - s0 > maxRangeBases) bad(`spans ${e1 - s0} bases; at most ${maxRangeBases} are allowed`);
  return { kind: 'bracket', contig: c.contig, startMin0: s0, startMax0: s1, endMin0: e0, endMax0: e1, ...filters };
}
