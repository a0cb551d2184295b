import { requireAssembly, type Assembly } from '../domain/assemblies';
import { AfbError } from '../domain/errors';
import { populationList } from '../annotate';

/** What POST /api/annotate asks, from its query string (the body is the VCF). */
export interface AnnotateRequest {
  format: 'vcf' | 'tsv';
  assembly?: Assembly;
  datasetIds?: string[];
  populations?: string[];
  /** Count kinds to write (`AC`, `AN`, `AF`, `nhomalt`, `nhemi`, `faf95`, `faf99`); all when undefined. */
  fields?: string[];
  prefix: string;
  /** The variants asked, as `CHROM-POS-REF-ALT`, filled in as the VCF is read (the audit line lists the first AUDIT_VARIANTS). */
  asked: string[];
  askedCount: number;
}

/** Variants an annotate request's audit line names one by one (the rest are counted). */
export const AUDIT_VARIANTS = 10_000;

const PARAMS = ['format', 'assemblyId', 'datasetIds', 'populations', 'fields', 'prefix'];

/** `?format=vcf|tsv&assemblyId=GRCh37&datasetIds=a,b&populations=AFR,EUR&fields=AC,AN&prefix=AFB_` (or `Accept: text/tab-separated-values`). */
export function parseAnnotateRequest(query: Record<string, unknown>, accept: string | undefined): AnnotateRequest {
  for (const k of Object.keys(query)) {
    if (!PARAMS.includes(k)) throw new AfbError('UNKNOWN_PARAMETER', `annotate takes no parameter '${k}'; it takes ${PARAMS.join(', ')} (the body is the VCF)`);
  }
  const text = (k: string): string | undefined => {
    const v = query[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new AfbError('INVALID_PARAMETER', `${k} must be given once, as text`);
    return v;
  };
  const f = text('format')?.toLowerCase();
  if (f !== undefined && f !== 'vcf' && f !== 'tsv') throw new AfbError('INVALID_PARAMETER', `format '${f}' must be vcf or tsv`);
  const format = f ?? (/text\/tab-separated-values/i.test(accept ?? '') ? 'tsv' : 'vcf');
  const assemblyText = text('assemblyId');
  const datasets = text('datasetIds')?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    format,
    ...(assemblyText ? { assembly: requireAssembly(assemblyText) } : {}),
    ...(datasets && datasets.length > 0 ? { datasetIds: datasets } : {}),
    populations: populationList(text('populations')),
    fields: populationList(text('fields')),
    prefix: text('prefix') ?? 'AFB_',
    asked: [],
    askedCount: 0,
  };
}
