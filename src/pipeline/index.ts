import { OPEN_POLICY, type AccessPolicy, type Caller } from '../domain/access';
import { AfbError, isAfbError } from '../domain/errors';
import type { LookupDescription, VariantLookup } from '../domain/lookup';
import type { BeaconIdentity } from '../beacon/envelope';
import { answerSingle, answerVariants, type AnswerContext } from './answer';
import { batchReply } from './batch';
import { annotateReply } from './annotate';
import { countsReply } from './counts';
import { callerInfo, EVERYONE_ANONYMOUS, type CallerResolver } from './caller';
import { disclose, SHOW_ALL, type DisclosureStep } from './disclose';
import { parseRequest, type Parsed, type PipelineLimits, type PipelineRequest } from './request';
import { render, type Reply } from './render';
import { capGranularity, checkBatch, checkRange, rateLimiter, requestPolicy } from './budget';
import { kindOf, variantsOf, type AuditLine, type AuditSink } from './audit';

export type { PipelineRequest, PipelineLimits, QueryParams, RequestHeaders } from './request';
export type { Reply } from './render';
export type { Answer } from './answer';
export type { Caller, AccessLevel, CallerResolver } from './caller';
export { EVERYONE_ANONYMOUS, callerInfo } from './caller';
export type { DisclosureStep } from './disclose';
export type { AuditLine, AuditSink } from './audit';
export { disclosureFor, smallCellStep } from './disclose-policy';
export { rateLimiter } from './budget';
export { errorReply } from './error-reply';
export { createCatalogueDoor, nodeCatalogue, type CatalogueDoor, type CatalogueRequest } from './catalogue';

export interface PipelineOptions extends BeaconIdentity {
  lookup: VariantLookup;
  /** The lookup's description, memoised by the caller (it is asked once per request). */
  describe: () => Promise<LookupDescription>;
  role: 'node' | 'broker';
  sourceReference: string;
  limits: PipelineLimits;
  /** Disclosure steps, in order (default: show everything found). */
  disclosure?: readonly DisclosureStep[];
  /** Who is asking (default: everyone anonymous, counted by IP). */
  identify?: CallerResolver;
  /** What each access level may see and do (default OPEN_POLICY: everything, no budgets). */
  access?: AccessPolicy;
  /** Where the audit line of each request goes (default: nowhere). */
  audit?: AuditSink;
  /** The clock budgets and the audit read (tests). */
  now?: () => number;
  /**
   * Takes one request from a caller's budget (default: rateLimiter over `access`, in this process).
   * Under `--workers N` each worker is given one that asks the primary process, so that N workers
   * keep one count per client and never grant it N budgets.
   */
  budget?: RequestBudget;
}

/** Takes one request from the caller's requests-per-minute budget, or throws RATE_LIMITED (429). */
export type RequestBudget = (caller: Caller) => void | Promise<void>;

/** Answers one variant request, whichever door it came in by. */
export type Pipeline = (req: PipelineRequest) => Promise<Reply>;

/**
 * The one request pipeline (DESIGN §7): identify the caller → its budget (requests per minute) →
 * parse → its level's limits (batch size, range width, granularity) → answer through the
 * VariantLookup → disclosure control → envelope or TSV, with one audit line per request. Every door
 * (express routes, the node:http fast path, batch, TSV) calls this and only translates bytes, so a
 * rule added here holds for all.
 */
