import type { DatasetFrequencies, DatasetInfo, LookupTrace, VariantRecord } from '../domain/lookup';
import { toWireRecord, type WireRecord } from '../beacon/record';
import type { BeaconRequest } from '../beacon/request';
import { summaryOf, variantsResponse, type BeaconIdentity, type RequestSummary, type ResultSet } from '../beacon/envelope';
import { tsvHeader, tsvRows } from '../beacon/tsv';
import type { Answer } from './answer';
import type { Parsed } from './request';
import { jsonParts } from './json-parts';

/**
 * What a door writes back: status, content type and the body, serialised. A small body is one
 * string; a large one comes in parts that the door writes as the client reads (back-pressure).
 */
export interface Reply {
  status: number;
  contentType: string;
  body: string | Iterable<string> | AsyncIterable<string>;
  /** Headers the answer needs besides Content-Type (WWW-Authenticate on a 401, Retry-After on a 429). */
  headers?: Record<string, string>;
}

/** A reply in the format asked: one string, or parts. */
export function reply(format: 'json' | 'tsv', body: Reply['body']): Reply {
  return { status: 200, contentType: format === 'tsv' ? TSV_TYPE : JSON_TYPE, body };
}

/** Answers with more records than this are written in parts (a single lookup stays one string). */
const STREAM_ABOVE_RECORDS = 50;

export interface RenderContext extends BeaconIdentity {
  role: 'node' | 'broker';
  /** frequencyInPopulations.sourceReference of this beacon's records. */
  sourceReference: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TSV_TYPE = 'text/tab-separated-values; charset=utf-8';

/** The answer as a Beacon envelope (JSON) or as TSV, in the form the request asked for. */
export function render(ctx: RenderContext, parsed: Exclude<Parsed, { endpoint: 'batch' }>, answer: Answer, extraInfo: Record<string, unknown> = {}): Reply {
  const wire = wireOf(ctx, answer.datasets);
  const records = answer.records.filter((r): r is VariantRecord => r !== undefined);
  if (parsed.format === 'tsv') return tsv(records.length, (i) => tsvRows('', wire(records[i]!)), answer.minCount);
  const asked = summaryFor(parsed.request, parsed.endpoint === 'g_variant' ? parsed.id : undefined);
  // A caller whose level allows less than it asked is answered at its level, and meta says so.
  const summary = answer.granularity === asked.requestedGranularity ? asked : { ...asked, returnedGranularity: answer.granularity };
  return json(variantsResponse(ctx, summary, answer.total, resultSets(ctx, answer, records, wire), answerInfo(answer, extraInfo)), records.length);
}

/**
 * A record that becomes wire JSON only when it is written (JSON.stringify and jsonParts call
 * toJSON), so a streamed answer holds one record's text at a time. Typed as the wire record it
 * writes, which is all the envelope needs to know.
 */
export function lazy(r: VariantRecord, wire: (r: VariantRecord) => WireRecord): WireRecord {
  return { toJSON: () => wire(r) } as unknown as WireRecord;
}

function summaryFor(req: BeaconRequest, id: string | undefined): RequestSummary {
  const s = summaryOf(req);
  return id === undefined ? s : { ...s, params: { variantInternalId: id } };
}

/**
 * The one place a record becomes wire JSON. A node stamps each dataset entry with where its
 * counts were made (`beaconId/dataset@ingest time`), so a broker reaching this node by two paths
 * counts it once; a broker's entries keep the origins its peers gave them.
 */
export function wireOf(ctx: RenderContext, datasets: DatasetInfo[]): (r: VariantRecord) => WireRecord {
  if (ctx.role === 'broker') return (r) => toWireRecord(r, ctx.sourceReference);
  const created = new Map(datasets.map((d) => [d.id, d.createdAt]));
  return (r) =>
    toWireRecord({ ...r, frequencies: r.frequencies.map((f) => ({ ...f, origin: `${ctx.beaconId}/${f.datasetId}@${created.get(f.datasetId) ?? ''}` })) }, ctx.sourceReference);
}

/**
 * Result sets: a node answers one per dataset (the record restricted to that dataset's
 * frequencies), a broker one for the federation (whole records: pooled entry and each peer's).
 */
function resultSets(ctx: RenderContext, a: Answer, records: VariantRecord[], wire: (r: VariantRecord) => WireRecord): ResultSet[] {
  if (ctx.role === 'broker') return [{ id: ctx.beaconId, records: records.map((r) => lazy(r, wire)), total: a.total, ...adjusted(records.flatMap((r) => r.frequencies)) }];
  return a.datasets.map((d) => {
    const own: WireRecord[] = [];
    const entries = [];
    for (const r of records) {
      const frequencies = r.frequencies.filter((f) => f.datasetId === d.id);
      entries.push(...frequencies);
      if (frequencies.length > 0) own.push(lazy({ ...r, frequencies }, wire));
    }
    return { id: d.id, records: own, info: { name: d.name, version: d.version }, ...adjusted(entries) };
  });
}

/** Beacon v2.2 countAdjustedTo of a result set: the largest k under which counts of its entries were withheld. */
function adjusted(entries: DatasetFrequencies[]): { countAdjustedTo?: number } {
  const k = Math.max(0, ...entries.map((e) => e.minCount ?? 0));
  return k > 1 ? { countAdjustedTo: k } : {};
}

/** The `info` every data response carries: how the answer was obtained. */
export function answerInfo(a: Answer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const afb: Record<string, unknown> = { ...(a.assembly ? { assemblyId: a.assembly } : {}), ...extra };
  const t: LookupTrace | undefined = a.trace;
  if (t?.peers) afb.peers = t.peers;
  const warnings = [...(t?.warnings ?? [])];
  if (a.totalIsLowerBound) warnings.push('numTotalResults is a lower bound: the peers answered overlapping sets that cannot be joined exactly');
  if (warnings.length > 0) afb.warnings = warnings;
  return { afb };
}

function json(body: unknown, records: number): Reply {
  return { status: 200, contentType: JSON_TYPE, body: records > STREAM_ABOVE_RECORDS ? jsonParts(body) : JSON.stringify(body) };
}

/** TSV of `n` records, `rows(i)` the lines of record i. */
function tsv(n: number, rows: (i: number) => string, minCount?: number): Reply {
  if (n <= STREAM_ABOVE_RECORDS) return { status: 200, contentType: TSV_TYPE, body: tsvHeader(minCount) + Array.from({ length: n }, (_, i) => rows(i)).join('') };
  return { status: 200, contentType: TSV_TYPE, body: tsvParts(n, rows, minCount) };
}

function* tsvParts(n: number, rows: (i: number) => string, minCount?: number): Generator<string> {
  let buf = tsvHeader(minCount);
  for (let i = 0; i < n; i++) {
    buf += rows(i);
    if (buf.length >= 64 * 1024) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}
