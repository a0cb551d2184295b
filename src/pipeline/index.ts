import type { LookupDescription, VariantLookup } from '../domain/lookup';
import type { BeaconIdentity } from '../beacon/envelope';
import { answerBatch, answerSingle, answerVariants, type Answer, type AnswerContext } from './answer';
import { identify } from './caller';
import { disclose, SHOW_ALL, type DisclosureStep } from './disclose';
import { parseRequest, type Parsed, type PipelineLimits, type PipelineRequest } from './request';
import { render, type Reply } from './render';

export type { PipelineRequest, PipelineLimits, QueryParams, RequestHeaders } from './request';
export type { Reply } from './render';
export type { Answer } from './answer';
export type { Caller, AccessLevel } from './caller';
export type { DisclosureStep } from './disclose';
export { errorReply } from './error-reply';

export interface PipelineOptions extends BeaconIdentity {
  lookup: VariantLookup;
  /** The lookup's description, memoised by the caller (it is asked once per request). */
  describe: () => Promise<LookupDescription>;
  role: 'node' | 'broker';
  sourceReference: string;
  limits: PipelineLimits;
  /** Disclosure steps, in order (default: show everything found). */
  disclosure?: readonly DisclosureStep[];
}

/** Answers one variant request, whichever door it came in by. */
export type Pipeline = (req: PipelineRequest) => Promise<Reply>;

/**
 * The one request pipeline (DESIGN §7): parse → identify the caller → answer through the
 * VariantLookup → disclosure control → envelope or TSV. Every door (express routes, the node:http
 * fast path, batch, TSV) calls this and only translates bytes, so a rule added here holds for all.
 */
export function createPipeline(o: PipelineOptions): Pipeline {
  const steps = o.disclosure ?? [SHOW_ALL];
  return async (req) => {
    const parsed = parseRequest(req, o.limits);
    const caller = identify(req.headers);
    const ctx: AnswerContext = { lookup: o.lookup, describe: o.describe, visited: visitedOf(req.headers.visited) };
    const answer = disclose(steps, await answerOf(ctx, parsed), caller);
    return render(o, parsed, answer);
  };
}

function answerOf(ctx: AnswerContext, parsed: Parsed): Promise<Answer> {
  switch (parsed.endpoint) {
    case 'g_variants':
      return answerVariants(ctx, parsed.request);
    case 'g_variant':
      return answerSingle(ctx, parsed.id, parsed.request);
    case 'batch':
      return answerBatch(ctx, parsed.batch);
  }
}

function visitedOf(header: string | undefined): string[] {
  return (header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
