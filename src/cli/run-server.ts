import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AfbError } from '../domain/errors';
import type { ServerConfig } from '../config/server-config';
import type { AccessPolicy } from '../domain/access';
import { createLogger, workers, type RunningServer } from '../server';

/**
 * Run one server per worker under `--workers N` (N > 1: this process becomes the primary and
 * forks them; see server/workers), or the server itself in this process. `serve` opens what the
 * server needs and returns the server and its cleanup; it runs in each worker, never in the primary.
 */
export async function runServers(
  config: ServerConfig,
  primary: { name: string; policy: AccessPolicy },
  serve: (worker: number | undefined) => Promise<{ server: RunningServer; cleanup: () => Promise<void> | void }>,
): Promise<void> {
  const n = workers.workerCount(config.workers);
  if (workers.mustFork(n)) {
    await workers.runPrimary({ workers: n, logger: createLogger(config.logLevel, primary.name, { primary: true }), policy: primary.policy, graceMs: config.shutdownGraceMs });
    return;
  }
  const slot = workers.workerSlot();
  const requested = slot === undefined ? undefined : workers.stopRequests();
  try {
    const { server, cleanup } = await serve(slot);
    await runUntilSignal(server, cleanup, requested);
  } finally {
    // A worker that stopped or could not start lets go of the primary's channel, or it would never exit.
    workers.leaveCluster();
  }
}

/** afb's version, from package.json (one level above dist/ or src/). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Start a server; if it cannot listen, release what was opened for it and say which address failed. */
export async function listen(config: ServerConfig, start: () => Promise<RunningServer>, release: () => Promise<void> | void): Promise<RunningServer> {
  try {
    return await start();
  } catch (e) {
    await release();
    throw new AfbError('LISTEN_FAILED', `cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Keep a server up until SIGINT/SIGTERM, then shut down gracefully: stop accepting, finish the
 * requests in flight, run `cleanup` (close the store, stop health polls). A second signal exits at
 * once. `requested` hands over a stop that is not a signal (a worker told by its primary, which may
 * come with the worker's own SIGINT from the terminal): it never counts as the second.
 */
export function runUntilSignal(server: RunningServer, cleanup: () => Promise<void> | void, requested?: (stop: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping && signal === 'primary') return;
      if (stopping) {
        server.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      server.logger.info({ signal }, 'shutting down');
      void server
        .close()
        .then(() => cleanup())
        .catch((e: unknown) => server.logger.error({ err: String(e) }, 'error during shutdown'))
        .finally(() => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          server.logger.info('stopped');
          resolve();
        });
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    requested?.(() => stop('primary'));
  });
}
