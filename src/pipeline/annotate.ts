import { AfbError } from '../domain/errors';
import type { LevelPolicy } from '../domain/access';
import type { AlleleQuery, VariantLookup } from '../domain/lookup';
import { formatVariantId } from '../domain/variant-id';
import { annotateVcf, annotationPlan, vcfLines } from '../annotate';
import { answered, datasetsIn, scopeOf, type Answer, type AnswerContext } from './answer';
import { AUDIT_VARIANTS, type AnnotateRequest } from './annotate-request';
import type { Caller } from './caller';
import { disclose, type DisclosureStep } from './disclose';
import type { Reply } from './render';

/** Variants per lookup of POST /api/annotate: a node reads this many between other requests; a broker asks each peer once per part. */
export const ANNOTATE_PART = { node: 200, broker: 1000 };

/** The most ALT alleles one annotate request reads when the caller's level sets no batch limit. */
export const MAX_ANNOTATE_ALLELES = 5_000_000;

/**
 * POST /api/annotate (DESIGN §12): the VCF body read in parts; each part looked up through the
 * lookup (in one snapshot of the data when the lookup offers one) and put through the disclosure
 * steps exactly as a batch part is, then written as VCF (or TSV) before the next is read. Withheld
 * counts are written as missing and named in `<prefix>withheld`. The first part is read before the
 * reply starts, so a bad header, an unknown population or an over-limit file that shows in it is
 * a proper error status; a failure later cuts the connection (never a silently short file).
 */
export async function annotateReply(
  ctx: AnswerContext,
  role: 'node' | 'broker',
  steps: readonly DisclosureStep[],
  caller: Caller,
  req: AnnotateRequest,
  body: AsyncIterable<Uint8Array>,
  allowed: LevelPolicy & { level: string },
  beaconId: string,
): Promise<Reply> {
  const description = await ctx.describe();
  const scope = scopeOf(ctx, description, req.assembly, req.datasetIds);
  if (!scope) throw new AfbError('INVALID_PARAMETER', 'this beacon serves no dataset to annotate from');
  const datasets = datasetsIn(description, scope);
  const plan = annotationPlan(datasets, req.prefix, req.populations, req.fields);
  const snapshot = await ctx.lookup.snapshot?.();
  const lookup: Pick<VariantLookup, 'findAlleles'> = snapshot ?? ctx.lookup;
  const find = async (queries: AlleleQuery[]) => {
    for (const q of queries) {
      if (req.asked.length < AUDIT_VARIANTS) req.asked.push(formatVariantId(q.contig, q.start0, q.ref, q.alt));
      req.askedCount++;
    }
    // A snapshot reads synchronously: let other requests' I/O run between parts.
    if (snapshot) await new Promise((r) => setImmediate(r));
    const found = answered(await lookup.findAlleles(scope, queries));
    const answer: Answer = { granularity: 'record', assembly: scope.assembly, datasets, total: found.records.filter(Boolean).length, records: found.records, trace: found.trace };
    const shown = disclose(steps, answer, caller);
    return { records: shown.records, trace: shown.trace };
  };
  const maxAlleles = allowed.maxBatch ?? MAX_ANNOTATE_ALLELES;
  const text = annotateVcf(vcfLines(body, 'request body'), find, {
    format: req.format,
    fields: plan.fields,
    prefix: req.prefix,
    source: beaconId,
    input: 'request body',
    datasets,
    held: plan.held,
    partSize: role === 'broker' ? ANNOTATE_PART.broker : ANNOTATE_PART.node,
    inFlight: snapshot ? 1 : 2,
    maxAlleles,
    maxAllelesWhy: allowed.maxBatch !== undefined ? `the ${allowed.level} access level takes at most ${allowed.maxBatch} variants per request (access maxBatch)` : `the most one annotate request reads`,
  });
  let first: IteratorResult<string>;
  try {
    first = await text.next();
  } catch (e) {
    snapshot?.release();
    throw e;
  }
  const parts = (async function* () {
    try {
      if (!first.done) yield first.value;
      for await (const part of text) yield part;
    } finally {
      snapshot?.release();
    }
  })();
  return { status: 200, contentType: req.format === 'tsv' ? 'text/tab-separated-values; charset=utf-8' : 'text/x-vcf; charset=utf-8', body: parts };
}
