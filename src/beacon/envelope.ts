import type { AfbError, ErrorCode } from '../domain/errors';
import type { BeaconRequest, Granularity, IncludeResultsets } from './request';
import type { WireRecord } from './record';
import { CAF_RETURNED_SCHEMA } from './caf';

export const API_VERSION = 'v2.0.0';
export const GV_SCHEMA = { entityType: 'genomicVariant', schema: 'ga4gh-beacon-variant-v2.0.0' };

/** What every envelope needs to know about the beacon answering. */
export interface BeaconIdentity {
  beaconId: string;
}

/** The request as the response echoes it (fw/responses/sections/beaconReceivedRequestSummary.json). */
export interface RequestSummary {
  requestedGranularity: Granularity;
  /** The granularity answered when it is lower than the one asked (the caller's access level allows no more). */
  returnedGranularity?: Granularity;
  skip: number;
  limit: number;
  includeResultsets?: IncludeResultsets;
  /** Echoed nested under `g_variant`, the only form the framework schema accepts. */
  params?: Record<string, unknown>;
  /** Set when the records are in another schema than the Beacon default (VA-Spec CAF, beacon/caf.ts): what was asked and returned. */
  schema?: { entityType: string; schema: string };
}

export function summaryOf(req: BeaconRequest): RequestSummary {
  return { requestedGranularity: req.granularity, skip: req.skip, limit: req.limit, includeResultsets: req.includeResultsets, params: req.echo, ...(req.caf ? { schema: CAF_RETURNED_SCHEMA } : {}) };
}

/** A summary for requests that never got parsed (errors, bare endpoints). */
export const DEFAULT_SUMMARY: RequestSummary = { requestedGranularity: 'boolean', skip: 0, limit: 10 };

export function responseMeta(id: BeaconIdentity, returned: Granularity, s: RequestSummary) {
  const received: Record<string, unknown> = {
    apiVersion: API_VERSION,
    requestedSchemas: s.schema ? [s.schema] : [],
    pagination: { skip: s.skip, limit: s.limit },
    requestedGranularity: s.requestedGranularity,
  };
  if (s.includeResultsets) received.includeResultsetResponses = s.includeResultsets;
  if (s.params && Object.keys(s.params).length > 0) received.requestParameters = { g_variant: s.params };
  return {
    beaconId: id.beaconId,
    apiVersion: API_VERSION,
    returnedSchemas: [s.schema && returned === 'record' ? s.schema : GV_SCHEMA],
    returnedGranularity: returned,
    receivedRequestSummary: received,
  };
}

export function informationalMeta(id: BeaconIdentity) {
  return { beaconId: id.beaconId, apiVersion: API_VERSION, returnedSchemas: [GV_SCHEMA] };
}

/** One result set per dataset (a node) or one for the whole federation (a broker). */
export interface ResultSet {
  id: string;
  /** Whose set it is (Beacon networks stamp it; the GDI portal reads it): this beacon's id unless set. */
  beaconId?: string;
  records: WireRecord[];
  /** Matches in this set over all pages, when known. */
  total?: number;
  info?: Record<string, unknown>;
  /**
   * Beacon v2.2 `countAdjustedTo`: set when counts inside these records are withheld below this
   * threshold (docs/api.md "Withheld counts"); `countPrecision` is then 'imprecise'.
   */
  countAdjustedTo?: number;
}

/**
 * The g_variants answer at the granularity asked: boolean and count carry only the summary;
 * record carries the result sets chosen by includeResultsetResponses.
 */
export function variantsResponse(
  id: BeaconIdentity,
  s: RequestSummary,
  total: number,
  sets: ResultSet[],
  info: Record<string, unknown>,
) {
  const exists = total > 0;
  const g = s.returnedGranularity ?? s.requestedGranularity;
  if (g === 'boolean') return { meta: responseMeta(id, g, s), responseSummary: { exists }, info };
  if (g === 'count') return { meta: responseMeta(id, g, s), responseSummary: { exists, numTotalResults: total }, info };
  const include = s.includeResultsets ?? 'HIT';
  const chosen = sets.filter((set) => {
    const hit = set.records.length > 0 || (set.total ?? 0) > 0;
    return include === 'ALL' || (include === 'HIT' && hit) || (include === 'MISS' && !hit);
  });
  return {
    meta: responseMeta(id, g, s),
    responseSummary: { exists, numTotalResults: total },
    response: {
      resultSets: include === 'NONE' ? [] : chosen.map((set) => ({
        id: set.id,
        beaconId: set.beaconId ?? id.beaconId,
        setType: 'dataset',
        exists: set.records.length > 0 || (set.total ?? 0) > 0,
        resultsCount: set.total ?? set.records.length,
        results: set.records,
        ...(set.countAdjustedTo !== undefined ? { countAdjustedTo: [set.countAdjustedTo], countPrecision: 'imprecise' } : {}),
        ...(set.info ? { info: set.info } : {}),
      })),
    },
    info,
  };
}

/** fw/responses/beaconErrorResponse.json, with afb's stable code beside the HTTP-like errorCode. */
export function errorResponse(id: BeaconIdentity, status: number, message: string, codeName: ErrorCode, s: RequestSummary = DEFAULT_SUMMARY) {
  return {
    meta: responseMeta(id, s.requestedGranularity, s),
    error: { errorCode: status, errorMessage: message, errorCodeName: codeName },
  };
}

export function errorFromAfb(id: BeaconIdentity, e: AfbError, s?: RequestSummary) {
  return errorResponse(id, e.httpStatus, e.message, e.code, s);
}
