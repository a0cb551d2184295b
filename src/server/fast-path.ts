import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseGetRequest, type RequestLimits } from '../beacon/request';
import type { AppContext } from './context';
import { errorBody } from './app';
import { recordRequest, requestId } from './observability';
import { findSingle, singleResponse } from './single-entry';
import { contextFor } from './answer';

const ROUTE = '/api/g_variants/:id';
const PREFIX = '/api/g_variants/';

/**
 * The hottest request, one variant by id (`GET /api/g_variants/22-16050075-A-G`, no query
 * string, JSON), answered without express: express 5's routing alone costs ~110 µs a request here
 * (a hello-world express app does 7.9k req/s where node:http does 57k on the same machine; see
 * docs/benchmarks.md), several times the lookup itself. Same code for the answer (single-entry.ts),
 * the same logging, metrics and error bodies; anything else returns false and goes to express.
 */
export function fastPath(app: AppContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limits: RequestLimits = { maxLimit: app.config.maxLimit, maxRangeBases: app.config.maxRangeBases, defaultGranularity: 'record' };
  const base = parseGetRequest({}, limits);
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'GET' || !url.startsWith(PREFIX) || url.includes('?') || url.length === PREFIX.length) return false;
    const accept = req.headers.accept;
    if (accept && accept.includes('tab-separated')) return false;
    let id: string;
    try {
      id = decodeURIComponent(url.slice(PREFIX.length));
    } catch {
      return false;
    }
    if (id.includes('/')) return false;
    const started = process.hrtime.bigint();
    const reqId = requestId(req.headers['x-request-id'] as string | undefined);
    const ctx = contextFor(app, req.headers['x-afb-visited'] as string | undefined);
    const send = (status: number, body: unknown, error?: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Request-Id': reqId });
      res.end(text);
      recordRequest(app.logger, app.metrics, { id: reqId, method: 'GET', url, route: ROUTE, status, started, error });
    };
    findSingle(app, ctx, id, base).then(
      (answer) => send(200, singleResponse(app, ctx, id, base, answer)),
      (err: unknown) => {
        const { status, body } = errorBody(app, err);
        send(status, body, status >= 500 ? String((err as Error)?.stack ?? err) : undefined);
      },
    );
    return true;
  };
}
