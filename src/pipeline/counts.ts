import { AfbError } from '../domain/errors';
import type { Granularity, VariantKey, VariantRecord } from '../domain/lookup';
import { COUNTS_CONTENT_TYPE, COUNTS_PROTOCOL, type CountsRequest } from '../beacon/counts-protocol';
import { CountsWriter, type WrittenDeclarations } from '../beacon/counts-lines';
import { answered, datasetsIn, scopeOf, type Answer, type AnswerContext } from './answer';
import { batchAnswers } from './batch';
import type { Caller } from './caller';
import { disclose, type DisclosureStep } from './disclose';
import { originOf, type RenderContext, type Reply } from './render';

/** Matches a scan reads (and discloses) at a time: its stream holds one part in memory, not the whole range. */
export const SCAN_PART = 1000;

/**
 * The answer to an afb-counts/1 request. Only the render differs from a Beacon answer: the same
 * scope checks, the same lookups (a batch in parts inside one snapshot; a scan by keyset parts),
 * every part through the same disclosure steps, at the granularity the caller's level allows.
 * Alleles need record granularity, as a Beacon batch does; a scan below it sends its total only
 * (no keys, no counts), as a Beacon count answer does.
 */
export async function countsReply(
  ctx: AnswerContext,
  render: RenderContext,
  steps: readonly DisclosureStep[],
  caller: Caller,
  req: CountsRequest,
  granularity: Granularity,
  /** On a stream: what earlier answers on it declared. */
  declared?: WrittenDeclarations,
): Promise<Reply> {
  if (req.op === 'alleles') {
    if (granularity !== 'record') {
      throw new AfbError('INVALID_PARAMETER', `${COUNTS_PROTOCOL} alleles answers records; the ${caller.level} access level is answered at ${granularity} granularity at most`);
    }
    const b = await batchAnswers(ctx, steps, caller, { assembly: req.assembly, datasetIds: req.datasetIds, items: req.items });
    const w = new CountsWriter(originOf(render, b.datasets), declared);
    const header = () => w.header({ op: 'alleles', granularity: 'record', ...(req.pooled ? { pooled: true } : {}) });
    if (b.entries.length <= b.size) {
      // One part, already read (a broker's single lookup): written at once, without the async generators a streamed answer needs.
      const text = header() + variantLines(w, b.first, 0, req.pooled);
      return { status: 200, contentType: COUNTS_CONTENT_TYPE, body: text + w.end() };
    }
    return counts(
      b.entries.length <= b.size,
      (async function* () {
        yield header();
        let q = 0;
        for await (const a of b.parts) {
          yield variantLines(w, a, q, req.pooled);
          q += a.records.length;
        }
        yield w.end();
      })(),
    );
  }
  const description = await ctx.describe();
  const scope = scopeOf(ctx, description, req.assembly, req.datasetIds);
  const datasets = datasetsIn(description, scope);
  const limit = granularity === 'record' ? req.limit : 0;
  const w = new CountsWriter(originOf(render, datasets), declared);
  if (!scope) return counts(true, (async function* () {
    yield w.header({ op: 'scan', granularity, total: 0 });
    yield w.end();
  })());
  /** One part of the scan after `after`, disclosed; `last` is the key to continue from. */
  const part = async (after: VariantKey | undefined, n: number): Promise<{ answer: Answer; last?: VariantKey; read: number }> => {
    const r = answered(await ctx.lookup.scan(scope, req.query, { skip: 0, limit: n, ...(after ? { after } : {}) }));
    const answer: Answer = { granularity, assembly: scope.assembly, datasets, total: r.total, totalIsLowerBound: r.totalIsLowerBound, records: r.records, trace: r.trace };
    const tail = r.records[r.records.length - 1];
    return { answer: disclose(steps, answer, caller), last: tail && keyOf(tail), read: r.records.length };
  };
  if (req.keys && ctx.lookup.scanKeys && limit > 0 && !req.after) {
    // A broker: its peers' keys, merged, in one call (no record is fetched), through the same steps.
    const k = answered(await ctx.lookup.scanKeys(scope, req.query, limit));
    const records = k.keys.map((key): VariantRecord => ({ assembly: scope.assembly, contig: key.contig, trimmed: key, display: key, rsids: [], frequencies: [] }));
    const answer = disclose(steps, { granularity, assembly: scope.assembly, datasets, total: k.total, totalIsLowerBound: k.totalIsLowerBound, records, trace: k.trace }, caller);
    let text = w.header({ op: 'scan', granularity, total: answer.total, ...(answer.totalIsLowerBound ? { lowerBound: true } : {}) });
    for (const r of answer.records) if (r) text += w.key(r);
    return { status: 200, contentType: COUNTS_CONTENT_TYPE, body: text + w.end() };
  }
  const first = await part(req.after, Math.min(SCAN_PART, limit));
  const line = (r: VariantRecord, q: number) => (req.keys ? w.key(r) : w.variant(q, r));
  return counts(
    first.read < SCAN_PART,
    (async function* () {
      yield w.header({ op: 'scan', granularity, total: first.answer.total, ...(first.answer.totalIsLowerBound ? { lowerBound: true } : {}) });
      let sent = 0;
      let p = first;
      for (;;) {
        let buf = '';
        for (const r of p.answer.records) if (r) buf += line(r, sent++);
        yield buf;
        const rest = limit - sent;
        if (rest <= 0 || p.read < Math.min(SCAN_PART, limit) || !p.last) break;
        await new Promise((r) => setImmediate(r));
        p = await part(p.last, Math.min(SCAN_PART, rest));
      }
      yield w.end();
    })(),
  );
}

/** The V lines of one part of an alleles answer, its first record answering query `q`. */
function variantLines(w: CountsWriter, a: Answer, q: number, pooled: boolean | undefined): string {
  // Joined once (a broker's one part is 10,000 variants: `+=` would build a tree of strings to flatten when sent).
  const lines: string[] = [];
  for (const r of a.records) {
    // Pooled only: the same disclosed record, its per-node entries left out (withheld cells stay withheld in the pooled entry).
    if (r) lines.push(w.variant(q, r, pooled));
    q++;
  }
  return lines.join('');
}

function keyOf(r: VariantRecord): VariantKey {
  return { contig: r.contig, start0: r.trimmed.start0, ref: r.trimmed.ref, alt: r.trimmed.alt };
}

/** The reply; an answer already read whole (one part) is sent as one string, with a Content-Length. */
async function counts(whole: boolean, body: AsyncGenerator<string>): Promise<Reply> {
  if (!whole) return { status: 200, contentType: COUNTS_CONTENT_TYPE, body };
  const texts: string[] = [];
  for await (const s of body) texts.push(s);
  return { status: 200, contentType: COUNTS_CONTENT_TYPE, body: texts.join('') };
}
