import type { LookupDescription, VariantLookup } from '../domain/lookup';
import type { BeaconIdentity } from '../beacon/envelope';
import { answerSingle, answerVariants, type AnswerContext } from './answer';
import { batchReply } from './batch';
import { identify } from './caller';
import { disclose, SHOW_ALL, type DisclosureStep } from './disclose';
import { parseRequest, type PipelineLimits, type PipelineRequest } from './request';
import { render, type Reply } from './render';

export type { PipelineRequest, PipelineLimits, QueryParams, RequestHeaders } from './request';
export type { Reply } from './render';
export type { Answer } from './answer';
export type { Caller, AccessLevel } from './caller';
export type { DisclosureStep } from './disclose';
export { disclosureFor, smallCellStep } from './disclose-policy';
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
    if (parsed.endpoint === 'batch') return batchReply(ctx, o, steps, caller, parsed.batch, parsed.format);
    const answer = parsed.endpoint === 'g_variants' ? await answerVariants(ctx, parsed.request) : await answerSingle(ctx, parsed.id, parsed.request);
    return render(o, parsed, disclose(steps, answer, caller));
  };
}

function visitedOf(header: string | undefined): string[] {
  return (header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
