import type { PeerOutcome } from '../domain/lookup';

/** Why a peer call did not give a usable answer; `status` is the outcome reported for the peer. */
export class PeerFailure extends Error {
  constructor(
    readonly status: Extract<PeerOutcome['status'], 'timeout' | 'http_error' | 'invalid_answer' | 'refused' | 'skipped_unsupported'>,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'PeerFailure';
  }

  /** The connection closed before any answer began (a stale kept-alive socket): safe to ask once more. */
  unanswered?: boolean;
  /** The peer would not open an afb-counts/1 stream: ask it by HTTP requests instead. */
  noStream?: boolean;
}
