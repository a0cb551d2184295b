import { AfbError } from '../domain/errors';
import type { Assembly } from '../domain/assemblies';
import { parseRsid } from '../domain/variant-id';
import type { DatasetInfo, Granularity, LookupDescription, LookupScope, LookupTrace, Traced, VariantLookup, VariantRecord } from '../domain/lookup';
import type { BeaconRequest } from '../beacon/request';
import { isHit } from '../domain/coverage';
import { parseVariantText } from '../beacon/batch';
import { parseVrsAlleleId } from '../domain/vrs';

/**
 * What a request found, before disclosure control and before it is written: the records (for a
 * batch, one per entry, undefined where nothing was found or the entry was malformed), the total,
 * the datasets asked and how the lookup got its answer.
 */
export interface Answer {
  granularity: Granularity;
  /** Undefined when this beacon serves no assembly at all (nothing was asked). */
  assembly?: Assembly;
  datasets: DatasetInfo[];
  total: number;
  totalIsLowerBound?: boolean;
  records: (VariantRecord | undefined)[];
  /** Batch only: each entry as written and, where it could not be asked, why. */
  entries?: { text: string; error?: string }[];
  trace?: LookupTrace;
  /** Count cells disclosure control withheld from this answer (the audit log reads it). */
  withheldCells?: number;
  /** The largest small-cell threshold k applied to this answer's datasets, when above 1 (TSV writes the rule). */
  minCount?: number;
}

export interface AnswerContext {
  lookup: VariantLookup;
  describe: () => Promise<LookupDescription>;
  /** Broker ids this query has already passed through (X-Afb-Visited). */
  visited: string[];
}

/** g_variants: a sequence, range, bracket or bare query. */
/**
 * A lookup's result, unless nobody behind it answered: a broker whose every asked peer failed has
 * nothing to say, and a 200 "absent" would read as "nobody carries it". That is a 503 naming them.
 */
export function answered<T extends Traced>(r: T): T {
  if (r.trace?.noPeerAnswered) {
    const who = (r.trace.peers ?? []).filter((p) => p.status !== 'ok' && p.status !== 'miss').map((p) => `${p.peer} (${p.status}${p.message ? `: ${p.message}` : ''})`);
    throw new AfbError('PEERS_UNAVAILABLE', `no peer answered: ${who.join('; ') || 'all failed'}; try again later (GET /api/network shows each peer's state)`);
  }
  return r;
}

export async function answerVariants(ctx: AnswerContext, req: BeaconRequest): Promise<Answer> {
  const description = await ctx.describe();
  const scope = scopeOf(ctx, description, req.assembly, req.datasetIds);
  const base = { granularity: req.granularity, assembly: scope?.assembly, datasets: datasetsIn(description, scope) };
  if (!scope) return { ...base, total: 0, records: [] };
  const q = req.query;
  // Boolean and count answers read no records anywhere (a broker asks its peers for counts only).
  const limit = req.granularity === 'record' ? req.limit : 0;
  if (q.kind === 'sequence') {
    const found = answered(await ctx.lookup.findAlleles(scope, [q]));
    // A record may be coverage only (absent "0 of AN", not covered): written beside the results, never counted as a hit.
    const all = found.records.filter((r): r is VariantRecord => r !== undefined);
    return { ...base, total: all.filter(isHit).length, records: all.slice(req.skip, req.skip + limit), trace: found.trace };
  }
  const r = answered(await ctx.lookup.scan(scope, q, { skip: req.skip, limit }));
  return { ...base, total: r.total, totalIsLowerBound: r.totalIsLowerBound, records: r.records, trace: r.trace };
}

