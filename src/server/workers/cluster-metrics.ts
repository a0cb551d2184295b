import { AggregatorRegistry, type Registry } from 'prom-client';
import { answerWorkers, askPrimary } from './ipc';

/**
 * /metrics under `--workers N`: whichever worker takes the request asks the primary, which asks
 * every worker for its registry (prom-client's AggregatorRegistry) and sums them, so a scrape
 * sees the whole server, not the one worker it happened to reach.
 */
export function metricsFromPrimary(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Its constructor installs the worker's listener that answers the primary's requests.
  new AggregatorRegistry();
  return () => askPrimary<string>('metrics', null);
}

/** The primary's side. */
export function serveMetrics(): () => void {
  const aggregator = new AggregatorRegistry();
  return answerWorkers('metrics', () => aggregator.clusterMetrics());
}
