import type { DatasetInfo, LookupScope, LookupTrace, VariantLookup, VariantRecord } from '../domain/lookup';
import type { BatchItem, BatchRequest } from '../beacon/batch';
import { responseMeta, type RequestSummary } from '../beacon/envelope';
import { tsvHeader, tsvRows } from '../beacon/tsv';
import { answered, scopeOf, datasetsIn, type Answer, type AnswerContext } from './answer';
import type { Caller } from './caller';
import { disclose, type DisclosureStep } from './disclose';
import { answerInfo, lazy, reply, wireOf, type RenderContext, type Reply } from './render';
import { isHit, splitCoverage } from '../domain/coverage';
import type { Format } from './request';
import type { Contig } from '../domain/contigs';

/**
 * Variants a batch reads per part when the lookup offers a snapshot. A 10,000-variant batch costs
 * ~100 ms of store reads and ~150 ms of writing, all of it blocking a node's one thread; in parts
 * of 100 (a few ms each) single lookups run between parts (scripts/bench/bounded: loaded p50 23 ms
 * with parts of 500, 5 ms with 100), and a client that reads slowly holds one part, not the batch.
 */
export const BATCH_PART = 100;

/**
 * POST /batch: every askable entry looked up, in parts inside one snapshot of the data (all-old or
 * all-new across a re-ingest) when the lookup offers one, else in one call (a broker asks each peer
 * once). Each part goes through the disclosure steps and is written before the next is read.
 * Entries the lookup cannot take (malformed, another assembly, a contig no dataset holds) are
 * answered per entry, never failing the batch. The first part is read before the reply starts, so
 * a failure there is a proper error status; a failure later cuts the connection (the answer is
 * never silently short).
 */
export async function batchReply(
  ctx: AnswerContext,
  render: RenderContext,
  steps: readonly DisclosureStep[],
  caller: Caller,
  batch: BatchRequest,
  format: Format,
  info: Record<string, unknown> = {},
): Promise<Reply> {
  const b = await batchAnswers(ctx, steps, caller, batch);
  const write = format === 'tsv' ? tsvBody(render, b.datasets, b.parts) : jsonBody(render, b.datasets, b.entries.length, b.parts, info);
  if (b.entries.length <= b.size) {
    // One part, already read: a plain body (with a Content-Length).
    let text = '';
    for await (const s of write) text += s;
    return reply(format, text);
  }
  return reply(format, write);
}

/** A batch's answers, part by part (see batchReply); the first is read before this returns. */
export interface BatchAnswers {
  datasets: DatasetInfo[];
  entries: { text: string; error?: string }[];
  /** Entries per part. */
  size: number;
  /** The first part (already read): the whole answer when `entries.length <= size`, and then `parts` need not be read. */
  first: Answer;
  parts: AsyncGenerator<Answer>;
}

/** Looks a batch up in parts (one snapshot when the lookup offers one), each part disclosed; the door renders them. */
export async function batchAnswers(ctx: AnswerContext, steps: readonly DisclosureStep[], caller: Caller, batch: BatchRequest): Promise<BatchAnswers> {
  const description = await ctx.describe();
  const scope = scopeOf(ctx, description, batch.assembly ?? batch.items.find((i) => i.assembly)?.assembly, batch.datasetIds);
  const datasets = datasetsIn(description, scope);
  const items = scope ? await resolveVrsItems(ctx, scope, batch.items) : batch.items;
  const entries = items.map((item) => {
    if (item.vrs !== undefined && !item.query && !item.error) return { text: item.text, miss: true };
    let error = item.error ?? (item.query ? undefined : 'not a variant');
    if (!error && item.assembly && item.assembly !== scope?.assembly) error = `${item.text} is on ${item.assembly}; this batch asks ${scope?.assembly ?? 'no assembly'}`;
    else if (!error && !holds(datasets, item.query!.contig)) error = `contig '${item.query!.contig}' is not in any ${scope?.assembly ?? ''} dataset here`;
    return error ? { text: item.text, error } : { text: item.text };
  });
  const snapshot = scope && entries.length > BATCH_PART ? await ctx.lookup.snapshot?.() : undefined;
  const lookup: Pick<VariantLookup, 'findAlleles'> = snapshot ?? ctx.lookup;
  const size = snapshot ? BATCH_PART : Math.max(1, entries.length);
  /** One part: entries [from, from + size) looked up and disclosed. */
  const part = async (from: number): Promise<Answer> => {
    const slice = entries.slice(from, from + size);
    const records: (VariantRecord | undefined)[] = slice.map(() => undefined);
    const askable = slice.flatMap((e, k) => (e.error || ('miss' in e && e.miss) ? [] : [k]));
    let trace: LookupTrace | undefined;
    if (scope && askable.length > 0) {
      const found = answered(await lookup.findAlleles(scope, askable.map((k) => items[from + k]!.query!)));
      askable.forEach((k, j) => (records[k] = found.records[j]));
      trace = found.trace;
    }
    const answer: Answer = { granularity: 'record', assembly: scope?.assembly, datasets, total: records.filter(isHit).length, records, entries: slice.map(({ text, error }) => (error ? { text, error } : { text })), trace };
    return disclose(steps, answer, caller);
  };
  let first: Answer;
  try {
    first = await part(0);
  } catch (e) {
    snapshot?.release();
    throw e;
  }
  const parts = async function* (): AsyncGenerator<Answer> {
    try {
      yield first;
      for (let from = size; from < entries.length; from += size) {
        // Let other requests' I/O run between parts (an await on a synchronous store yields no I/O).
        await new Promise((r) => setImmediate(r));
        yield await part(from);
      }
    } finally {
      snapshot?.release();
    }
  };
  return { datasets, entries, size, first, parts: parts() };
}

