import { policyFor, type AccessPolicy, type Caller } from '../domain/access';
import { discloseRecord, effectiveK } from '../domain/disclosure';
import { POOLED_DATASET_ID } from '../beacon/record';
import type { Answer } from './answer';
import type { DisclosureStep } from './disclose';

/**
 * Small-cell suppression as a pipeline step (DESIGN §9): every record of every answer (single
 * lookups, pages, each batch part) goes through domain/disclosure with, per dataset entry, the k
 * the policy gives this caller for that dataset; a broker's pooled entry takes the policy's k for
 * `pooled` and, in the domain rule, the strictest k of its contributors. The step counts the cells
 * it withheld on the answer. It is in the pipeline, so every door and format gets the same result.
 */
export function smallCellStep(policy: AccessPolicy): DisclosureStep {
  return (answer: Answer, caller: Caller): Answer => {
    const kOf = (datasetId: string): number => policyFor(policy, caller, datasetId).minCount;
    const ids = answer.datasets.map((d) => d.id);
    if (answer.records.some((r) => r?.frequencies.some((f) => f.pooled))) ids.push(POOLED_DATASET_ID);
    // The rule stated in TSV: the strictest threshold among the datasets this answer covers.
    const minCount = Math.max(1, ...ids.map((id) => effectiveK(kOf(id))));
    let withheld = 0;
    const records = answer.records.map((r) => {
      if (!r) return r;
      const out = discloseRecord(r, (e) => kOf(e.datasetId));
      withheld += out.withheldCells;
      return out.record;
    });
    return { ...answer, records, withheldCells: (answer.withheldCells ?? 0) + withheld, ...(minCount > 1 ? { minCount } : {}) };
  };
}

/** The disclosure steps a server runs for a configured policy: `startServer({ disclosure: disclosureFor(policy) })`. */
export function disclosureFor(policy: AccessPolicy): DisclosureStep[] {
  return [smallCellStep(policy)];
}
