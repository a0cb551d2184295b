import { AfbError } from '../domain/errors';
import { requireAssembly, type Assembly } from '../domain/assemblies';
import { resolveContig } from '../domain/contigs';
import { pos1ToStart0 } from '../domain/coordinates';
import { parseVariantId } from '../domain/variant-id';
import { parseVrsAlleleId } from '../domain/vrs';
import { isAlleleBases } from '../domain/alleles';
import { scalar, show } from './values';
import type { AlleleQuery } from '../domain/lookup';

/** One entry of a batch: the query as the client wrote it, and what it means (or why it is wrong). */
export interface BatchItem {
  text: string;
  query?: AlleleQuery;
  /** Set when the id pins an assembly (`GRCh37:22-...`, a RefSeq accession). */
  assembly?: Assembly;
  /** A VRS 2.0 id's digest (`ga4gh:VA.<digest>`): the pipeline resolves it to `query` through the lookup. */
  vrs?: string;
  error?: string;
}

export interface BatchRequest {
  assembly?: Assembly;
  datasetIds?: string[];
  items: BatchItem[];
}

/**
 * `{"assemblyId":"GRCh37","variants":["22-16050075-A-G", {"referenceName":"22","start":16050074,
 * "referenceBases":"A","alternateBases":"G"}], "datasetIds":["fi"]}`. A malformed entry is reported
 * in its own result; a malformed request (no list, too many entries) fails as a whole.
 */
export function parseBatchRequest(body: unknown, maxBatch: number): BatchRequest {
  const b = body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b) || !Array.isArray(b.variants)) {
    throw new AfbError('INVALID_PARAMETER', 'batch body must be {"assemblyId":"GRCh37","variants":["22-16050075-A-G", ...]} (ids 1-based, or objects with referenceName, start (0-based), referenceBases, alternateBases)');
  }
  if (b.variants.length > maxBatch) {
    throw new AfbError('PAYLOAD_TOO_LARGE', `variants: ${b.variants.length} entries; a batch takes at most ${maxBatch}, split it`);
  }
  const assemblyName = scalar(b.assemblyId, 'assemblyId', 'GRCh38');
  const assembly = assemblyName === undefined ? undefined : requireAssembly(assemblyName);
  let datasetIds: string[] | undefined;
  if (b.datasetIds !== undefined) {
    if (!Array.isArray(b.datasetIds) || !b.datasetIds.every((x) => typeof x === 'string')) throw new AfbError('INVALID_PARAMETER', 'datasetIds must be a list of dataset ids, e.g. ["fi"]');
    datasetIds = b.datasetIds as string[];
  }
  return { assembly, datasetIds, items: b.variants.map(parseItem) };
}

function parseItem(v: unknown): BatchItem {
  if (typeof v === 'string') {
    const vrs = parseVrsAlleleId(v);
    if (vrs !== undefined) return { text: v, vrs };
    let text = v.trim();
    let assembly: Assembly | undefined;
    const prefixed = /^(GRCh3[78]|hg19|hg38):(.+)$/i.exec(text);
    if (prefixed) {
      assembly = requireAssembly(prefixed[1]!);
      text = prefixed[2]!;
    }
    const id = parseVariantId(text);
    if (!id) return { text: v, error: `'${v}' is not a variant id; expected CONTIG-POS-REF-ALT with a 1-based POS, e.g. 22-16050075-A-G` };
    const c = resolveContig(id.contigName);
    if (!c) return { text: v, error: `'${id.contigName}' is not a contig name` };
    return { text: v, assembly: c.assembly ?? assembly, query: { contig: c.contig, start0: pos1ToStart0(id.pos1), ref: id.ref, alt: id.alt } };
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const text = written(v);
    const start = Array.isArray(o.start) && o.start.length === 1 ? o.start[0] : o.start;
    const c = typeof o.referenceName === 'string' ? resolveContig(o.referenceName) : undefined;
    if (!c || typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0 || !isAlleleBases(o.referenceBases) || !isAlleleBases(o.alternateBases)) {
      return { text, error: 'expected {"referenceName":"22","start":16050074,"referenceBases":"A","alternateBases":"G"} (start 0-based, bases A C G T N)' };
    }
    return { text, assembly: c.assembly, query: { contig: c.contig, start0: start, ref: o.referenceBases as string, alt: o.alternateBases as string } };
  }
  return { text: written(v), error: 'each variant is an id string such as 22-16050075-A-G or an object with referenceName, start, referenceBases, alternateBases' };
}

/** A single variant written as text: `22-16050075-A-G`, `GRCh37:22-16050075-A-G`, `chr22:16050075:A:G`. */
export function parseVariantText(text: string): BatchItem {
  return parseItem(text);
}

/** An entry as the batch answer echoes it: its JSON, or its shape when it cannot be written back (nested too deep). */
function written(v: unknown): string {
  try {
    return JSON.stringify(v) ?? show(v);
  } catch {
    return show(v);
  }
}
