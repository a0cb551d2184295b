import { AfbError } from '../domain/errors';
import { requireAssembly, type Assembly } from '../domain/assemblies';
import { resolveContig } from '../domain/contigs';
import { QUERY_BASES, isAlleleBases } from '../domain/alleles';
import { GRANULARITIES, type Granularity, type RangeFilters, type VariantQuery } from '../domain/lookup';
import { scalar, show } from './values';

export type IncludeResultsets = 'HIT' | 'MISS' | 'ALL' | 'NONE';
export type { Granularity, VariantQuery } from '../domain/lookup';

export interface BeaconRequest {
  /** Undefined when the request names none (the server then uses its only assembly). */
  assembly?: Assembly;
  query: VariantQuery;
  granularity: Granularity;
  skip: number;
  limit: number;
  includeResultsets: IncludeResultsets;
  datasetIds?: string[];
  /** The parameters as received, echoed (nested under g_variant) in receivedRequestSummary. */
  echo: Record<string, unknown>;
  /** Set when `requestedSchema(s)` ask for VA-Spec CohortAlleleFrequencyStudyResult (beacon/caf.ts). */
  caf?: true;
}

export interface RequestLimits {
  maxLimit: number;
  maxRangeBases: number;
  defaultGranularity: Granularity;
}


/** g_variant request parameters (gv/requestParameters.json) plus afb's `datasetIds`. */
const REQUEST_PARAMETER_NAMES = [
  'referenceName',
  'start',
  'end',
  'referenceBases',
  'alternateBases',
  'assemblyId',
  'variantType',
  'variantMinLength',
  'variantMaxLength',
  'geneId',
  'aminoacidChange',
  'genomicAlleleShortForm',
  'mateName',
  'datasetIds',
] as const;
const REQUEST_PARAMETERS = new Set<string>(REQUEST_PARAMETER_NAMES);

/** Query-string parameters a g_variants GET accepts: the above, the OpenAPI misspellings, controls, afb's `format`. */
export const GET_PARAMETERS = [
  ...REQUEST_PARAMETER_NAMES,
  'geneid',
  'allele',
  'filters',
  'requestedSchema',
  'requestedGranularity',
  'includeResultsetResponses',
  'skip',
  'limit',
  'testMode',
  'format',
] as const;

/** Parameters that name a variant; a request with none of them lists everything (a bare query). */
const VARIANT_PARAMETERS = ['referenceName', 'start', 'end', 'referenceBases', 'alternateBases', 'variantType', 'variantMinLength', 'variantMaxLength'];

type Raw = Record<string, unknown>;

/** A GET query string (`express` gives strings or arrays of strings). */
export function parseGetRequest(query: Record<string, unknown>, limits: RequestLimits): BeaconRequest {
  const unknown = Object.keys(query).filter((k) => !(GET_PARAMETERS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new AfbError('UNKNOWN_PARAMETER', `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; g_variants accepts ${GET_PARAMETERS.join(', ')}`);
  }
  const one = (k: string): string | undefined => {
    const v = query[k];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) throw new AfbError('INVALID_PARAMETER', `${k} is given more than once; give it once (lists are comma-separated, e.g. start=100,200)`);
    return String(v);
  };
  const params: Raw = {};
  for (const k of REQUEST_PARAMETERS) {
    const v = one(k);
    if (v !== undefined) params[k] = v;
  }
  if (one('geneid') !== undefined) params.geneId = one('geneid');
  if (one('allele') !== undefined) params.genomicAlleleShortForm = one('allele');
  for (const k of ['start', 'end'] as const) {
    if (typeof params[k] === 'string') params[k] = (params[k] as string).split(',').map((s) => s.trim());
  }
  if (typeof params.datasetIds === 'string') params.datasetIds = (params.datasetIds as string).split(',').map((s) => s.trim()).filter(Boolean);
  const filters = one('filters');
  return withSchemas(build(params, {
    granularity: one('requestedGranularity'),
    skip: one('skip'),
    limit: one('limit'),
    include: one('includeResultsetResponses'),
    filters: filters ? filters.split(',') : undefined,
  }, limits), one('requestedSchema')?.split(','));
}

/**
 * A POST body (fw/requests/beaconRequestBody.json): `query.requestParameters` flat or nested
 * under `g_variant`, pagination and granularity inside `query` (also accepted at the root, where
 * older docs put them).
 */