/** Each dataset's contigs as a set, made once per dataset description (the node keeps one for a second): a Set per request was ~4 % of a single lookup's CPU. */
const CONTIG_SETS = new WeakMap<DatasetInfo, ReadonlySet<Contig>>();

/** Does any of the datasets hold the contig? */
function holds(datasets: readonly DatasetInfo[], contig: Contig): boolean {
  for (const d of datasets) {
    let set = CONTIG_SETS.get(d);
    if (!set) CONTIG_SETS.set(d, (set = new Set(d.contigs)));
    if (set.has(contig)) return true;
  }
  return false;
}

async function* jsonBody(render: RenderContext, datasets: DatasetInfo[], n: number, parts: AsyncIterable<Answer>, info: Record<string, unknown>): AsyncGenerator<string> {
  const summary: RequestSummary = { requestedGranularity: 'record', skip: 0, limit: n };
  const head = JSON.stringify({ meta: responseMeta(render, 'record', summary) });
  yield `${head.slice(0, -1)},"results":[`;
  const wire = wireOf(render, datasets);
  let found = 0;
  let first = true;
  let last: Answer | undefined;
  const traces: LookupTrace[] = [];
  for await (const a of parts) {
    last = a;
    if (a.trace) traces.push(a.trace);
    found += a.total;
    const results = (a.entries ?? []).map((e, i) => {
      if (e.error) return { query: e.text, found: false, error: { errorCode: 400, errorMessage: e.error } };
      const rec = a.records[i];
      if (!rec) return { query: e.text, found: false };
      // Datasets that lack the variant (absent "0 of AN", not covered) go in `coverage`, beside the record (domain/coverage).
      const { hit, coverage } = splitCoverage(rec);
      return { query: e.text, found: hit !== undefined, ...(hit ? { record: lazy(hit, wire) } : {}), ...(coverage ? { coverage: lazy(coverage, wire) } : {}) };
    });
    // Each result written alone (its record made wire JSON only now), gathered into ~64 kB writes.
    let buf = '';
    for (const r of results) {
      buf += (first ? '' : ',') + JSON.stringify(r);
      first = false;
      if (buf.length >= 64 * 1024) {
        yield buf;
        buf = '';
      }
    }
    if (buf.length > 0) yield buf;
  }
  const answered = last ? answerInfo({ ...last, trace: joined(traces) }, { found, ...info }) : { afb: { found, ...info } };
  yield `],"info":${JSON.stringify(answered)}}`;
}

async function* tsvBody(render: RenderContext, datasets: DatasetInfo[], parts: AsyncIterable<Answer>): AsyncGenerator<string> {
  const wire = wireOf(render, datasets);
  let buf = '';
  let first = true;
  for await (const a of parts) {
    // The header (and the rule, under a threshold) from the first part, disclosed before anything is written.
    if (first) buf = tsvHeader(a.minCount);
    first = false;
    (a.entries ?? []).forEach((e, i) => {
      const rec = a.records[i];
      const hit = rec ? splitCoverage(rec).hit : undefined;
      buf += tsvRows(e.text, hit ? wire(hit) : undefined);
    });
    yield buf;
    buf = '';
  }
}

/** The traces of several parts as one (peers' outcomes come from the one broker call). */
function joined(traces: LookupTrace[]): LookupTrace | undefined {
  if (traces.length <= 1) return traces[0];
  return { peers: traces[traces.length - 1]!.peers, warnings: [...new Set(traces.flatMap((t) => t.warnings ?? []))] };
}

/**
 * Batch entries given as VRS ids (`ga4gh:VA.…`) resolved to the variant they name (the first, in
 * key order, when one id names several representations); an id nothing here holds stays a miss
 * (`vrs` set, no query). A lookup that cannot resolve VRS ids makes those entries errors.
 */
async function resolveVrsItems(ctx: AnswerContext, scope: LookupScope, items: readonly BatchItem[]): Promise<BatchItem[]> {
  if (!items.some((i) => i.vrs !== undefined)) return [...items];
  return Promise.all(
    items.map(async (item) => {
      if (item.vrs === undefined) return item;
      if (!ctx.lookup.findVrs) return { ...item, error: `${item.text}: this beacon cannot look up VRS ids` };
      const r = answered(await ctx.lookup.findVrs(scope, item.vrs)).records[0];
      return r ? { ...item, query: { contig: r.contig, start0: r.trimmed.start0, ref: r.trimmed.ref, alt: r.trimmed.alt } } : item;
    }),
  );
}
