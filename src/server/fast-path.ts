import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorReply, type Reply } from '../pipeline';
import type { AppContext } from './context';
import { recordRequest, requestId } from './observability';
import { writeReply } from './write-reply';

const ROUTE = '/api/g_variants/:id';
const PREFIX = '/api/g_variants/';

/**
 * The hottest request, one variant by id (`GET /api/g_variants/22-16050075-A-G`, no query
 * string), routed without express: express 5's routing alone costs ~110 µs a request here (a
 * hello-world express app does 7.9k req/s where node:http does 57k on the same machine; see
 * docs/benchmarks.md), several times the lookup itself. It is a door like the express routes: it
 * hands the same PipelineRequest to the same pipeline and writes its Reply, with the same logging,
 * metrics and error bodies; anything else returns false and goes to express.
 */
export function fastPath(app: AppContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'GET' || !url.startsWith(PREFIX) || url.includes('?') || url.length === PREFIX.length) return false;
    let id: string;
    try {
      id = decodeURIComponent(url.slice(PREFIX.length));
    } catch {
      return false;
    }
    if (id.includes('/')) return false;
    const started = process.hrtime.bigint();
    const reqId = requestId(header(req, 'x-request-id'));
    const headers = { accept: header(req, 'accept'), authorization: header(req, 'authorization'), visited: header(req, 'x-afb-visited') };
    void (async () => {
      let reply: Reply;
      let error: unknown;
      try {
        reply = await app.pipeline({ endpoint: 'g_variant', method: 'GET', id, query: {}, headers });
      } catch (err) {
        const failed = errorReply(app.facts, err);
        reply = failed.reply;
        if (failed.internal) error = String((err as Error)?.stack ?? err);
      }
      try {
        await writeReply(res, reply, app.config.sendTimeoutMs, { 'X-Request-Id': reqId });
      } catch (err) {
        error ??= String(err);
        res.destroy();
      }
      recordRequest(app.logger, app.metrics, { id: reqId, method: 'GET', url, route: ROUTE, status: reply.status, started, error });
    })();
    return true;
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
