import { Router, type Request, type Response } from 'express';
import type { PipelineRequest } from '../pipeline';
import { writeReply } from './write-reply';
import { streamedBody } from './request-body';
import type { AppContext } from './context';

/**
 * g_variants (GET/POST), the single-entry form and batch: each route only translates express's
 * request into a PipelineRequest and writes the Reply back. All logic is in the pipeline.
 */
export function variantRoutes(app: AppContext): Router {
  const r = Router();
  const run = async (_req: Request, res: Response, request: PipelineRequest) => writeReply(res, await app.pipeline(request), app.config.sendTimeoutMs);
  r.get('/g_variants', (req, res) => run(req, res, { endpoint: 'g_variants', method: 'GET', query: queryOf(req), headers: headersOf(req) }));
  r.post('/g_variants', (req, res) => run(req, res, { endpoint: 'g_variants', method: 'POST', query: queryOf(req), body: req.body, headers: headersOf(req) }));
  r.get('/g_variants/:id', (req, res) => {
    const { id: _ignored, ...query } = queryOf(req);
    return run(req, res, { endpoint: 'g_variant', method: 'GET', id: String(req.params.id), query, headers: headersOf(req) });
  });
  r.post('/g_variants/:id', (req, res) =>
    run(req, res, { endpoint: 'g_variant', method: 'POST', id: String(req.params.id), query: queryOf(req), body: req.body, headers: headersOf(req) }),
  );
  r.post('/batch', (req, res) => run(req, res, { endpoint: 'batch', query: queryOf(req), body: req.body, headers: headersOf(req) }));
  r.use('/v2.0.0', portalRoutes(app));
  return r;
}

/**
 * POST /api/annotate: the request itself is the VCF body (not JSON), so this route is mounted
 * before the JSON body parser; the pipeline reads it as it arrives and the reply streams back.
 */
export function annotateRoute(app: AppContext): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const body = streamedBody(req);
    let reply;
    try {
      reply = await app.pipeline({ endpoint: 'annotate', query: queryOf(req), body: body.chunks, headers: headersOf(req) });
    } catch (e) {
      // Refused before the upload ended: take the rest (bounded) so the client, still sending, reads the error instead of a reset.
      await body.drain(app.config.bodyLimitBytes, app.config.sendTimeoutMs);
      throw e;
    }
    await writeReply(res, reply, app.config.sendTimeoutMs);
  };
}

/**
 * The GDI portal's door: `POST <base>/v2.0.0/g_variants`, as its dataset-discovery service sends
 * it (a Beacon v2 request body). The same pipeline as `POST /api/g_variants`; a broker lays its
 * result sets out per contributor (the `contributors` view) so the portal cannot count anything twice.
 */
export function portalRoutes(app: AppContext): Router {
  const r = Router();
  r.post('/g_variants', async (req, res) =>
    writeReply(res, await app.pipeline({ endpoint: 'g_variants', method: 'POST', query: queryOf(req), body: req.body, headers: headersOf(req), view: 'contributors' }), app.config.sendTimeoutMs),
  );
  return r;
}

function queryOf(req: Request): Record<string, unknown> {
  return req.query as Record<string, unknown>;
}

export function headersOf(req: Request): PipelineRequest['headers'] {
  const requestId = (req.res?.locals.requestId as string | undefined) ?? undefined;
  return { accept: req.get('accept'), authorization: req.get('authorization'), visited: req.get('x-afb-visited'), clientIp: req.ip, requestId };
}
