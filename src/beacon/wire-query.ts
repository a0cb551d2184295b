import type { Assembly } from '../domain/assemblies';
import type { Trimmed } from '../domain/alleles';
import type { Contig } from '../domain/contigs';
import type { AlleleQuery, Granularity, ScanQuery, VariantRecord } from '../domain/lookup';
import { formatVariantId } from '../domain/variant-id';
import { fromWireRecord, ImpossibleCountsError, WireFormatError } from './record';

/**
 * The client side of the wire: the requests a broker sends to its peers (the inverse of
 * beacon/request.ts and beacon/batch.ts, which parse them on a node) and the answers it reads
 * back (through record.ts fromWireRecord). Every reader throws WireFormatError on anything it
 * cannot trust.
 */

/**
 * `GET` path of one variant by its afb id, e.g. `/g_variants/GRCh37%3A2-10297-G-T` (trimmed
 * alleles, `-` for empty); `datasetIds` (the peer's own ids) narrows it.
 */
export function variantIdPath(assembly: Assembly, contig: Contig, t: Trimmed, datasetIds?: readonly string[]): string {
  const path = `/g_variants/${encodeURIComponent(`${assembly}:${formatVariantId(contig, t.start0, t.ref || '-', t.alt || '-')}`)}`;
  return datasetIds ? `${path}?${new URLSearchParams({ datasetIds: datasetIds.join(',') })}` : path;
}

/** `GET` path of the variants carrying an rsID. */
export function rsidPath(assembly: Assembly, rsid: number, datasetIds?: readonly string[]): string {
  return `/g_variants/rs${rsid}?${new URLSearchParams({ assemblyId: assembly, ...(datasetIds ? { datasetIds: datasetIds.join(',') } : {}) })}`;
}

/** A VRS 2.0 allele id (`ga4gh:VA.<digest>`) as a GET path: afb peers look it up in their VRS index. */
export function vrsPath(assembly: Assembly, digest: string, datasetIds?: readonly string[]): string {
  return `/g_variants/ga4gh:VA.${digest}?${new URLSearchParams({ assemblyId: assembly, ...(datasetIds ? { datasetIds: datasetIds.join(',') } : {}) })}`;
}

/** A Beacon v2 sequence query as a GET path (for third-party Beacons: one request per variant). */
export function sequenceQueryPath(assembly: Assembly, q: AlleleQuery, granularity: Granularity = 'record'): string {
  const qs = new URLSearchParams({
    referenceName: q.contig,
    start: String(q.start0),
    referenceBases: q.ref.toUpperCase(),
    alternateBases: q.alt.toUpperCase(),
    assemblyId: assembly,
    requestedGranularity: granularity,
  });
  return `/g_variants?${qs}`;
}

/**
 * A Beacon v2 sequence query as a `POST /g_variants` body, the way gdi-mini-node and the GDI
 * dataset-discovery service send it (0-based `start` as a one-element list).
 */
export function sequenceRequestBody(assembly: Assembly, q: AlleleQuery, granularity: Granularity = 'record', variantType?: string): unknown {
  return {
    meta: { apiVersion: '2.0' },
    query: {
      requestParameters: {
        assemblyId: assembly,
        referenceName: q.contig,
        start: [q.start0],
        referenceBases: q.ref.toUpperCase(),
        alternateBases: q.alt.toUpperCase(),
        ...(variantType ? { variantType } : {}),
      },
      requestedGranularity: granularity,
      pagination: { skip: 0, limit: 100 },
    },
  };
}

/** The afb `POST /batch` body for many variants (0-based starts, as beacon/batch.ts reads them). */
export function batchRequestBody(assembly: Assembly, queries: readonly AlleleQuery[], datasetIds?: readonly string[]): unknown {
  return {
    assemblyId: assembly,
    ...(datasetIds ? { datasetIds } : {}),
    variants: queries.map((q) => ({ referenceName: q.contig, start: q.start0, referenceBases: q.ref.toUpperCase(), alternateBases: q.alt.toUpperCase() })),
  };
}

/**
 * A Beacon v2 `POST /g_variants` body for a range, a bracket or a bare listing (`kind: 'all'`: no
 * variant parameters). `limit` is the number of records wanted from the start (skip 0); at count
 * and boolean granularity no records are wanted and the page asks for one at most, because on the
 * wire `limit: 0` means "the maximum". `datasetIds` (the peer's own ids) narrows it.
 */
export function scanRequestBody(assembly: Assembly, q: ScanQuery, limit: number, granularity: Granularity, datasetIds?: readonly string[]): unknown {
  const params: Record<string, unknown> = { assemblyId: assembly };
  if (datasetIds) params.datasetIds = [...datasetIds];
  if (q.kind !== 'all') {
    // A gene goes as geneId (an afb peer resolves it with its own gene table); see BeaconPeerClient for third parties.
    if (q.kind === 'gene') params.geneId = q.geneId;
    else params.referenceName = q.contig;
    if (q.kind === 'range') Object.assign(params, { start: [q.start0], end: [q.end0] });
    else if (q.kind === 'bracket') Object.assign(params, { start: [q.startMin0, q.startMax0], end: [q.endMin0, q.endMax0] });
    if (q.alt !== undefined) params.alternateBases = q.alt;
    if (q.variantType !== undefined) params.variantType = q.variantType;
    if (q.minLength !== undefined) params.variantMinLength = q.minLength;
    if (q.maxLength !== undefined) params.variantMaxLength = q.maxLength;
  }
  const pageLimit = granularity === 'record' ? limit : 1;
  if (granularity === 'record' && limit < 1) throw new RangeError('a record page asks for at least one record');
  return { meta: { apiVersion: 'v2.0' }, query: { requestParameters: params, pagination: { skip: 0, limit: pageLimit }, requestedGranularity: granularity } };
}

