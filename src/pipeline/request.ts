import { AfbError } from '../domain/errors';
import type { Granularity } from '../domain/lookup';
import { parseGetRequest, parsePostRequest, type BeaconRequest, type RequestLimits } from '../beacon/request';
import { parseBatchRequest, type BatchRequest } from '../beacon/batch';
import { parseAnnotateRequest, type AnnotateRequest } from './annotate-request';
import { parseCountsRequest, type CountsRequest } from '../beacon/counts-protocol';
import type { WrittenDeclarations } from '../beacon/counts-lines';

/**
 * A variant request as every door hands it over, free of any HTTP framework: which endpoint, the
 * query string (as name -> string or string[]), the JSON body, and the few headers that matter.
 */
export type PipelineRequest =
  | { endpoint: 'g_variants'; method: 'GET' | 'POST'; query: QueryParams; body?: unknown; headers: RequestHeaders; view?: ResultSetView }
  | { endpoint: 'g_variant'; method: 'GET' | 'POST'; id: string; query: QueryParams; body?: unknown; headers: RequestHeaders }
  | { endpoint: 'batch'; query: QueryParams; body: unknown; headers: RequestHeaders }
  /** POST /api/annotate: the body is the VCF itself (plain or gzip), read as it arrives. */
  | { endpoint: 'annotate'; query: QueryParams; body: AsyncIterable<Uint8Array>; headers: RequestHeaders }
  /**
   * afb-counts/1, the compact afb <-> afb protocol (beacon/counts-protocol.ts): same steps, its own
   * render. `declared`: on a stream, what earlier answers on it declared (datasets and groups).
   */
  | { endpoint: 'counts'; body: unknown; headers: RequestHeaders; declared?: WrittenDeclarations };

export type QueryParams = Record<string, unknown>;

/**
 * How a broker lays out its result sets: `federation` (afb's API: one set, whole records with the
 * pooled entry first) or `contributors` (the GDI portal's door: one set per node dataset, with the
 * node's beaconId and dataset id, beside a pooled set that names itself and its completeness). A
 * node answers one set per dataset either way.
 */
export type ResultSetView = 'federation' | 'contributors';

export interface RequestHeaders {
  accept?: string;
  authorization?: string;
  /** The broker hop header (X-Afb-Visited): broker ids this query has passed through. */
  visited?: string;
  /** The client's address as the door sees it (express: req.ip, honouring `trust proxy`; the fast path: the socket's): who anonymous budgets count. */
  clientIp?: string;
  /** The request id the door logs (X-Request-Id): the audit line carries it, so the two logs join. */
  requestId?: string;
}

export type Format = 'json' | 'tsv';

/** A request understood: what to look up and how to write the answer. */
export type Parsed =
  | { endpoint: 'g_variants'; request: BeaconRequest; format: Format; view?: ResultSetView }
  | { endpoint: 'g_variant'; id: string; request: BeaconRequest; format: Format }
  | { endpoint: 'batch'; batch: BatchRequest; format: Format }
  | { endpoint: 'annotate'; annotate: AnnotateRequest; body: AsyncIterable<Uint8Array> }
  | { endpoint: 'counts'; counts: CountsRequest };

export interface PipelineLimits extends RequestLimits {
  maxBatch: number;
}

/** Parse step: the request's parameters, validated, or an AfbError naming the parameter. */
export function parseRequest(req: PipelineRequest, limits: PipelineLimits): Parsed {
  if (req.endpoint === 'annotate') return { endpoint: 'annotate', annotate: parseAnnotateRequest(req.query, req.headers.accept), body: req.body };
  if (req.endpoint === 'counts') return { endpoint: 'counts', counts: parseCountsRequest(req.body, limits) };
  const { format: _format, ...query } = req.query;
  const format = formatOf(req.query.format, req.headers.accept);
  switch (req.endpoint) {
    case 'g_variants': {
      if (req.method === 'POST') return { endpoint: 'g_variants', request: parsePostRequest(req.body, limits), format, ...(req.view ? { view: req.view } : {}) };
      // A bare GET (no parameters at all) lists records whatever the default, so a verifier finds
      // a variantInternalId to try on the single-entry URL.
      const bare = Object.keys(req.query).length === 0;
      return { endpoint: 'g_variants', request: parseGetRequest(req.query, bare ? withDefault(limits, 'record') : limits), format };
    }
    case 'g_variant': {
      // One variant by id defaults to record granularity: asking for one variant means wanting it.
      const single = withDefault(limits, 'record');
      if (req.method === 'POST') return { endpoint: 'g_variant', id: req.id, request: parsePostRequest(req.body, single), format };
      const request = parseGetRequest(query, single);
      if (request.query.kind !== 'all') {
        throw new AfbError('INVALID_PARAMETER', 'g_variants/{id} takes no variant parameters besides the id; use g_variants?referenceName=... for queries');
      }
      return { endpoint: 'g_variant', id: req.id, request, format };
    }
    case 'batch':
      return { endpoint: 'batch', batch: parseBatchRequest(req.body, limits.maxBatch), format };
  }
}

function withDefault(limits: PipelineLimits, defaultGranularity: Granularity): PipelineLimits {
  return { ...limits, defaultGranularity };
}

/** `format=json|tsv` wins; else `Accept: text/tab-separated-values` asks for TSV. */
function formatOf(param: unknown, accept: string | undefined): Format {
  if (param !== undefined) {
    const f = typeof param === 'string' ? param.toLowerCase() : '';
    if (f === 'tsv' || f === 'json') return f;
    throw new AfbError('INVALID_PARAMETER', `format '${String(param)}' must be json or tsv`);
  }
  // Most callers send no Accept at all: no regular expression to run for them.
  return accept !== undefined && /text\/tab-separated-values/i.test(accept) ? 'tsv' : 'json';
}
