import { Router, type Request, type Response } from 'express';
import { AfbError } from '../domain/errors';
import type { VariantRecord } from '../domain/lookup';
import { parseGetRequest, parsePostRequest, type BeaconRequest, type RequestLimits } from '../beacon/request';
import { summaryOf, variantsResponse, responseMeta, type RequestSummary } from '../beacon/envelope';
import { parseBatchRequest } from '../beacon/batch';
import { tsvHeader, tsvRows } from '../beacon/tsv';
import { answerInfo, answerVariants, chooseAssembly, contextFor, resultSets, scopeFor, wireOf, type Answer, type AnswerContext } from './answer';
import type { AppContext } from './context';
import { findSingle, singleResponse } from './single-entry';

/** g_variants (GET/POST), the single-entry form, and the batch endpoint. */
export function variantRoutes(app: AppContext): Router {
  const r = Router();
  const limits: RequestLimits = { maxLimit: app.config.maxLimit, maxRangeBases: app.config.maxRangeBases, defaultGranularity: app.config.defaultGranularity };

  r.get('/g_variants', async (req, res) => {
    const parsed = parseGetRequest(req.query as Record<string, unknown>, { ...limits, defaultGranularity: bareDefault(req, limits) });
    await sendVariants(app, req, res, parsed);
  });
  r.post('/g_variants', async (req, res) => {
    await sendVariants(app, req, res, parsePostRequest(req.body, limits));
  });

  const single = async (req: Request, res: Response, base: BeaconRequest) => {
    const id = String(req.params.id);
    const ctx = answerContext(app, req);
    const answer = await findSingle(app, ctx, id, base);
    if (wantsTsv(req)) return sendTsv(res, tsvOf(ctx, answer));
    res.json(singleResponse(app, ctx, id, base, answer));
  };
  // A single entry defaults to record granularity: asking for one variant by id means wanting it.
  r.get('/g_variants/:id', async (req, res) => {
    const { id: _id, ...rest } = req.query as Record<string, unknown>;
    const base = parseGetRequest(rest, { ...limits, defaultGranularity: 'record' });
    if (base.query.kind !== 'all') throw new AfbError('INVALID_PARAMETER', 'g_variants/{id} takes no variant parameters besides the id; use g_variants?referenceName=... for queries');
    await single(req, res, base);
  });
  r.post('/g_variants/:id', async (req, res) => {
    const base = parsePostRequest(req.body, { ...limits, defaultGranularity: 'record' });
    await single(req, res, base);
  });

  r.post('/batch', async (req, res) => {
    const batch = parseBatchRequest(req.body, app.config.maxBatch);
    const ctx = answerContext(app, req);
    const description = await app.describe();
    const assembly = chooseAssembly(batch.assembly ?? batch.items.find((i) => i.assembly)?.assembly, description.datasets);
    const held = new Set(description.datasets.filter((d) => d.assembly === assembly).flatMap((d) => d.contigs));
    const scope = scopeFor(ctx, assembly, batch.datasetIds);
    // Entries the lookup cannot take (malformed, other assembly, contig not held) are answered here, per entry.
    const askable: number[] = [];
    const errors = new Map<number, string>();
    batch.items.forEach((item, i) => {
      if (item.error || !item.query) errors.set(i, item.error ?? 'not a variant');
      else if (item.assembly && item.assembly !== assembly) errors.set(i, `${item.text} is on ${item.assembly}; this batch asks ${assembly}`);
      else if (!held.has(item.query.contig)) errors.set(i, `contig '${item.query.contig}' is not in any ${assembly} dataset here`);
      else askable.push(i);
    });
    const found = assembly && askable.length > 0 ? await app.lookup.findAlleles(scope, askable.map((i) => batch.items[i]!.query!)) : { records: [] };
    const byIndex = new Map<number, VariantRecord | undefined>();
    askable.forEach((i, k) => byIndex.set(i, found.records[k]));
    const wire = wireOf(ctx, description.datasets);
    if (wantsTsv(req)) {
      let out = tsvHeader();
      batch.items.forEach((item, i) => {
        const rec = byIndex.get(i);
        out += tsvRows(item.text, rec ? wire(rec) : undefined);
      });
      return sendTsv(res, out, true);
    }
    const results = batch.items.map((item, i) => {
      const err = errors.get(i);
      if (err) return { query: item.text, found: false, error: { errorCode: 400, errorMessage: err } };
      const rec = byIndex.get(i);
      return rec ? { query: item.text, found: true, record: wire(rec) } : { query: item.text, found: false };
    });
    const summary: RequestSummary = { requestedGranularity: 'record', skip: 0, limit: batch.items.length };
    res.json({ meta: responseMeta(app.facts, 'record', summary), results, info: answerInfo(scope, found.trace, { found: results.filter((x) => x.found).length }) });
  });
  return r;
}

async function sendVariants(app: AppContext, req: Request, res: Response, parsed: BeaconRequest): Promise<void> {
  const ctx = answerContext(app, req);
  const answer = await answerVariants(ctx, parsed);
  if (wantsTsv(req)) {
    sendTsv(res, tsvOf(ctx, answer));
    return;
  }
  res.json(variantsResponse(app.facts, summaryOf(parsed), answer.total, resultSets(ctx, answer), answerInfo(answer.scope, answer.trace)));
}

function answerContext(app: AppContext, req: Request): AnswerContext {
  return contextFor(app, req.get('x-afb-visited'));
}

/** TSV rows (without the header) of an answer's records. */
function tsvOf(ctx: AnswerContext, answer: Answer): string {
  const wire = wireOf(ctx, answer.datasets);
  return answer.records.map((rec) => tsvRows('', wire(rec))).join('');
}

/**
 * A bare `GET /g_variants` (no parameters at all) lists records whatever the default, so a
 * verifier finds a variantInternalId to try on the single-entry URL.
 */
function bareDefault(req: Request, limits: RequestLimits): RequestLimits['defaultGranularity'] {
  return Object.keys(req.query).length === 0 ? 'record' : limits.defaultGranularity;
}

function wantsTsv(req: Request): boolean {
  if (req.query.format !== undefined) {
    const f = String(req.query.format).toLowerCase();
    if (f === 'tsv') return true;
    if (f === 'json') return false;
    throw new AfbError('INVALID_PARAMETER', `format '${f}' must be json or tsv`);
  }
  return /text\/tab-separated-values/i.test(req.get('accept') ?? '');
}

function sendTsv(res: Response, body: string, hasHeader = false): void {
  res.type('text/tab-separated-values; charset=utf-8').send(hasHeader ? body : tsvHeader() + body);
}