export function parsePostRequest(body: unknown, limits: RequestLimits): BeaconRequest {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body as object).length === 0)) {
    return build({}, {}, limits);
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new AfbError('INVALID_PARAMETER', 'request body must be a JSON object: {"meta":{"apiVersion":"v2.0"},"query":{"requestParameters":{...}}}');
  }
  const b = body as Raw;
  const q = (b.query ?? {}) as Raw;
  if (typeof q !== 'object' || Array.isArray(q)) throw new AfbError('INVALID_PARAMETER', 'query must be an object with requestParameters, pagination, requestedGranularity');
  let params = (q.requestParameters ?? {}) as Raw;
  if (typeof params !== 'object' || Array.isArray(params)) throw new AfbError('INVALID_PARAMETER', 'query.requestParameters must be an object, e.g. {"referenceName":"22","start":[16050074]}');
  if (typeof params.g_variant === 'object' && params.g_variant !== null) params = params.g_variant as Raw;
  const unknown = Object.keys(params).filter((k) => !REQUEST_PARAMETERS.has(k));
  if (unknown.length > 0) {
    throw new AfbError('UNKNOWN_PARAMETER', `unknown request parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; g_variants accepts ${[...REQUEST_PARAMETERS].join(', ')}`);
  }
  const pagination = (q.pagination ?? b.pagination ?? {}) as Raw;
  if (typeof pagination !== 'object' || pagination === null || Array.isArray(pagination)) {
    throw new AfbError('INVALID_PARAMETER', `pagination must be an object such as {"skip":0,"limit":10}, not ${show(pagination)}`);
  }
  const filters = q.filters;
  const meta = b.meta as Raw | undefined;
  const asked = meta && typeof meta === 'object' && Array.isArray(meta.requestedSchemas) ? meta.requestedSchemas.map((x) => (x && typeof x === 'object' ? (x as Raw).schema : x)) : undefined;
  return withSchemas(build({ ...params }, {
    granularity: q.requestedGranularity ?? b.requestedGranularity,
    skip: pagination.skip,
    limit: pagination.limit,
    include: q.includeResultsetResponses,
    filters: Array.isArray(filters) ? filters : filters === undefined ? undefined : [filters],
  }, limits), asked);
}

/**
 * `requestedSchema` (GET) / `meta.requestedSchemas[].schema` (POST): VA-Spec's
 * CohortAlleleFrequencyStudyResult, by its id or name, switches the records to CAF (beacon/caf.ts).
 * Other schemas are answered in the default one, and `returnedSchemas` says which was returned.
 */
function withSchemas(req: BeaconRequest, asked: unknown[] | undefined): BeaconRequest {
  const caf = (asked ?? []).some((s) => typeof s === 'string' && /(^|\/)CohortAlleleFrequencyStudyResult$/i.test(s.trim()));
  return caf ? { ...req, caf: true } : req;
}

interface Controls {
  granularity?: unknown;
  skip?: unknown;
  limit?: unknown;
  include?: unknown;
  filters?: unknown[];
}

function build(params: Raw, c: Controls, limits: RequestLimits): BeaconRequest {
  if (c.filters && c.filters.length > 0) {
    throw new AfbError('INVALID_PARAMETER', 'filters: this beacon has no filtering terms (GET /api/filtering_terms lists none); query by referenceName, start, end, referenceBases, alternateBases');
  }
  for (const k of ['aminoacidChange', 'genomicAlleleShortForm', 'mateName']) {
    if (params[k] !== undefined) {
      throw new AfbError('INVALID_PARAMETER', `${k}: not supported here; use a sequence query (referenceName, start, referenceBases, alternateBases), a range query (referenceName, start, end) or geneId`);
    }
  }
  const granularity = enumValue(c.granularity, 'requestedGranularity', GRANULARITIES) ?? limits.defaultGranularity;
  const includeResultsets = enumValue(c.include, 'includeResultsetResponses', ['HIT', 'MISS', 'ALL', 'NONE'] as const) ?? 'HIT';
  const skip = integer(c.skip, 'skip', 0, Number.MAX_SAFE_INTEGER, 'a number of records to skip') ?? 0;
  let limit = integer(c.limit, 'limit', 0, limits.maxLimit, `a page size (0 means the maximum, ${limits.maxLimit})`) ?? 10;
  if (limit === 0) limit = limits.maxLimit;
  const assemblyName = scalar(params.assemblyId, 'assemblyId', 'GRCh38');
  const assembly = assemblyName === undefined ? undefined : requireAssembly(assemblyName);
  const datasetIds = params.datasetIds === undefined ? undefined : stringList(params.datasetIds, 'datasetIds');
  const echo: Raw = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) echo[k] = v;
  const query = variantQuery(params, assembly, limits);
  return { assembly: query.assembly ?? assembly, query: query.query, granularity, skip, limit, includeResultsets, datasetIds, echo };
}

