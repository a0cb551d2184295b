import type { AccessLevel, AccessPolicy } from '../../domain/access';
import { AfbError, isAfbError } from '../../domain/errors';
import { rateLimiter, type RequestBudget } from '../../pipeline';
import { answerWorkers, askPrimary } from './ipc';

interface Refusal {
  message: string;
  headers?: Record<string, string>;
}

/**
 * Under `--workers N` the requests-per-minute budgets live in the primary process: one sliding
 * window per client and level for all workers, so a client spreading its requests over N
 * connections (which the cluster deals out to N workers) still gets one budget, not N. A worker
 * asks the primary only for levels that have a budget; with none (the default) nothing is asked.
 */
export function budgetFromPrimary(policy: AccessPolicy): RequestBudget {
  return (caller) => {
    if (policy.levels[caller.level].requestsPerMinute === undefined) return;
    return askPrimary<Refusal | null>('budget', { level: caller.level, clientId: caller.clientId }).then((refused) => {
      if (refused) throw new AfbError('RATE_LIMITED', refused.message, refused.headers ? { headers: refused.headers } : {});
    });
  };
}

/** The primary's side: the one rateLimiter (src/pipeline/budget.ts) every worker's requests are counted in. */
export function serveBudget(policy: AccessPolicy, now: () => number = Date.now): () => void {
  const take = rateLimiter(policy, now);
  return answerWorkers('budget', (body): Refusal | null => {
    const { level, clientId } = body as { level: AccessLevel; clientId: string };
    if (!(level in policy.levels) || typeof clientId !== 'string') throw new Error('budget: malformed question');
    try {
      take({ level, clientId, controlledDatasets: [] });
      return null;
    } catch (e) {
      if (isAfbError(e) && e.code === 'RATE_LIMITED') return { message: e.message, ...(e.headers ? { headers: { ...e.headers } } : {}) };
      throw e;
    }
  });
}
