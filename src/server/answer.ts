import { AfbError } from '../domain/errors';
import type { Assembly } from '../domain/assemblies';
import type { DatasetInfo, LookupDescription, LookupScope, LookupTrace, VariantLookup, VariantRecord } from '../domain/lookup';
import { toWireRecord, type WireRecord } from '../beacon/record';
import type { BeaconRequest } from '../beacon/request';
import type { ResultSet } from '../beacon/envelope';
import type { AppContext } from './context';

/** What a g_variants request found, before it is put in an envelope. */
export interface Answer {
  total: number;
  trace?: LookupTrace;
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
  return { assembly: assembly ?? 'GRCh38', datasetIds, visited: ctx.visited };
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
      const found = await ctx.lookup.findAlleles(scope, [{ contig: q.contig, start0: q.start0, ref: q.ref, alt: q.alt }]);
      const hit = found.records[0];
      const records = hit ? [hit] : [];
      return { total: records.length, records: records.slice(req.skip, req.skip + page.limit), scope, datasets: inScope, trace: found.trace };
    }
    case 'range':
    case 'bracket':
    case 'all': {
      const r = await ctx.lookup.scan(scope, q, page);
      return { total: r.total, records: r.records, scope, datasets: inScope, trace: r.trace };
    }
  }
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
export function answerInfo(scope: LookupScope, trace: LookupTrace | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const afb: Record<string, unknown> = { assemblyId: scope.assembly, ...extra };
  if (trace?.peers) afb.peers = trace.peers;
  if (trace?.warnings && trace.warnings.length > 0) afb.warnings = trace.warnings;
  return { afb };
}
