import { Router, type Request, type Response } from 'express';
import type { CatalogueRequest } from '../pipeline';
import type { AppContext } from './context';
import { headersOf } from './variant-routes';
import { writeReply } from './write-reply';

/**
 * The dataset catalogue's doors: `/api/datasets` (Beacon v2 datasets; DCAT-AP JSON-LD with
 * `Accept: application/ld+json`), `/api/datasets/{id}` and `/api/catalogue` (DCAT-AP JSON-LD).
 * They only build a CatalogueRequest; the catalogue door in src/pipeline/ decides what is shown.
 */
export function catalogueRoutes(app: AppContext, apiBase: (app: AppContext, req: Request) => string): Router {
  const r = Router();
  const run = async (req: Request, res: Response, endpoint: CatalogueRequest['endpoint'], id?: string) =>
    writeReply(res, await app.catalogue({ endpoint, ...(id !== undefined ? { id } : {}), query: req.query as Record<string, unknown>, headers: headersOf(req), apiBase: apiBase(app, req) }), app.config.sendTimeoutMs);
  r.get('/datasets', (req, res) => run(req, res, 'datasets'));
  r.get('/datasets/:id', (req, res) => run(req, res, 'dataset', String(req.params.id)));
  r.get('/catalogue', (req, res) => run(req, res, 'catalogue'));
  return r;
}
