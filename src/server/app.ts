import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AfbError } from '../domain/errors';
import { errorReply } from '../pipeline';
import type { AppContext } from './context';
import { observe } from './observability';
import { infoRoutes } from './info-routes';
import { annotateRoute, portalRoutes, variantRoutes } from './variant-routes';

/**
 * The express app of a node or a broker: the Beacon API under /api, the page at /, /health and
 * /metrics. It is handed a VariantLookup and never knows whether SQLite or peers answer.
 */
export function createApp(app: AppContext): express.Express {
  const e = express();
  e.disable('x-powered-by');
  // Answers are computed per request; hashing each body for an ETag cost ~5% of a lookup.
  e.set('etag', false);
  e.set('trust proxy', 'loopback');
  e.use(observe(app.logger, app.metrics));

  e.get('/health', (_req, res) => {
    res.json({ status: 'ok', role: app.role });
  });
  e.get('/metrics', async (_req, res) => {
    res.type(app.metrics.registry.contentType).send(await app.metrics.text());
  });

  // The VCF body of an annotation is read by the pipeline as it arrives, never by the JSON parser.
  e.post('/api/annotate', annotateRoute(app));
  // Any content type is read as JSON: Beacon clients are not consistent about the header.
  e.use('/api', express.json({ limit: app.config.bodyLimitBytes, type: () => true, strict: false }));
  e.use('/api', infoRoutes(app));
  e.use('/api', variantRoutes(app));
  // The GDI portal's dataset-discovery service POSTs to <base>/v2.0.0/g_variants: its base may be the server or /api.
  e.use('/v2.0.0', express.json({ limit: app.config.bodyLimitBytes, type: () => true, strict: false }));
  e.use('/v2.0.0', portalRoutes(app));
  e.use('/api', (req: Request) => {
    throw new AfbError('NOT_FOUND', `no endpoint ${req.method} ${req.originalUrl.split('?')[0]}; see /api/map for the endpoints and docs/api.md`);
  });

  const page = publicDir();
  if (page) e.use(express.static(page, { index: 'index.html', maxAge: '5m' }));

  e.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { reply, internal } = errorReply(app.facts, fromExpress(app, err));
    if (internal) res.locals.error = err instanceof Error ? { message: err.message, stack: err.stack } : String(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (reply.headers) res.set(reply.headers);
    res.status(reply.status).type(reply.contentType).send(reply.body);
  });
  return e;
}

/** Express's own failures (body parser, a client error status) as the AfbError they mean. */
function fromExpress(app: AppContext, err: unknown): unknown {
  const t = (err as { type?: string; status?: number })?.type;
  if (t === 'entity.too.large') {
    return new AfbError('PAYLOAD_TOO_LARGE', `request body is larger than ${app.config.bodyLimitBytes} bytes; send fewer variants per request`, { cause: err });
  }
  if (t === 'entity.parse.failed') {
    return new AfbError('INVALID_PARAMETER', `request body is not valid JSON (${(err as Error).message}); send {"meta":{"apiVersion":"v2.0"},"query":{...}}`, { cause: err });
  }
  const status = (err as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new AfbError('INVALID_PARAMETER', (err as Error).message, { httpStatus: status, cause: err });
  return err;
}

/** The page ships as static files beside the compiled server (src/server/public; dist/ reads it from src/). */
function publicDir(): string | undefined {
  for (const dir of [join(__dirname, 'public'), join(__dirname, '..', '..', 'src', 'server', 'public')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}