export function createPipeline(o: PipelineOptions): Pipeline {
  const identify = o.identify ?? EVERYONE_ANONYMOUS;
  const policy = o.access ?? OPEN_POLICY;
  const now = o.now ?? Date.now;
  const takeRequest = o.budget ?? rateLimiter(policy, now);
  // Without per-dataset overrides the policy of an anonymous or registered caller is its level's,
  // worked out once; a controlled caller is controlled only for its datasets, so its depends on them.
  const perDataset = Object.keys(policy.datasets).length > 0;
  const levelPolicy = new Map<string, ReturnType<typeof requestPolicy>>();
  // A promise only when the datasets must be read (an await costs every request a tick).
  const policyOf = (caller: Caller, named: string[] | undefined): ReturnType<typeof requestPolicy> | Promise<ReturnType<typeof requestPolicy>> => {
    if (!perDataset && caller.level !== 'controlled') {
      let p = levelPolicy.get(caller.level);
      if (!p) levelPolicy.set(caller.level, (p = requestPolicy(policy, caller, [])));
      return p;
    }
    return (async () => requestPolicy(policy, caller, named ?? (await o.describe()).datasets.map((d) => d.id)))();
  };
  // The audit line's time, made once per millisecond: a loaded server writes several lines in each.
  let lastMs = NaN;
  let lastIso = '';
  const isoTime = (ms: number): string => {
    if (ms !== lastMs) {
      lastIso = new Date(ms).toISOString();
      lastMs = ms;
    }
    return lastIso;
  };
  return async (req) => {
    let caller: Caller | undefined;
    let parsed: Parsed | undefined;
    let granularity: string | undefined;
    let withheld = 0;
    const audit = (status: number): void => {
      if (!o.audit) return;
      // Filled in the order the line is written, without the spread objects (one line per request).
      const line = { time: isoTime(now()) } as AuditLine;
      if (req.headers.requestId) line.requestId = req.headers.requestId;
      line.client = caller?.clientId ?? `ip:${req.headers.clientIp ?? 'unknown'}`;
      line.level = caller?.level ?? 'unidentified';
      line.kind = kindOf(req, parsed);
      line.variants = variantsOf(parsed, req);
      line.status = status;
      if (granularity) line.granularity = granularity;
      line.withheldCells = withheld;
      o.audit(line);
    };
    // Reads what each answer (each part of a batch) reports withheld, after every disclosure step.
    const tally: DisclosureStep = (a) => {
      withheld += a.withheldCells ?? 0;
      return a;
    };
    const steps = [...(o.disclosure ?? [SHOW_ALL]), tally];
    try {
      try {
        // Awaited only when the resolver is async (a token or JWT to check): everyone anonymous is not.
        const who = identify(req.headers);
        caller = typeof (who as PromiseLike<Caller>).then === 'function' ? await who : (who as Caller);
      } catch (e) {
        // A refused credential still costs its address an anonymous request: guessing tokens is rate limited too.
        await takeRequest({ level: 'anonymous', controlledDatasets: [], clientId: `ip:${req.headers.clientIp ?? 'unknown'}` });
        throw e;
      }
      // Awaited only when it is a promise (a worker asking its primary): a local budget costs no extra tick.
      const taken: unknown = takeRequest(caller);
      if (taken) await taken;
      parsed = parseRequest(req, o.limits);
      const named = parsed.endpoint === 'batch' ? parsed.batch.datasetIds : parsed.endpoint === 'annotate' ? parsed.annotate.datasetIds : parsed.endpoint === 'counts' ? parsed.counts.datasetIds : parsed.request.datasetIds;
      const policyNow = policyOf(caller, named);
      const allowed = policyNow instanceof Promise ? await policyNow : policyNow;
      const ctx: AnswerContext = { lookup: o.lookup, describe: o.describe, visited: visitedOf(req.headers.visited) };
      const info = { caller: callerInfo(caller) };
      let reply: Reply;
      if (parsed.endpoint === 'counts') {
        // The compact door: the same limits and steps; only the render differs (pipeline/counts.ts).
        const c = parsed.counts;
        if (c.op === 'alleles') checkBatch(allowed, c.items.length);
        else checkRange(allowed, c.query);
        const level = capGranularity('record', allowed.granularity);
        granularity = level;
        reply = await countsReply(ctx, o, steps, caller, c, level, req.endpoint === 'counts' ? req.declared : undefined);
      } else if (parsed.endpoint === 'batch') {
        checkBatch(allowed, parsed.batch.items.length);
        if (allowed.granularity !== 'record') {
          throw new AfbError('INVALID_PARAMETER', `a batch answers records; the ${caller.level} access level is answered at ${allowed.granularity} granularity at most: ask g_variants with requestedGranularity=${allowed.granularity}`);
        }
        granularity = 'record';
        reply = await batchReply(ctx, o, steps, caller, parsed.batch, parsed.format, info);
      } else if (parsed.endpoint === 'annotate') {
        // Annotation writes counts per variant: what a batch answers, under the same level rules.
        if (allowed.granularity !== 'record') {
          throw new AfbError('INVALID_PARAMETER', `annotate writes counts per variant; the ${caller.level} access level is answered at ${allowed.granularity} granularity at most`);
        }
        granularity = 'record';
        reply = await annotateReply(ctx, o.role, steps, caller, parsed.annotate, parsed.body, allowed, o.beaconId);
      } else {
        checkRange(allowed, parsed.request.query);
        // Asked more than the level allows: answered at the allowed granularity (the answer step then reads no records it will not show).
        const request = { ...parsed.request, granularity: capGranularity(parsed.request.granularity, allowed.granularity) };
        granularity = request.granularity;
        const answer = parsed.endpoint === 'g_variants' ? await answerVariants(ctx, request) : await answerSingle(ctx, parsed.id, request);
        reply = render(o, parsed, disclose(steps, answer, caller), info);
      }
      return audited(reply, audit);
    } catch (e) {
      audit(isAfbError(e) ? e.httpStatus : 500);
      throw e;
    }
  };
}

/** The reply, its audit line written once its whole body has been (a streamed batch tallies every part). */
function audited(reply: Reply, audit: (status: number) => void): Reply {
  if (typeof reply.body === 'string') {
    audit(reply.status);
    return reply;
  }
  const body = reply.body;
  return {
    ...reply,
    body: (async function* () {
      try {
        for await (const part of body) yield part;
      } finally {
        audit(reply.status);
      }
    })(),
  };
}

function visitedOf(header: string | undefined): string[] {
  if (!header) return [];
  return header.split(',').map((s) => s.trim()).filter(Boolean);
}
