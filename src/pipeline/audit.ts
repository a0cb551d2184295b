import type { AccessLevel } from '../domain/access';
import type { VariantQuery } from '../domain/lookup';
import { formatVariantId } from '../domain/variant-id';
import type { Parsed, PipelineRequest } from './request';

/**
 * One audit line per variant request (DESIGN §9): who (clientId: a token's id, a JWT's iss#sub or
 * an IP, never a token), at which level, what was asked and how many cells the disclosure steps
 * withheld. The pipeline writes it; the server decides where it goes (a JSON-lines file or the log).
 */
export interface AuditLine {
  time: string;
  /** X-Request-Id, as in the request log line. */
  requestId?: string;
  client: string;
  level: AccessLevel | 'unidentified';
  /** g_variants:<query kind>, g_variant or batch. */
  kind: string;
  /** The variants, ranges or ids asked, as written. */
  variants: string[];
  status: number;
  granularity?: string;
  withheldCells: number;
}

export type AuditSink = (line: AuditLine) => void;

export function kindOf(req: PipelineRequest, parsed: Parsed | undefined): string {
  if (!parsed) return req.endpoint;
  if (parsed.endpoint === 'counts') return `counts:${parsed.counts.op === 'scan' ? `scan:${parsed.counts.query.kind}${parsed.counts.keys ? ':keys' : ''}` : 'alleles'}`;
  return parsed.endpoint === 'g_variants' ? `g_variants:${parsed.request.query.kind}` : parsed.endpoint;
}

export function variantsOf(parsed: Parsed | undefined, req: PipelineRequest): string[] {
  if (!parsed) return req.endpoint === 'g_variant' ? [req.id] : [];
  switch (parsed.endpoint) {
    case 'g_variant':
      return [parsed.id];
    case 'batch':
      return parsed.batch.items.map((i) => i.text);
    case 'annotate': {
      // Filled in as the VCF is read; past AUDIT_VARIANTS the rest are counted, not listed.
      const { asked, askedCount } = parsed.annotate;
      return askedCount > asked.length ? [...asked, `... and ${askedCount - asked.length} more`] : [...asked];
    }
    case 'g_variants':
      return [queryText(parsed.request.query)];
    case 'counts':
      return parsed.counts.op === 'alleles' ? parsed.counts.items.map((i) => i.text) : [queryText(parsed.counts.query)];
  }
}

function queryText(q: VariantQuery): string {
  switch (q.kind) {
    case 'all':
      return 'all';
    case 'sequence':
      return formatVariantId(q.contig, q.start0, q.ref || '-', q.alt || '-');
    case 'range':
      // Ranges as the request gave them: 0-based, half-open.
      return `${q.contig}:${q.start0}-${q.end0}`;
    case 'bracket':
      return `${q.contig}:[${q.startMin0},${q.startMax0}]-[${q.endMin0},${q.endMax0}]`;
    case 'gene':
      return `gene:${q.geneId}`;
  }
}
