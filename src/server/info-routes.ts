import { Router, type Request } from 'express';
import { AfbError } from '../domain/errors';
import {
  configurationResponse,
  entryTypesResponse,
  filteringTermsResponse,
  infoResponse,
  mapResponse,
  serviceInfo,
} from '../beacon/informational';
import type { AppContext } from './context';
import { catalogueRoutes } from './catalogue-routes';

/** The informational endpoints every Beacon must serve, and the broker's network status. */
export function infoRoutes(app: AppContext): Router {
  const r = Router();
  const info = async (_req: Request, res: import('express').Response) => {
    res.json(infoResponse(app.facts, await app.lookup.describe()));
  };
  r.get('/', info);
  r.get('/info', info);
  r.get('/service-info', async (_req, res) => {
    res.json(serviceInfo(app.facts, await app.lookup.describe()));
  });
  r.get('/configuration', (_req, res) => {
    res.json(configurationResponse(app.facts));
  });
  r.get('/entry_types', (_req, res) => {
    res.json(entryTypesResponse(app.facts));
  });
  r.get('/map', (req, res) => {
    res.json(mapResponse(app.facts, apiBaseUrl(app, req)));
  });
  r.get('/filtering_terms', (_req, res) => {
    res.json(filteringTermsResponse(app.facts));
  });
  r.use(catalogueRoutes(app, apiBaseUrl));
  r.get('/network', async (_req, res) => {
    if (!app.network) throw new AfbError('NOT_FOUND', '/api/network is served by a broker; this is a node (see /api/info)');
    res.json(await app.network());
  });
  return r;
}

/** Absolute base of the API as the client reached it (or as configured behind a proxy). */
export function apiBaseUrl(app: AppContext, req: Request): string {
  if (app.config.publicUrl) return app.config.publicUrl.replace(/\/+$/, '') + '/api';
  return `${req.protocol}://${req.get('host') ?? `${app.config.host}:${app.config.port}`}/api`;
}