function variantQuery(p: Raw, assembly: Assembly | undefined, limits: RequestLimits): { query: VariantQuery; assembly?: Assembly } {
  if (p.geneId !== undefined) return { query: geneQuery(p) };
  if (!VARIANT_PARAMETERS.some((k) => p[k] !== undefined)) return { query: { kind: 'all' } };
  if (p.referenceName === undefined) {
    throw new AfbError('MISSING_PARAMETER', 'referenceName is required with start/end/bases, e.g. referenceName=22 (also chr22, NC_000022.11, refseq:NC_000022.11)');
  }
  const name = scalar(p.referenceName, 'referenceName', '22')!;
  const resolved = resolveContig(name);
  if (!resolved) throw new AfbError('INVALID_PARAMETER', `referenceName '${name}' is not a contig name; use 1-22, X, Y, MT, chr-prefixed or a RefSeq accession such as NC_000022.11`);
  if (resolved.assembly && assembly && resolved.assembly !== assembly) {
    throw new AfbError('ASSEMBLY_MISMATCH', `referenceName ${name} is a ${resolved.assembly} accession but assemblyId is ${assembly}; drop one or make them agree`);
  }
  const contig = resolved.contig;
  const starts = positions(p.start, 'start', 0);
  const ends = positions(p.end, 'end', 1);
  const ref = bases(p.referenceBases, 'referenceBases');
  const alt = bases(p.alternateBases, 'alternateBases');
  const filters = rangeFilters(p, alt);
  if (!starts) throw new AfbError('MISSING_PARAMETER', 'start is required: one value (0-based) for a sequence or range query, two for a bracket query, e.g. start=16050074');
  if (starts.length === 1 && !ends) {
    if (alt === undefined) {
      throw new AfbError('MISSING_PARAMETER', 'start without end needs alternateBases (a sequence query: referenceName, start, referenceBases, alternateBases); or give end for a range query');
    }
    if (ref === undefined || !isAlleleBases(ref) || ref.includes('N')) {
      // No or wildcard reference: every variant at that position with this alternate allele.
      return { query: { kind: 'range', contig, start0: starts[0]!, end0: starts[0]! + Math.max(1, ref?.length ?? 1), alt }, assembly: resolved.assembly };
    }
    return { query: { kind: 'sequence', contig, start0: starts[0]!, ref, alt }, assembly: resolved.assembly };
  }
  if (!ends) throw new AfbError('MISSING_PARAMETER', 'a bracket query (two start values) needs two end values, e.g. start=100,200&end=300,400');
  if (starts.length !== ends.length) {
    throw new AfbError('INVALID_PARAMETER', 'start and end must both have one value (range query) or both two values (bracket query)');
  }
  if (starts.length === 1) {
    const [s, e] = [starts[0]!, ends[0]!];
    if (s >= e) throw new AfbError('INVALID_PARAMETER', `start (${s}) must be less than end (${e}); both are 0-based, end exclusive`);
    if (e - s > limits.maxRangeBases) {
      throw new AfbError('INVALID_PARAMETER', `the range ${s}-${e} spans ${e - s} bases; at most ${limits.maxRangeBases} are allowed, split the query`);
    }
    return { query: { kind: 'range', contig, start0: s, end0: e, ...filters }, assembly: resolved.assembly };
  }
  const [s0, s1] = [starts[0]!, starts[1]!];
  const [e0, e1] = [ends[0]!, ends[1]!];
  if (s0 > s1) throw new AfbError('INVALID_PARAMETER', `start bracket [${s0}, ${s1}] must have min <= max`);
  if (e0 > e1) throw new AfbError('INVALID_PARAMETER', `end bracket [${e0}, ${e1}] must have min <= max`);
  if (s0 >= e1) throw new AfbError('INVALID_PARAMETER', `start bracket [${s0}, ${s1}] lies after end bracket [${e0}, ${e1}]`);
  if (e1 - s0 > limits.maxRangeBases) throw new AfbError('INVALID_PARAMETER', `the bracket spans ${e1 - s0} bases; at most ${limits.maxRangeBases} are allowed`);
  return { query: { kind: 'bracket', contig, startMin0: s0, startMax0: s1, endMin0: e0, endMax0: e1, ...filters }, assembly: resolved.assembly };
}

