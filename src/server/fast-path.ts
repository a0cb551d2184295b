import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { AfbError } from '../domain/errors';
import { COUNTS_PATH } from '../beacon/counts-protocol';
import { errorReply, type Reply, type RequestHeaders } from '../pipeline';
import type { AppContext } from './context';
import { recordRequest, requestId } from './observability';
import { writeReply } from './write-reply';

const ROUTE = '/api/g_variants/:id';
const PREFIX = '/api/g_variants/';
const LIST_URL = '/api/g_variants';
const COUNTS_URL = `/api${COUNTS_PATH}`;
const COUNTS_ROUTE = COUNTS_URL;

/**
 * The hottest requests, one variant by id (`GET /api/g_variants/22-16050075-A-G`) and the GET query
 * form (`GET /api/g_variants?referenceName=…`), with or without a query string, routed without
 * express: express 5's routing alone costs ~110 µs a request here (a hello-world express app does
 * 7.9k req/s where node:http does 57k on the same machine; see docs/benchmarks.md), several times
 * the lookup itself. It is a door like the express routes: it hands the same PipelineRequest to the
 * same pipeline (the query string parsed by the same function as express's "simple" query parser,
 * node:querystring) and writes its Reply, with the same logging, metrics and error bodies; anything
 * else returns false and goes to express: other paths and spellings (a trailing slash, other
 * letter case), and a GET that carries a body (express's JSON parser answers a bad one).
 */
export function fastPath(app: AppContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method === 'POST' && url === COUNTS_URL) return countsDoor(app, req, res);
    if (req.method !== 'GET' || !url.startsWith(LIST_URL) || hasBody(req)) return false;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === LIST_URL) {
      serve(app, req, res, LIST_URL, (headers) => app.pipeline({ endpoint: 'g_variants', method: 'GET', query: queryOf(url, q), headers }));
      return true;
    }
    if (!path.startsWith(PREFIX) || path.length === PREFIX.length) return false;
    let id: string;
    try {
      id = decodeURIComponent(path.slice(PREFIX.length));
    } catch {
      return false;
    }
    if (id.includes('/')) return false;
    // As the express route: the id is the path's, never a query parameter's.
    const query = q < 0 ? {} : withoutId(queryOf(url, q));
    serve(app, req, res, ROUTE, (headers) => app.pipeline({ endpoint: 'g_variant', method: 'GET', id, query, headers }));
    return true;
  };
}

/** The query string as express's default ("simple") query parser gives it: node:querystring's parse. */
function queryOf(url: string, q: number): Record<string, unknown> {
  return parseQuery(q < 0 ? '' : url.slice(q + 1)) as Record<string, unknown>;
}

function withoutId(query: Record<string, unknown>): Record<string, unknown> {
  const { id: _ignored, ...rest } = query;
  return rest;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * `POST /api/afb-counts/1`, the compact peer protocol (beacon/counts-protocol.ts): brokers ask it
 * for every peer answer, so it too skips express. The body is read here under the same limit as
 * express's JSON parser; the pipeline does the rest, as for every door.
 */
function countsDoor(app: AppContext, req: IncomingMessage, res: ServerResponse): boolean {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > app.config.bodyLimitBytes) tooLarge = true;
    else chunks.push(c);
  });
  req.on('end', () =>
    serve(app, req, res, COUNTS_ROUTE, async (headers) => {
      if (tooLarge) throw new AfbError('PAYLOAD_TOO_LARGE', `request body is larger than ${app.config.bodyLimitBytes} bytes; send fewer variants per request`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw new AfbError('INVALID_PARAMETER', `${COUNTS_ROUTE}: the body is not JSON`);
      }
      return app.pipeline({ endpoint: 'counts', body, headers });
    }),
  );
  return true;
}

/** Runs one request through the pipeline and writes its reply, with the same logging, metrics and error bodies as express's doors. */
function serve(app: AppContext, req: IncomingMessage, res: ServerResponse, route: string, run: (headers: RequestHeaders) => Promise<Reply>): void {
  const started = process.hrtime.bigint();
  const reqId = requestId(header(req, 'x-request-id'));
  const headers = { accept: header(req, 'accept'), authorization: header(req, 'authorization'), visited: header(req, 'x-afb-visited'), clientIp: clientIp(req), requestId: reqId };
  void (async () => {
    let reply: Reply;
    let error: unknown;
    try {
      reply = await run(headers);
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
    recordRequest(app.logger, app.metrics, { id: reqId, method: req.method ?? 'GET', url: req.url ?? '', route, status: reply.status, started, error });
  })();
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The client's address the way express's `req.ip` gives it with `trust proxy: loopback` (app.ts):
 * a loopback peer (a local proxy) may name the client in X-Forwarded-For, anyone else is its socket.
 * Both doors must count a client the same, or the fast path would be a way around its budget.
 */
export function clientIp(req: IncomingMessage): string | undefined {
  const socket = req.socket.remoteAddress;
  if (socket === undefined || !isLoopback(socket)) return socket;
  const chain = (header(req, 'x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  // express trusts hops from the right while they are loopback; the first untrusted one is the client.
  for (let i = chain.length - 1; i >= 0; i--) if (!isLoopback(chain[i]!)) return chain[i];
  return chain[0] ?? socket;
}

function isLoopback(a: string): boolean {
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}
