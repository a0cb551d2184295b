import cluster, { type Worker } from 'node:cluster';
import type { AccessPolicy } from '../../domain/access';
import { AfbError } from '../../domain/errors';
import type { Logger } from '../observability';
import { serveBudget } from './shared-budget';
import { serveMetrics } from './cluster-metrics';
import { STOP_MESSAGE } from './worker';

/** A worker that dies after it listened is restarted, up to this many times in any minute. */
export const MAX_RESTARTS_PER_MINUTE = 5;

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** The access policy whose budgets the primary keeps for all workers. */
  policy: AccessPolicy;
  /** The workers' graceful-shutdown grace; a worker still running this long (+5 s) after the stop is killed. */
  graceMs: number;
}

/**
 * The primary process of `--workers N`: forks N copies of this command (each opens the store or
 * the peers itself and listens on the one shared port; node:cluster deals connections out to
 * them), keeps the request budgets and sums /metrics for them, restarts a worker that dies (at
 * most MAX_RESTARTS_PER_MINUTE in a minute), and on SIGINT/SIGTERM tells every worker to stop
 * gracefully. Resolves when all stopped cleanly; rejects with WORKER_FAILED when a worker could
 * not start, kept dying, or did not stop cleanly.
 */
export function runPrimary(o: PrimaryOptions): Promise<void> {
  const log = o.logger;
  const stopBudget = serveBudget(o.policy);

  const slots = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let restarts: number[] = [];
  let stopping = false;
  let unclean = false;
  let failure: AfbError | undefined;
  let everyoneUp = false;
  let force: NodeJS.Timeout | undefined;
  const stopMetrics = serveMetrics(() => [...listening].filter((w) => slots.has(w)));

  return new Promise<void>((resolve, reject) => {
    const fork = (slot: number): void => {
      const w = cluster.fork({ AFB_WORKER_SLOT: String(slot) });
      slots.set(w, slot);
      w.on('error', (e: Error) => log.warn({ worker: slot, err: e.message }, 'worker channel error'));
      w.once('listening', (address: { port: number }) => {
        listening.add(w);
        log.info({ worker: slot, pid: w.process.pid, port: address.port }, 'worker listening');
        if (!everyoneUp && listening.size === o.workers) {
          everyoneUp = true;
          log.info({ workers: o.workers, port: address.port }, 'all workers listening');
        }
      });
    };

    const finish = (): void => {
      cluster.off('exit', onExit);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      clearTimeout(force);
      stopBudget();
      stopMetrics();
      if (failure) return reject(failure);
      if (unclean) return reject(new AfbError('WORKER_FAILED', 'a worker did not stop cleanly (see the log above)'));
      log.info('stopped');
      resolve();
    };

    const stop = (): void => {
      stopping = true;
      if (slots.size === 0) return finish();
      // Each worker drains its requests (one still starting stops as soon as it is up).
      for (const [w] of slots) {
        // (A worker gone meanwhile is seen by onExit; the failed send itself is no news.)
        if (w.isConnected()) w.send(STOP_MESSAGE, undefined, undefined, () => undefined);
        else w.process.kill('SIGTERM');
      }
      force = setTimeout(() => {
        for (const [w, slot] of slots) {
          log.warn({ worker: slot, pid: w.process.pid }, 'worker did not stop within the grace period: killing it');
          w.process.kill('SIGKILL');
        }
      }, o.graceMs + 5000);
      force.unref();
    };

    const onExit = (w: Worker, code: number | null, signal: string | null): void => {
      const slot = slots.get(w);
      if (slot === undefined) return;
      slots.delete(w);
      const wasListening = listening.delete(w);
      const was = { worker: slot, pid: w.process.pid, code, signal };
      if (stopping) {
        if (code !== 0) unclean = true;
        log.info(was, 'worker stopped');
        if (slots.size === 0) finish();
        return;
      }
      log.error(was, 'worker died');
      if (!wasListening) {
        failure = new AfbError('WORKER_FAILED', `worker ${slot} exited (code ${code}, signal ${signal}) before it listened; its error is above`);
        return stop();
      }
      const now = Date.now();
      restarts = restarts.filter((t) => now - t < 60_000);
      if (restarts.length >= MAX_RESTARTS_PER_MINUTE) {
        failure = new AfbError('WORKER_FAILED', `workers died ${restarts.length + 1} times within a minute (at most ${MAX_RESTARTS_PER_MINUTE} restarts a minute); stopping`);
        log.fatal({ restarts: restarts.length }, 'workers keep dying: stopping');
        return stop();
      }
      restarts.push(now);
      log.warn({ worker: slot }, 'restarting worker');
      fork(slot);
    };

    const onSignal = (signal: string): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        for (const [w] of slots) w.process.kill('SIGKILL');
        process.exit(130);
      }
      log.info({ signal, workers: slots.size }, 'shutting down');
      stop();
    };
    const onInt = (): void => onSignal('SIGINT');
    const onTerm = (): void => onSignal('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    cluster.on('exit', onExit);
    log.info({ workers: o.workers, pid: process.pid }, 'starting workers');
    for (let slot = 1; slot <= o.workers; slot++) fork(slot);
  });
}
