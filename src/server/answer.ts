import { AfbError } from '../domain/errors';
import type { Assembly } from '../domain/assemblies';
import { contigRank } from '../domain/contigs';
import type { DatasetInfo, LookupDescription, LookupScope, VariantLookup, VariantRecord } from '../domain/lookup';
import { toWireRecord, type WireRecord } from '../beacon/record';
import type { BeaconRequest } from '../beacon/request';
import type { ResultSet } from '../beacon/envelope';
import type { AppContext } from './context';

/** What a g_variants request found, before it is put in an envelope. */
export interface Answer {
  total: number;
  records: VariantRecord[];
  scope: LookupScope;
  datasets: DatasetInfo[];
}

export interface AnswerContext {
  lookup: VariantLookup;
  describe: () => Promise<LookupDescription>;
  role: 'node' | 'broker';
  beaconId: string;
  sourceReference: string;
  visited: string[];
}

/** The lookup context of one request; `visitedHeader` is the broker hop header (X-Afb-Visited). */
export function contextFor(app: AppContext, visitedHeader: string | undefined): AnswerContext {
  const visited = (visitedHeader ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { lookup: app.lookup, describe: app.describe, role: app.role, beaconId: app.facts.beaconId, sourceReference: app.config.sourceReference, visited };
}

/**
 * The scope of a lookup. When the beacon serves no assembly at all there is nothing to ask; the
 * scope then still needs one, and callers skip the lookup (they check the chosen assembly).
 */
export function scopeFor(ctx: AnswerContext, assembly: Assembly | undefined, datasetIds: string[] | undefined): LookupScope {
  return { assembly: assembly ?? 'GRCh38', datasetIds, trace: {}, visited: ctx.visited };
}

/** The datasets a scope covers, from the lookup's description. */
export function datasetsIn(datasets: DatasetInfo[], scope: LookupScope): DatasetInfo[] {
  return datasets.filter((d) => d.assembly === scope.assembly && (!scope.datasetIds || scope.datasetIds.includes(d.id)));
}

/**
 * The one place a record becomes wire JSON. A node stamps each dataset entry with where its
 * counts were made (`beaconId/dataset@ingest time`), so a broker reaching this node by two paths
 * counts it once; a broker's entries keep the origins its peers gave them.
 */
export function wireOf(ctx: AnswerContext, datasets: DatasetInfo[]): (r: VariantRecord) => WireRecord {
  if (ctx.role === 'broker') return (r) => toWireRecord(r, ctx.sourceReference);
  const created = new Map(datasets.map((d) => [d.id, d.createdAt]));
  return (r) =>
    toWireRecord({ ...r, frequencies: r.frequencies.map((f) => ({ ...f, origin: `${ctx.beaconId}/${f.datasetId}@${created.get(f.datasetId) ?? ''}` })) }, ctx.sourceReference);
}

/** The assembly a request means: the one it names, else the only one served. */
export function chooseAssembly(named: Assembly | undefined, datasets: DatasetInfo[]): Assembly | undefined {
  if (named) return named;
  const served = [...new Set(datasets.map((d) => d.assembly))];
  if (served.length === 1) return served[0];
  if (served.length === 0) return undefined;
  throw new AfbError('MISSING_PARAMETER', `assemblyId is required: this beacon serves ${served.sort().join(' and ')}`);
}

export async function answerVariants(ctx: AnswerContext, req: BeaconRequest): Promise<Answer> {
  const description = await ctx.describe();
  const assembly = chooseAssembly(req.assembly, description.datasets);
  if (req.datasetIds) {
    const unknown = req.datasetIds.filter((id) => !description.datasets.some((d) => d.id === id));
    if (unknown.length > 0) {
      throw new AfbError('INVALID_PARAMETER', `datasetIds: unknown dataset ${unknown.join(', ')}; this beacon has ${description.datasets.map((d) => d.id).join(', ') || 'none'}`);
    }
  }
  const scope = scopeFor(ctx, assembly, req.datasetIds);
  const inScope = datasetsIn(description.datasets, scope);
  if (!assembly) return { total: 0, records: [], scope, datasets: inScope };
  const q = req.query;
  const wantRecords = req.granularity === 'record';
  const page = { skip: req.skip, limit: wantRecords ? req.limit : 0 };
  switch (q.kind) {
    case 'sequence': {
      const [hit] = await ctx.lookup.findAlleles(scope, [{ contig: q.contig, start0: q.start0, ref: q.ref, alt: q.alt }]);
      const records = hit ? [hit] : [];
      return { total: records.length, records: records.slice(req.skip, req.skip + page.limit), scope, datasets: inScope };
    }
    case 'range':
    case 'bracket': {
      const r = await ctx.lookup.findRange(scope, q, page);
      return { total: r.total, records: r.records, scope, datasets: inScope };
    }
    case 'all':
      return listAll(ctx, scope, inScope, page);
  }
}

const WINDOW = 5_000_000;
const MAX_CONTIG = 250_000_000;

/**
 * A bare query lists the first variants, walking contigs in order in windows (each window is one
 * indexed range read, so the cost follows the page, not the store). The total is the datasets'
 * own variant counts, which the store keeps; no full scan.
 */
async function listAll(ctx: AnswerContext, scope: LookupScope, datasets: DatasetInfo[], page: { skip: number; limit: number }): Promise<Answer> {
  const total = datasets.reduce((n, d) => n + d.variantCount, 0);
  const records: VariantRecord[] = [];
  let skip = page.skip;
  const contigs = [...new Set(datasets.flatMap((d) => d.contigs))].sort((a, b) => contigRank(a) - contigRank(b) || (a < b ? -1 : 1));
  outer: for (const contig of contigs) {
    for (let start0 = 0; start0 < MAX_CONTIG; start0 += WINDOW) {
      if (records.length >= page.limit) break outer;
      const r = await ctx.lookup.findRange(scope, { kind: 'range', contig, start0, end0: start0 + WINDOW }, { skip, limit: page.limit - records.length });
      // A variant reaching across a window edge shows in both windows: keep the first.
      for (const rec of r.records) if (rec.trimmed.start0 >= start0 || start0 === 0) records.push(rec);
      skip = Math.max(0, skip - r.total);
    }
  }
  return { total, records, scope, datasets };
}

/**
 * Result sets: a node answers one per dataset (the record restricted to that dataset's
 * frequencies), a broker one for the federation (whole records: pooled entry and each peer's).
 */
export function resultSets(ctx: AnswerContext, a: Answer): ResultSet[] {
  const wire = wireOf(ctx, a.datasets);
  if (ctx.role === 'broker') return [{ id: ctx.beaconId, records: a.records.map(wire), total: a.total }];
  return a.datasets.map((d) => {
    const records: WireRecord[] = [];
    for (const r of a.records) {
      const own = r.frequencies.filter((f) => f.datasetId === d.id);
      if (own.length > 0) records.push(wire({ ...r, frequencies: own }));
    }
    return { id: d.id, records, info: { name: d.name, version: d.version } };
  });
}

/** The `info` every data response carries: how the answer was obtained. */
export function answerInfo(scope: LookupScope, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const afb: Record<string, unknown> = { assemblyId: scope.assembly, ...extra };
  if (scope.trace?.peers) afb.peers = scope.trace.peers;
  if (scope.trace?.warnings && scope.trace.warnings.length > 0) afb.warnings = scope.trace.warnings;
  return { afb };
}
