import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { answerPrimary, answerWorkers, askPrimary, askWorker, GoneError } from './ipc';

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * /metrics under `--workers N`: whichever worker takes the request asks the primary, which asks
 * every listening worker for its registry and sums them (prom-client's AggregatorRegistry.aggregate),
 * so a scrape sees the whole server, not the one worker it happened to reach.
 */
export function metricsFromPrimary(registry: Registry): () => Promise<string> {
  answerPrimary('metrics-json', () => registry.getMetricsAsJSON());
  return () => askPrimary<string>('metrics', null, 10_000);
}

/**
 * The primary's side. Only workers that listen are asked (a worker still starting has served
 * nothing and may not answer yet); one that dies meanwhile is left out (its counts died with it),
 * one that is alive but does not answer fails the scrape rather than hide it.
 */
export function serveMetrics(listening: () => Worker[]): () => void {
  return answerWorkers('metrics', async () => {
    const parts = await Promise.all(
      listening().map((w) =>
        askWorker<MetricsJson>(w, 'metrics-json', null, 5000).catch((e: unknown) => {
          if (e instanceof GoneError) return undefined;
          throw e;
        }),
      ),
    );
    return AggregatorRegistry.aggregate(parts.filter((p): p is MetricsJson => p !== undefined)).metrics();
  });
}
