/**
 * Errors with stable codes: the one table of every code afb raises or sends (docs/api.md renders
 * it; a test keeps the two equal). Callers and tests branch on `code`, never on the message text;
 * the message says what was wrong and what would be valid.
 */
export const ERROR_CODES = {
  INVALID_PARAMETER: { status: 400, when: 'a request parameter or body field has a value outside its valid form (the message names it and the valid form)' },
  UNKNOWN_PARAMETER: { status: 400, when: 'a request names a parameter the endpoint does not take (the message lists those it takes)' },
  MISSING_PARAMETER: { status: 400, when: 'a parameter the query needs is absent (e.g. assemblyId on a beacon serving two assemblies)' },
  UNKNOWN_ASSEMBLY: { status: 400, when: 'an assembly name that is not GRCh37/GRCh38 or one of their aliases' },
  UNKNOWN_CONTIG: { status: 400, when: 'a contig no dataset in scope holds (the message lists those held)' },
  ASSEMBLY_MISMATCH: { status: 400, when: 'two parts of a request name different assemblies (assemblyId, a RefSeq accession, an id prefix)' },
  UNKNOWN_GENE: { status: 400, when: 'a geneId the gene table does not hold, or a beacon with no gene table (afb genes loads one; the message says which)' },
  NOT_FOUND: { status: 404, when: 'no such endpoint' },
  UNKNOWN_DATASET: { status: 404, when: 'GET /api/datasets/{id} with an id this server does not list (GET /api/datasets lists them)' },
  PAYLOAD_TOO_LARGE: { status: 413, when: 'a request body or batch over its configured limit (the message names the limit, and the access level whose limit it is)' },
  UNAUTHORIZED: {
    status: 401,
    when: 'an Authorization: Bearer token that is unknown, malformed, expired, not yet valid, for another audience, from an untrusted issuer or wrongly signed (the message says which; WWW-Authenticate: Bearer error="invalid_token")',
  },
  RATE_LIMITED: { status: 429, when: "a client over its access level's requests per minute; Retry-After says how many seconds until the next request is taken" },
  INVALID_VCF: { status: 400, when: 'ingest, annotate: a VCF whose header or layout cannot be read (file or request body, and line named)' },
  INVALID_RECORD: { status: 400, when: 'ingest: a VCF record that fails a check (file, line, field and text named); --skip-invalid skips and counts it' },
  INVALID_INPUT_FILE: { status: 400, when: 'ingest: an input that cannot be opened or read to its end' },
  INVALID_OPTION: { status: 400, when: 'a command-line option, configuration value or side file (panel, peers, populations) is invalid; exit code 2' },
  UNKNOWN_SAMPLE: { status: 400, when: 'ingest: a --samples or panel sample that the VCF does not have' },
  STORE_ERROR: { status: 500, when: 'the SQLite store cannot be read or written' },
  INTERRUPTED: { status: 500, when: 'ingest: stopped by SIGINT/SIGTERM; the published data is unchanged; exit code 1' },
  WORKER_FAILED: {
    status: 500,
    when: 'ingest: the parser thread could not start, died (e.g. out of memory) or stopped early; serve / broker --workers N: a worker exited before it listened, workers died more than 5 times in a minute, or one did not stop cleanly; exit code 1',
  },
  INGEST_IN_PROGRESS: { status: 409, when: 'ingest: another ingest of the same dataset is running (its pid, host and start are named); exit code 1' },
  SMALL_UPDATE: { status: 409, when: 'ingest: the new version differs from the published one by fewer than k (--min-count) individuals; --allow-small-update overrides; exit code 1' },
  STORE_FULL: { status: 500, when: 'ingest: the disk (or the store\'s page limit) is full; the published data is unchanged; free space and ingest again' },
  LISTEN_FAILED: { status: 500, when: 'afb serve / afb broker cannot listen on its host:port (in use, not permitted, no such address); exit code 1' },
  PAGE_LIMIT_EXCEEDED: {
    status: 400,
    when: 'a page or stream past a documented limit (a broker pages exactly through at most 100,000 variants of each afb peer\'s part of a range, 1,000 of a third-party Beacon\'s; one afb-counts/1 scan streams at most 100,000): the message names the limit; split the range. Never a silently short page',
  },
  PEERS_UNAVAILABLE: { status: 503, when: 'a broker asked its peers and none answered (each one\'s outcome is named): the answer would say nothing, so none is given' },
  INTERNAL: { status: 500, when: 'anything unexpected; the body says only this and the X-Request-Id that finds the stack in the server log' },
} as const satisfies Record<string, { status: number; when: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AfbError extends Error {
  readonly code: ErrorCode;
  /** HTTP status the API edge maps this error to. */
  readonly httpStatus: number;
  /** HTTP response headers the error needs (WWW-Authenticate for a 401, Retry-After for a 429). */
  readonly headers?: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: { httpStatus?: number; cause?: unknown; headers?: Record<string, string> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AfbError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? defaultStatus(code);
    if (options.headers) this.headers = options.headers;
  }
}

function defaultStatus(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

export function isAfbError(e: unknown): e is AfbError {
  return e instanceof Error && typeof (e as AfbError).code === 'string' && (e as Error).name === 'AfbError';
}