/** g_variants/{id}: one variant by `GRCh37:22-16050075-A-G`, `22-16050075-A-G` (1-based), an rsID or a VRS 2.0 id `ga4gh:VA.…`. */
export async function answerSingle(ctx: AnswerContext, id: string, req: BeaconRequest): Promise<Answer> {
  const description = await ctx.describe();
  const rsid = parseRsid(id);
  if (rsid !== undefined) {
    const scope = scopeOf(ctx, description, req.assembly, req.datasetIds);
    const base = { granularity: req.granularity, assembly: scope?.assembly, datasets: datasetsIn(description, scope) };
    if (!scope) return { ...base, total: 0, records: [] };
    const found = answered(await ctx.lookup.findRsid(scope, rsid));
    return { ...base, total: found.records.length, records: found.records, trace: found.trace };
  }
  const digest = parseVrsAlleleId(id);
  if (digest !== undefined) {
    const scope = scopeOf(ctx, description, req.assembly, req.datasetIds);
    const base = { granularity: req.granularity, assembly: scope?.assembly, datasets: datasetsIn(description, scope) };
    if (!scope) return { ...base, total: 0, records: [] };
    if (!ctx.lookup.findVrs) throw new AfbError('INVALID_PARAMETER', `variant id ${id}: this beacon cannot look up VRS ids; use CONTIG-POS-REF-ALT (e.g. 22-16050075-A-G) or an rsID`);
    const found = answered(await ctx.lookup.findVrs(scope, digest));
    return { ...base, total: found.records.length, records: found.records, trace: found.trace };
  }
  const item = parseVariantText(id);
  if (!item.query) throw new AfbError('INVALID_PARAMETER', `variant id: ${item.error}; or GRCh37:22-16050075-A-G, an rsID such as rs6054257, or a VRS id ga4gh:VA.<32 characters>`);
  if (item.assembly && req.assembly && item.assembly !== req.assembly) {
    throw new AfbError('ASSEMBLY_MISMATCH', `the id names ${item.assembly} but assemblyId is ${req.assembly}`);
  }
  const scope = scopeOf(ctx, description, item.assembly ?? req.assembly, req.datasetIds);
  const base = { granularity: req.granularity, assembly: scope?.assembly, datasets: datasetsIn(description, scope) };
  if (!scope) return { ...base, total: 0, records: [] };
  const found = answered(await ctx.lookup.findAlleles(scope, [item.query]));
  const all = found.records.filter((r): r is VariantRecord => r !== undefined);
  return { ...base, total: all.filter(isHit).length, records: req.granularity === 'record' ? all : all.filter(isHit), trace: found.trace };
}

/**
 * The scope of a lookup: the assembly the request names, else the only one served (undefined when
 * none is served: there is nothing to ask), and the datasets it names, each checked to exist.
 */
export function scopeOf(ctx: AnswerContext, description: LookupDescription, named: Assembly | undefined, datasetIds: string[] | undefined): LookupScope | undefined {
  if (datasetIds) {
    const unknown = datasetIds.filter((id) => !description.datasets.some((d) => d.id === id));
    if (unknown.length > 0) {
      throw new AfbError('INVALID_PARAMETER', `datasetIds: unknown dataset ${unknown.join(', ')}; this beacon has ${description.datasets.map((d) => d.id).join(', ') || 'none'}`);
    }
  }
  const assembly = chooseAssembly(named, description.datasets);
  return assembly ? { assembly, datasetIds, visited: ctx.visited } : undefined;
}

function chooseAssembly(named: Assembly | undefined, datasets: DatasetInfo[]): Assembly | undefined {
  if (named) return named;
  const served = [...new Set(datasets.map((d) => d.assembly))];
  if (served.length <= 1) return served[0];
  throw new AfbError('MISSING_PARAMETER', `assemblyId is required: this beacon serves ${served.sort().join(' and ')}`);
}

export function datasetsIn(description: LookupDescription, scope: LookupScope | undefined): DatasetInfo[] {
  if (!scope) return [];
  return description.datasets.filter((d) => d.assembly === scope.assembly && (!scope.datasetIds || scope.datasetIds.includes(d.id)));
}
