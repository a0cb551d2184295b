import type { DatasetInfo, LookupTrace, VariantRecord } from '../domain/lookup';
import { toWireRecord, type WireRecord } from '../beacon/record';
import type { BeaconRequest } from '../beacon/request';
import { responseMeta, summaryOf, variantsResponse, type BeaconIdentity, type RequestSummary, type ResultSet } from '../beacon/envelope';
import { tsvHeader, tsvRows } from '../beacon/tsv';
import type { Answer } from './answer';
import type { Parsed } from './request';

/** What a door writes back: status, content type and the body, already serialised. */
export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

export interface RenderContext extends BeaconIdentity {
  role: 'node' | 'broker';
  /** frequencyInPopulations.sourceReference of this beacon's records. */
  sourceReference: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TSV_TYPE = 'text/tab-separated-values; charset=utf-8';

/** The answer as a Beacon envelope (JSON) or as TSV, in the form the request asked for. */
export function render(ctx: RenderContext, parsed: Parsed, answer: Answer): Reply {
  const wire = wireOf(ctx, answer.datasets);
  if (parsed.endpoint === 'batch') {
    const entries = answer.entries ?? [];
    if (parsed.format === 'tsv') return tsv(entries.map((e, i) => tsvRows(e.text, recordOrUndefined(answer.records[i], wire))).join(''));
    const results = entries.map((e, i) => {
      if (e.error) return { query: e.text, found: false, error: { errorCode: 400, errorMessage: e.error } };
      const rec = answer.records[i];
      return rec ? { query: e.text, found: true, record: wire(rec) } : { query: e.text, found: false };
    });
    const summary: RequestSummary = { requestedGranularity: 'record', skip: 0, limit: entries.length };
    return json({ meta: responseMeta(ctx, 'record', summary), results, info: answerInfo(answer, { found: answer.total }) });
  }
  const records = answer.records.filter((r): r is VariantRecord => r !== undefined);
  if (parsed.format === 'tsv') return tsv(records.map((r) => tsvRows('', wire(r))).join(''));
  const summary = summaryFor(parsed.request, parsed.endpoint === 'g_variant' ? parsed.id : undefined);
  return json(variantsResponse(ctx, summary, answer.total, resultSets(ctx, answer, records, wire), answerInfo(answer)));
}

function summaryFor(req: BeaconRequest, id: string | undefined): RequestSummary {
  const s = summaryOf(req);
  return id === undefined ? s : { ...s, params: { variantInternalId: id } };
}

function recordOrUndefined(r: VariantRecord | undefined, wire: (r: VariantRecord) => WireRecord): WireRecord | undefined {
  return r ? wire(r) : undefined;
}

/**
 * The one place a record becomes wire JSON. A node stamps each dataset entry with where its
 * counts were made (`beaconId/dataset@ingest time`), so a broker reaching this node by two paths
 * counts it once; a broker's entries keep the origins its peers gave them.
 */
function wireOf(ctx: RenderContext, datasets: DatasetInfo[]): (r: VariantRecord) => WireRecord {
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
  if (ctx.role === 'broker') return [{ id: ctx.beaconId, records: records.map(wire), total: a.total }];
  return a.datasets.map((d) => {
    const own: WireRecord[] = [];
    for (const r of records) {
      const frequencies = r.frequencies.filter((f) => f.datasetId === d.id);
      if (frequencies.length > 0) own.push(wire({ ...r, frequencies }));
    }
    return { id: d.id, records: own, info: { name: d.name, version: d.version } };
  });
}

/** The `info` every data response carries: how the answer was obtained. */
function answerInfo(a: Answer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const afb: Record<string, unknown> = { ...(a.assembly ? { assemblyId: a.assembly } : {}), ...extra };
  const t: LookupTrace | undefined = a.trace;
  if (t?.peers) afb.peers = t.peers;
  const warnings = [...(t?.warnings ?? [])];
  if (a.totalIsLowerBound) warnings.push('numTotalResults is a lower bound: the peers answered overlapping sets that cannot be joined exactly');
  if (warnings.length > 0) afb.warnings = warnings;
  return { afb };
}

function json(body: unknown): Reply {
  return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(body) };
}

function tsv(rows: string): Reply {
  return { status: 200, contentType: TSV_TYPE, body: tsvHeader() + rows };
}
