import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

/** What the primary sends a worker to make it stop gracefully (a signal it may also get itself is not a second signal). */
export const STOP_MESSAGE = { afb: 'stop' } as const;

/** `workers` as configured: 0 means one per core. */
export function workerCount(configured: number): number {
  return configured > 0 ? configured : availableParallelism();
}

/** True in the process that must fork the workers (N > 1 and not a worker itself). */
export function mustFork(workers: number): boolean {
  return workers > 1 && cluster.isPrimary;
}

/** This worker's slot (1..N; a restarted worker keeps its slot), or undefined when not a worker. */
export function workerSlot(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const slot = Number(process.env.AFB_WORKER_SLOT);
  return Number.isSafeInteger(slot) && slot > 0 ? slot : cluster.worker!.id;
}

/**
 * Listens for the primary's stop from the worker's first moment (it may come while the server
 * still starts); returns the registration runUntilSignal takes, which stops at once when the
 * request came before it.
 */
export function stopRequests(): (stop: () => void) => void {
  let requested = false;
  let handler: (() => void) | undefined;
  process.on('message', (m: unknown) => {
    if (!m || typeof m !== 'object' || (m as { afb?: unknown }).afb !== STOP_MESSAGE.afb) return;
    requested = true;
    handler?.();
  });
  return (stop) => {
    handler = stop;
    if (requested) stop();
  };
}

/** After a worker's graceful stop: drop the IPC channel so that nothing keeps the process alive. */
export function leaveCluster(): void {
  if (cluster.isWorker && cluster.worker!.isConnected()) cluster.worker!.disconnect();
}
