import { AfbError } from '../domain/errors';
import type { Assembly } from '../domain/assemblies';
import { contigRank } from '../domain/contigs';
import type { DatasetInfo, LookupDescription, LookupScope, VariantLookup, VariantRecord } from '../domain/lookup';
import { toWireRecord, type WireRecord } from '../beacon/record';
import type { BeaconRequest } from '../beacon/request';
import type { ResultSet } from '../beacon/envelope';

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
  signal?: AbortSignal;
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
  const inScope = description.datasets.filter((d) => d.assembly === assembly && (!req.datasetIds || req.datasetIds.includes(d.id)));
  if (req.datasetIds) {
    const unknown = req.datasetIds.filter((id) => !description.datasets.some((d) => d.id === id));
    if (unknown.length > 0) {
      throw new AfbError('INVALID_PARAMETER', `datasetIds: unknown dataset ${unknown.join(', ')}; this beacon has ${description.datasets.map((d) => d.id).join(', ') || 'none'}`);
    }
  }
  const scope: LookupScope = { assembly: assembly ?? 'GRCh38', datasetIds: req.datasetIds, trace: {}, visited: ctx.visited };
  if (!assembly) return { total: 0, records: [], scope, datasets: inScope };
  const q = req.query;
  const wantRecords = req.granularity === 'record';
  const page = { skip: req.skip, limit: wantRecords ? req.limit : 0 };
  switch (q.kind) {
    case 'sequence': {
      const [hit] = await ctx.lookup.findAlleles(scope, [{ contig: q.contig, start0: q.start0, ref: q.ref, alt: q.alt }], ctx.signal);
      const records = hit ? [hit] : [];
      return { total: records.length, records: records.slice(req.skip, req.skip + page.limit), scope, datasets: inScope };
    }
    case 'range':
    case 'bracket': {
      const r = await ctx.lookup.findRange(scope, q, page, ctx.signal);
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
      const r = await ctx.lookup.findRange(scope, { kind: 'range', contig, start0, end0: start0 + WINDOW }, { skip, limit: page.limit - records.length }, ctx.signal);
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
  if (ctx.role === 'broker') {
    return [{ id: ctx.beaconId, records: a.records.map((r) => toWireRecord(r, ctx.sourceReference)), total: a.total }];
  }
  return a.datasets.map((d) => {
    const records: WireRecord[] = [];
    for (const r of withOrigins(ctx.beaconId, a.datasets, a.records)) {
      const own = r.frequencies.filter((f) => f.datasetId === d.id);
      if (own.length > 0) records.push(toWireRecord({ ...r, frequencies: own }, ctx.sourceReference));
    }
    return { id: d.id, records, info: { name: d.name, version: d.version } };
  });
}

/**
 * A node stamps each dataset entry with where its counts were made (`beaconId/dataset@ingest
 * time`), so a broker reaching this node by two paths counts it once. Entries that already carry
 * an origin (a broker's, from its peers) keep it.
 */
export function withOrigins(beaconId: string, datasets: DatasetInfo[], records: VariantRecord[]): VariantRecord[] {
  const created = new Map(datasets.map((d) => [d.id, d.createdAt]));
  return records.map((r) => ({
    ...r,
    frequencies: r.frequencies.map((f) => (f.origin !== undefined ? f : { ...f, origin: `${beaconId}/${f.datasetId}@${created.get(f.datasetId) ?? ''}` })),
  }));
}

/** The `info` every data response carries: how the answer was obtained. */
export function answerInfo(scope: LookupScope, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const afb: Record<string, unknown> = { assemblyId: scope.assembly, ...extra };
  if (scope.trace?.peers) afb.peers = scope.trace.peers;
  if (scope.trace?.warnings && scope.trace.warnings.length > 0) afb.warnings = scope.trace.warnings;
  return { afb };
}
