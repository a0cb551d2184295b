import type { DatasetFrequencies, DatasetInfo, LookupTrace, VariantRecord } from '../domain/lookup';
import { alleleFrequency, type GroupCounts } from '../domain/counts';
import { toWireRecord, type WireRecord } from '../beacon/record';
import { cafOf } from '../beacon/caf';
import type { BeaconRequest } from '../beacon/request';
import { summaryOf, variantsResponse, type BeaconIdentity, type RequestSummary, type ResultSet } from '../beacon/envelope';
import { tsvHeader, tsvRows } from '../beacon/tsv';
import type { Answer } from './answer';
import type { Parsed } from './request';
import { jsonParts } from './json-parts';
import { splitCoverage } from '../domain/coverage';

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
export function render(ctx: RenderContext, parsed: Exclude<Parsed, { endpoint: 'batch' | 'annotate' | 'counts' }>, answer: Answer, extraInfo: Record<string, unknown> = {}): Reply {
  const wire = wireOf(ctx, answer.datasets);
  const { records, coverage } = hitsAndCoverage(answer.records);
  if (parsed.format === 'tsv') return tsv(records.length, (i) => tsvRows('', wire(records[i]!)), answer.minCount);
  if (coverage.length > 0) extraInfo = { ...extraInfo, coverage: coverage.map(wire) };
  const asked = summaryFor(parsed.request, parsed.endpoint === 'g_variant' ? parsed.id : undefined);
  // A caller whose level allows less than it asked is answered at its level, and meta says so.
  const summary = answer.granularity === asked.requestedGranularity ? asked : { ...asked, returnedGranularity: answer.granularity };
  // A streamed answer makes each record's JSON as it is written, and one that shows no records
  // (boolean, count) never makes it; a small record answer is written whole, so its records are
  // made at once (no deferred record per record; the same JSON either way).
  const recordOf = answer.granularity === 'record' && records.length <= STREAM_ABOVE_RECORDS ? wire : (r: VariantRecord) => lazy(r, wire);
  let sets = ctx.role === 'broker' && parsed.endpoint === 'g_variants' && parsed.view === 'contributors' ? contributorSets(ctx, records, recordOf) : resultSets(ctx, answer, records, recordOf);
  if (parsed.request.caf && summary.requestedGranularity !== 'boolean') sets = sets.map(cafSet);
  return json(variantsResponse(ctx, summary, answer.total, sets, answerInfo(answer, extraInfo)), records.length);
}

/**
 * A result set whose records are VA-Spec CohortAlleleFrequencyStudyResults (beacon/caf.ts) instead
 * of Beacon records: the same wire records, after disclosure, rendered again. A record whose top
 * cohort's counts are withheld cannot be a CAF; it is listed in the set's `info.afb.cafNotShown`.
 */
function cafSet(set: ResultSet): ResultSet {
  const cafs: unknown[] = [];
  const notShown: { variantInternalId: string; reason: string }[] = [];
  for (const r of set.records) {
    const rec = JSON.parse(JSON.stringify(r)) as WireRecord;
    const caf = cafOf(rec);
    if (caf) cafs.push(caf);
    else notShown.push({ variantInternalId: rec.variantInternalId, reason: 'the counts of its top cohort are withheld or no allele was called (docs/api.md "VA-Spec CAF")' });
  }
  const info = notShown.length > 0 ? { ...set.info, afb: { ...((set.info?.afb as object) ?? {}), cafNotShown: notShown } } : set.info;
  // The set still counts the records it matched (exists, resultsCount): those not shown are listed in info.
  return { ...set, total: set.total ?? set.records.length, records: cafs as WireRecord[], ...(info ? { info } : {}) };
}

/**
 * The records of an answer split (domain/coverage splitCoverage): hits, written as Beacon results,
 * and coverage records (datasets that lack the variant: absent "0 of AN", not covered), written in
 * `info.afb.coverage` so that a covered absence never reads as a hit.
 */
export function hitsAndCoverage(list: readonly (VariantRecord | undefined)[]): { records: VariantRecord[]; coverage: VariantRecord[] } {
  const records: VariantRecord[] = [];
  const coverage: VariantRecord[] = [];
  for (const r of list) {
    if (!r) continue;
    const s = splitCoverage(r);
    if (s.hit) records.push(s.hit);
    if (s.coverage) coverage.push(s.coverage);
  }
  return { records, coverage };
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
  const origin = originOf(ctx, datasets);
  if (!origin) return (r) => toWireRecord(r, ctx.sourceReference);
  return (r) =>
    toWireRecord(
      {
        ...r,
        frequencies: r.frequencies.map((f) => ({ ...f, origin: origin(f) })),
        ...(r.notCovered ? { notCovered: r.notCovered.map((d) => ({ ...d, origin: origin(d) })) } : {}),
      },
      ctx.sourceReference,
    );
}

/** The origin a node stamps on an entry (`beaconId/dataset@ingest time`); undefined for a broker, whose entries keep their peers' origins. Every format writes it. */
export function originOf(ctx: RenderContext, datasets: DatasetInfo[]): ((f: { datasetId: string }) => string) | undefined {
  if (ctx.role === 'broker') return undefined;
  const created = new Map(datasets.map((d) => [d.id, d.createdAt]));
  return (f) => `${ctx.beaconId}/${f.datasetId}@${created.get(f.datasetId) ?? ''}`;
}