/** What a g_variants answer says: its records (every result set, in order) and its summary. */
export interface VariantsAnswer {
  records: VariantRecord[];
  /** responseSummary.numTotalResults when the peer sent one. */
  total?: number;
  exists?: boolean;
  /** Records refused one by one (lenient reading only): which record, and why. */
  rejected: string[];
  /** Documented non-spec forms the answer used (e.g. `populations-for-frequencies`). */
  dialects: string[];
}

export interface ReadVariantsOptions {
  /**
   * Third-party answers: a record with impossible counts (AC > AN, 2·hom > AC) is refused alone and
   * named in `rejected`; strict reading (afb peers) refuses the whole answer for it.
   */
  lenient?: boolean;
}

/**
 * A g_variants response envelope read back; a Beacon error envelope or a malformed one throws
 * WireFormatError. Entries without their own `datasetId` belong to their result set (its `id`; the
 * set's position when it has none), so two result sets of one peer that share a `source` stay two
 * datasets.
 */
export function readVariantsResponse(answer: unknown, assembly: Assembly, o: ReadVariantsOptions = {}): VariantsAnswer {
  const a = answer as Record<string, any>;
  if (!a || typeof a !== 'object' || Array.isArray(a)) throw new WireFormatError('answer is not a JSON object');
  if (a.error) throw new WireFormatError(`Beacon error ${a.error.errorCode}: ${a.error.errorMessage ?? ''}`);
  const sets = a.response?.resultSets ?? [];
  if (!Array.isArray(sets)) throw new WireFormatError('response.resultSets is not a list');
  const records: VariantRecord[] = [];
  const rejected: string[] = [];
  const dialects = new Set<string>();
  const ids = new Set<string>();
  sets.forEach((set, i) => {
    const results = set?.results ?? (set?.exists === false || set?.resultsCount !== undefined ? [] : undefined);
    if (!Array.isArray(results)) throw new WireFormatError('a result set has no results list');
    let datasetId = typeof set?.id === 'string' && set.id !== '' ? set.id : `resultSet${i + 1}`;
    if (ids.has(datasetId)) datasetId = `${datasetId}#${i + 1}`;
    ids.add(datasetId);
    results.forEach((raw: unknown, j: number) => {
      try {
        records.push(fromWireRecord(raw, { assembly, datasetId, dialects }));
      } catch (e) {
        if (!(o.lenient && e instanceof ImpossibleCountsError)) throw e;
        rejected.push(`${recordName(raw, datasetId, j)}: ${e.message}`);
      }
    });
  });
  // afb peers: what they know of datasets that lack the variant (absent "0 of AN", not covered), beside the results.
  const coverage = a.info?.afb?.coverage;
  if (coverage !== undefined) {
    if (!Array.isArray(coverage)) throw new WireFormatError('info.afb.coverage is not a list');
    for (const raw of coverage) records.push(fromWireRecord(raw, { assembly }));
  }
  const s = a.responseSummary;
  const out: VariantsAnswer = { records, rejected, dialects: [...dialects] };
  if (s && typeof s === 'object') {
    if (s.numTotalResults !== undefined) {
      if (!Number.isSafeInteger(s.numTotalResults) || s.numTotalResults < 0) throw new WireFormatError(`responseSummary.numTotalResults ${JSON.stringify(s.numTotalResults)} is not a count`);
      out.total = s.numTotalResults;
    }
    if (typeof s.exists === 'boolean') out.exists = s.exists;
  }
  return out;
}

/** How a refused record is named: its result set and the ids it carries (sequence_id, variantInternalId), else its position. */
function recordName(raw: unknown, datasetId: string, index: number): string {
  const r = raw as Record<string, any> | undefined;
  const sid = r?.variation?.location?.sequence_id;
  const id = typeof sid === 'string' ? sid : typeof r?.variantInternalId === 'string' ? r.variantInternalId : `result ${index + 1}`;
  return `record ${id} in ${datasetId}`;
}

/** An afb `POST /batch` answer read back: one entry per query, the record or undefined. */
export function readBatchResponse(answer: unknown, expected: number, assembly: Assembly): (VariantRecord | undefined)[] {
  const a = answer as { results?: unknown };
  if (!a || typeof a !== 'object' || !Array.isArray(a.results) || a.results.length !== expected) {
    throw new WireFormatError(`batch answer does not list ${expected} results`);
  }
  return a.results.map((r: { record?: unknown; coverage?: unknown }) => {
    if (!r || typeof r !== 'object') return undefined;
    const hit = r.record !== undefined ? fromWireRecord(r.record, { assembly }) : undefined;
    const coverage = r.coverage !== undefined ? fromWireRecord(r.coverage, { assembly }) : undefined;
    if (!hit || !coverage) return hit ?? coverage;
    return { ...hit, frequencies: [...hit.frequencies, ...coverage.frequencies], ...(coverage.notCovered ? { notCovered: coverage.notCovered } : {}) };
  });
}
