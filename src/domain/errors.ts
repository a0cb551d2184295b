/**
 * Errors with stable codes. Code and tests branch on `code`, never on the message text;
 * the message says what was wrong and what would be valid.
 */
export type ErrorCode =
  | 'INVALID_PARAMETER'
  | 'UNKNOWN_PARAMETER'
  | 'MISSING_PARAMETER'
  | 'UNKNOWN_ASSEMBLY'
  | 'UNKNOWN_CONTIG'
  | 'ASSEMBLY_MISMATCH'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_VCF'
  | 'INVALID_RECORD'
  | 'INVALID_INPUT_FILE'
  | 'INVALID_OPTION'
  | 'REFERENCE_MISMATCH'
  | 'DUPLICATE_RECORD'
  | 'UNKNOWN_SAMPLE'
  | 'STORE_ERROR'
  | 'PEER_ERROR'
  // ingest stopped by SIGINT/SIGTERM or an abort signal; the published data is unchanged
  | 'INTERRUPTED'
  // the ingest's parser thread could not start, died (e.g. out of memory) or exited early
  | 'WORKER_FAILED'
  // another ingest of the same dataset is running (its pid, host and start are named)
  | 'INGEST_IN_PROGRESS'
  // SQLite reported a full disk (or its page limit) while writing the store
  | 'STORE_FULL';

export class AfbError extends Error {
  readonly code: ErrorCode;
  /** HTTP status the API edge maps this error to. */
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, options: { httpStatus?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AfbError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? defaultStatus(code);
  }
}

function defaultStatus(code: ErrorCode): number {
  switch (code) {
    case 'NOT_FOUND':
      return 404;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'STORE_ERROR':
    case 'PEER_ERROR':
      return 500;
    default:
      return 400;
  }
}

export function isAfbError(e: unknown): e is AfbError {
  return e instanceof Error && typeof (e as AfbError).code === 'string' && (e as Error).name === 'AfbError';
}