/**
 * Result sets: a node answers one per dataset (the record restricted to that dataset's
 * frequencies), a broker one for the federation (whole records: pooled entry and each peer's).
 */
function resultSets(ctx: RenderContext, a: Answer, records: VariantRecord[], recordOf: (r: VariantRecord) => WireRecord): ResultSet[] {
  if (ctx.role === 'broker') return [{ id: ctx.beaconId, records: records.map(recordOf), total: a.total, ...adjusted(records.flatMap((r) => r.frequencies)) }];
  return a.datasets.map((d) => {
    const own: WireRecord[] = [];
    const entries = [];
    for (const r of records) {
      const frequencies = r.frequencies.filter((f) => f.datasetId === d.id);
      entries.push(...frequencies);
      if (frequencies.length > 0) own.push(recordOf({ ...r, frequencies }));
    }
    return { id: d.id, records: own, info: { name: d.name, version: d.version }, ...adjusted(entries) };
  });
}

/**
 * A broker's answer as the GDI portal reads it (its dataset-discovery service makes one row per
 * result set, dataset and population, and sums each dataset's `Total` row): one result set per
 * contributing node dataset (`beaconId` the node's, `id` its dataset's, as the node itself would
 * answer), then one pooled set. The pooled set says what it is and whether it is complete in the
 * two fields the portal shows, `beaconId` and `id` (`POOLED (PARTIAL: 2 of 3 peers; missing ee)`),
 * and carries frequencies only: its counts would otherwise be summed a second time by the portal.
 */
function contributorSets(ctx: RenderContext, records: VariantRecord[], recordOf: (r: VariantRecord) => WireRecord): ResultSet[] {
  const sets = new Map<string, ResultSet>();
  const pooledRecords: WireRecord[] = [];
  const pooledEntries: DatasetFrequencies[] = [];
  let complete = true;
  let pooledSource = '';
  for (const r of records) {
    for (const f of r.frequencies) {
      if (f.pooled) {
        if (f.pooled.missing.length > 0) complete = false;
        pooledSource ||= f.source;
        pooledEntries.push(f);
        const populations = f.populations.map((p) => ({ ...p, counts: frequencyOnly(p.counts) }));
        pooledRecords.push(recordOf({ ...r, frequencies: [{ ...f, populations }] }));
        continue;
      }
      const who = contributorOf(f);
      const key = `${who.beaconId}\u0000${who.id}`;
      let set = sets.get(key);
      if (!set) sets.set(key, (set = { id: who.id, beaconId: who.beaconId, records: [], info: { contributor: f.datasetId }, ...adjusted([f]) }));
      set.records.push(recordOf({ ...r, frequencies: [f] }));
    }
  }
  const out = [...sets.values()];
  if (pooledRecords.length > 0) {
    const what = pooledSource.replace(/^Pooled: /, '');
    out.push({
      id: `POOLED (${complete ? 'complete' : 'PARTIAL'}: ${what})`,
      beaconId: `${ctx.beaconId} (pooled${complete ? '' : ', PARTIAL'})`,
      records: pooledRecords,
      info: { afb: { pooled: true, complete } },
      ...adjusted(pooledEntries),
    });
  }
  return out;
}

/** A pooled row as the portal door shows it: the pooled frequency, no counts (see contributorSets). */
function frequencyOnly(c: GroupCounts): GroupCounts {
  const af = alleleFrequency(c);
  return af === undefined ? {} : { af };
}

/**
 * Which node and dataset a broker's entry came from: from its origin (`<beaconId>/<dataset>@<time>`)
 * when a node made it, else from the broker's own label (`<peer>:<dataset>`).
 */
function contributorOf(f: DatasetFrequencies): { beaconId: string; id: string } {
  const m = f.origin ? /^([^/#]+)\/(.+)@[^@]*$/.exec(f.origin) : null;
  if (m && !m[1]!.endsWith(':')) return { beaconId: m[1]!, id: m[2]! };
  const i = f.datasetId.lastIndexOf(':');
  return i > 0 ? { beaconId: f.datasetId.slice(0, i), id: f.datasetId.slice(i + 1) } : { beaconId: f.datasetId, id: f.datasetId };
}

/** Beacon v2.2 countAdjustedTo of a result set: the largest k under which counts of its entries were withheld. */
function adjusted(entries: DatasetFrequencies[]): { countAdjustedTo?: number } {
  const k = Math.max(0, ...entries.map((e) => e.minCount ?? 0));
  return k > 1 ? { countAdjustedTo: k } : {};
}

/** The `info` every data response carries: how the answer was obtained. */
export function answerInfo(a: Answer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  // Filled in the order it is written, without spread objects (every answer makes one).
  const afb: Record<string, unknown> = {};
  if (a.assembly) afb.assemblyId = a.assembly;
  Object.assign(afb, extra);
  const t: LookupTrace | undefined = a.trace;
  if (t?.peers) afb.peers = t.peers;
  if ((t?.warnings && t.warnings.length > 0) || a.totalIsLowerBound) {
    const warnings = [...(t?.warnings ?? [])];
    if (a.totalIsLowerBound) warnings.push('numTotalResults is a lower bound: the peers answered overlapping sets that cannot be joined exactly');
    afb.warnings = warnings;
  }
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