/**
 * `geneId`: an HGNC symbol or an Ensembl gene id (with or without version); the lookup resolves it
 * with a gene table (docs/api.md "Gene queries"). It names the region, so positions may not be given with it.
 */
function geneQuery(p: Raw): VariantQuery {
  const geneId = scalar(p.geneId, 'geneId', 'BRCA2')!.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(geneId)) {
    throw new AfbError('INVALID_PARAMETER', `geneId '${show(geneId)}' is not a gene symbol or Ensembl gene id; e.g. geneId=BRCA2 or geneId=ENSG00000139618`);
  }
  const clash = ['referenceName', 'start', 'end', 'referenceBases'].filter((k) => p[k] !== undefined);
  if (clash.length > 0) throw new AfbError('INVALID_PARAMETER', `geneId names the region; drop ${clash.join(', ')} (or drop geneId for a range query)`);
  const alt = bases(p.alternateBases, 'alternateBases');
  return { kind: 'gene', geneId, ...rangeFilters(p, alt) };
}

function rangeFilters(p: Raw, alt: string | undefined): RangeFilters {
  const f: RangeFilters = {};
  if (alt !== undefined && alt !== '') f.alt = alt;
  if (p.variantType !== undefined) {
    const given = scalar(p.variantType, 'variantType', 'SNP')!;
    const t = given.toUpperCase();
    if (!['SNP', 'SNV', 'MNP', 'INS', 'DEL', 'INDEL'].includes(t)) {
      throw new AfbError('INVALID_PARAMETER', `variantType '${show(given)}' is not supported; use SNP, MNP, INS, DEL or INDEL`);
    }
    f.variantType = t;
  }
  const min = integer(p.variantMinLength, 'variantMinLength', 0, 1e9, 'a length in bases');
  const max = integer(p.variantMaxLength, 'variantMaxLength', 1, 1e9, 'a length in bases');
  if (min !== undefined) f.minLength = min;
  if (max !== undefined) f.maxLength = max;
  return f;
}

/** `start`/`end`: one or two non-negative integers (array in POST, comma list in GET, a bare number accepted). */
function positions(v: unknown, name: string, min: number): number[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length < 1 || list.length > 2) {
    throw new AfbError('INVALID_PARAMETER', `${name} takes one value or two (a bracket), e.g. ${name}=16050074 or ${name}=16050000,16050100`);
  }
  return list.map((x) => {
    const n = typeof x === 'number' ? x : typeof x === 'string' && /^\s*\d+\s*$/.test(x) ? Number(x) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      throw new AfbError('INVALID_PARAMETER', `${name} '${show(x)}' is not an integer >= ${min}; ${name} is a 0-based position, e.g. ${name}=16050074`);
    }
    return n;
  });
}

/** Bases in the Beacon alphabet, any case; `-` and `.` mean an empty allele. */
function bases(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new AfbError('INVALID_PARAMETER', `${name} must be a string of bases, e.g. ${name}=A`);
  if (!QUERY_BASES.test(v)) {
    throw new AfbError('INVALID_PARAMETER', `${name} '${v}' has characters outside the allowed alphabet A C G T U N R Y S W K M B D H V - .`);
  }
  const s = v.toUpperCase().replace(/U/g, 'T');
  return s === '-' || s === '.' ? '' : s;
}

function integer(v: unknown, name: string, min: number, max: number, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new AfbError('INVALID_PARAMETER', `${name} '${show(v)}' must be an integer from ${min} to ${max}: ${what}`);
  }
  return n;
}

function enumValue<T extends string>(v: unknown, name: string, values: readonly T[]): T | undefined {
  if (v === undefined || v === '') return undefined;
  const s = scalar(v, name, values[0]!)!;
  const hit = values.find((x) => x.toLowerCase() === s.toLowerCase());
  if (!hit) throw new AfbError('INVALID_PARAMETER', `${name} '${s}' must be one of ${values.join(', ')}`);
  return hit;
}

function stringList(v: unknown, name: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string' && x !== '')) throw new AfbError('INVALID_PARAMETER', `${name} must be a list of dataset ids, e.g. ${name}=fi,ee`);
  return list as string[];
}
