import type { Granularity } from './lookup';

/**
 * Access levels and the policy that says what each may see (DESIGN §9). Pure data and rules:
 * `src/access/` decides who a caller is, `src/pipeline/` applies the policy to every answer.
 */
export type AccessLevel = 'anonymous' | 'registered' | 'controlled';
export const ACCESS_LEVELS: readonly AccessLevel[] = ['anonymous', 'registered', 'controlled'];

/** Who is asking, as the pipeline knows it after the identify step. */
export interface Caller {
  level: AccessLevel;
  /** Datasets this caller holds a ControlledAccessGrants visa (or a controlled token) for. */
  controlledDatasets: readonly string[];
  /** Whom budgets and the audit log count: `token:<id>`, `sub:<iss>#<sub>` or `ip:<address>`. Never a token itself. */
  clientId: string;
}

/** What one level may see and do. */
export interface LevelPolicy {
  /** Highest granularity answered (a higher one asked is answered at this one). */
  granularity: Granularity;
  /** Small-cell threshold k: counts in 1..k-1 are withheld; 1 publishes everything. */
  minCount: number;
  requestsPerMinute?: number;
  maxBatch?: number;
  maxRangeBases?: number;
}

export interface AccessPolicy {
  levels: Record<AccessLevel, LevelPolicy>;
  /** Per dataset, per level: settings that replace the level's. */
  datasets: Record<string, Partial<Record<AccessLevel, Partial<LevelPolicy>>>>;
}

/** No `access` section: every caller sees everything (k = 1), as afb did before access control. */
export const OPEN_POLICY: AccessPolicy = {
  levels: {
    anonymous: { granularity: 'record', minCount: 1 },
    registered: { granularity: 'record', minCount: 1 },
    controlled: { granularity: 'record', minCount: 1 },
  },
  datasets: {},
};

/** The level a caller has for one dataset: controlled only where granted, else registered or anonymous. */
export function levelFor(caller: Caller, datasetId: string): AccessLevel {
  if (caller.level === 'anonymous') return 'anonymous';
  return caller.controlledDatasets.includes(datasetId) ? 'controlled' : 'registered';
}

/** The policy that applies to a caller for one dataset (its level's, with the dataset's overrides). */
export function policyFor(policy: AccessPolicy, caller: Caller, datasetId: string): LevelPolicy {
  const level = levelFor(caller, datasetId);
  return { ...policy.levels[level], ...(policy.datasets[datasetId]?.[level] ?? {}) };
}
