import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for browser clients on other origins (Beacon front ends that call nodes from the browser).
 * Off unless `corsOrigins` lists origins (comma-separated; `*` allows any). A listed origin gets
 * `Access-Control-Allow-Origin` on every answer (set before any door writes, so the fast path and
 * express alike carry it), and a preflight (`OPTIONS` with `Access-Control-Request-Method`) is
 * answered here with 204. An origin not listed gets no CORS headers: the browser refuses it.
 */
export function corsHandler(corsOrigins: string): ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined {
  const list = corsOrigins.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  if (list.length === 0) return undefined;
  const any = list.includes('*');
  const allowed = new Set(list);
  return (req, res) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || (!any && !allowed.has(origin))) return false;
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    if (!any) res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, WWW-Authenticate');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Accept, Authorization, Content-Type, X-Request-Id',
        'Access-Control-Max-Age': '600',
        'Content-Length': '0',
      });
      res.end();
      return true;
    }
    return false;
  };
}
