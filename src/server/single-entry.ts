import { AfbError } from '../domain/errors';
import { parseRsid } from '../domain/variant-id';
import type { LookupScope, LookupTrace, VariantRecord } from '../domain/lookup';
import type { BeaconRequest } from '../beacon/request';
import { summaryOf, variantsResponse, type RequestSummary } from '../beacon/envelope';
import { parseVariantText } from '../beacon/batch';
import { answerInfo, chooseAssembly, datasetsIn, resultSets, scopeFor, type Answer, type AnswerContext } from './answer';
import type { AppContext } from './context';

/**
 * `g_variants/{id}`: one variant by `GRCh37:22-16050075-A-G`, `22-16050075-A-G` (1-based) or rsID.
 * Free of express so the hot-path handler (fast-path.ts) and the express route share it.
 */
export async function findSingle(app: AppContext, ctx: AnswerContext, id: string, base: BeaconRequest): Promise<Answer> {
  const description = await app.describe();
  const rsid = parseRsid(id);
  let records: VariantRecord[];
  let scope: LookupScope;
  let trace: LookupTrace | undefined;
  if (rsid !== undefined) {
    const assembly = chooseAssembly(base.assembly, description.datasets);
    scope = scopeFor(ctx, assembly, base.datasetIds);
    const found = assembly ? await app.lookup.findRsid(scope, rsid) : { records: [] };
    records = found.records;
    trace = found.trace;
  } else {
    const item = parseVariantText(id);
    if (!item.query) throw new AfbError('INVALID_PARAMETER', `variant id: ${item.error}; or GRCh37:22-16050075-A-G, or an rsID such as rs6054257`);
    if (item.assembly && base.assembly && item.assembly !== base.assembly) {
      throw new AfbError('ASSEMBLY_MISMATCH', `the id names ${item.assembly} but assemblyId is ${base.assembly}`);
    }
    const assembly = chooseAssembly(item.assembly ?? base.assembly, description.datasets);
    scope = scopeFor(ctx, assembly, base.datasetIds);
    const found = assembly ? await app.lookup.findAlleles(scope, [item.query]) : { records: [] };
    const hit = found.records[0];
    records = hit ? [hit] : [];
    trace = found.trace;
  }
  return { total: records.length, records, scope, datasets: datasetsIn(description.datasets, scope), trace };
}

export function singleResponse(app: AppContext, ctx: AnswerContext, id: string, base: BeaconRequest, answer: Answer) {
  const summary: RequestSummary = { ...summaryOf(base), params: { variantInternalId: id } };
  return variantsResponse(app.facts, summary, answer.total, resultSets(ctx, answer), answerInfo(answer.scope, answer.trace));
}
