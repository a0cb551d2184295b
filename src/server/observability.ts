import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import { metricsFromPrimary } from './workers/cluster-metrics';

export type Logger = pino.Logger;

/** JSON lines on stdout (pino); `silent` in tests. `fields` go on every line (a worker's slot). */
export function createLogger(level: string, name: string, fields: Record<string, unknown> = {}): Logger {
  return pino({ name, level, base: { service: name, ...fields } }, stdoutLines());
}

/**
 * At most this many bytes per write: PIPE_BUF, what a pipe takes whole. Workers share the
 * primary's stdout, so a longer write could interleave with another worker's mid-line.
 */
const LINES_WRITE_BYTES = 4096;
let stdoutWriter: { write(line: string): void } | undefined;

/**
 * stdout for every logger of this process, written once per turn of the event loop: each request
 * makes two lines (the request and its audit line) and a loaded server many per turn, and a
 * write(2) per line was ~3 % of a single lookup's CPU. Lines wait at most one turn and keep their
 * order; those waiting when the process exits are written by its exit handler, so a line logged
 * just before `process.exit` is not lost. The write is synchronous, as node's own process.stdout is
 * for files and pipes: pino's default (asynchronous, through libuv's thread pool) cost ~10-20 % more
 * CPU per single lookup at c = 1 (docs/benchmarks.md), and a log reader that stalls then slows the
 * server down instead of growing its memory without bound (pino's asynchronous buffer has no limit).
 */
function stdoutLines(): { write(line: string): void } {
  if (stdoutWriter) return stdoutWriter;
  const out = pino.destination({ dest: 1, sync: true });
  let waiting = '';
  let waitingBytes = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (waiting === '') return;
    const text = waiting;
    waiting = '';
    waitingBytes = 0;
    out.write(text);
  };
  process.on('exit', flush);
  stdoutWriter = {
    write(line) {
      const bytes = Buffer.byteLength(line);
      if (waitingBytes + bytes > LINES_WRITE_BYTES) flush();
      waiting += line;
      waitingBytes += bytes;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
  return stdoutWriter;
}

/** Per-app registry, so several servers in one process (tests, the demo) keep their own counts. */
export interface Metrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  latency: Histogram<'route' | 'method'>;
  /** Under `--workers N`: this worker's requests, `afb_worker_requests_total{worker}` (which workers take the load). */
  workerRequests?: { inc(): void };
  /** The text /metrics answers: this registry's, or under `--workers N` every worker's summed. */
  text(): Promise<string>;
}

export function createMetrics(role: string, worker?: number): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  const workerRequests =
    worker === undefined
      ? undefined
      : new Counter({ name: 'afb_worker_requests_total', help: 'HTTP requests each worker process answered', labelNames: ['worker'], registers: [registry] }).labels({
          worker: String(worker),
        });
  return {
    registry,
    ...(workerRequests ? { workerRequests } : {}),
    text: worker === undefined ? () => registry.metrics() : metricsFromPrimary(registry),
    requests: new Counter({ name: 'afb_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    latency: new Histogram({
      name: 'afb_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route', 'method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

/**
 * Request id (from `X-Request-Id` or new), one JSON log line per request when it ends, and the
 * per-route metrics. The route label is the express route pattern, never the raw URL (ids in
 * paths would explode the label set).
 */
export function observe(logger: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const id = requestId(req.get('x-request-id'));
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      recordRequest(logger, metrics, { id, method: req.method, url: req.originalUrl, route: routeLabel(req), status: res.statusCode, started, error: res.locals.error });
    });
    next();
  };
}

/** A request id from the client's X-Request-Id when it is sane, else a new one. */
export function requestId(header: string | undefined): string {
  return header && /^[\w.-]{1,100}$/.test(header) ? header : randomUUID();
}

export interface RequestDone {
  id: string;
  method: string;
  url: string;
  route: string;
  status: number;
  started: bigint;
  error?: unknown;
}

/** The one place a finished request is counted, timed and logged (express and the fast path). */
export function recordRequest(logger: Logger, metrics: Metrics, r: RequestDone): void {
  const seconds = Number(process.hrtime.bigint() - r.started) / 1e9;
  metrics.requests.inc({ route: r.route, method: r.method, status: String(r.status) });
  metrics.latency.observe({ route: r.route, method: r.method }, seconds);
  metrics.workerRequests?.inc();
  const line = { reqId: r.id, method: r.method, url: r.url, route: r.route, status: r.status, ms: Math.round(seconds * 1e4) / 10 };
  if (r.status >= 500) logger.error({ ...line, err: r.error }, 'request failed');
  else logger.info(line, 'request');
}

function routeLabel(req: Request): string {
  const path = (req.route as { path?: string } | undefined)?.path;
  if (typeof path === 'string') return req.baseUrl + path;
  return req.path.startsWith('/api') ? 'unmatched_api' : 'static';
}
