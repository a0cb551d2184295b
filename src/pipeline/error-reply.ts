import { isAfbError } from '../domain/errors';
import { errorFromAfb, errorResponse, type BeaconIdentity } from '../beacon/envelope';
import type { Reply } from './render';

/**
 * Any failure as a Beacon error body. An AfbError says whose fault it was (its status and stable
 * code); anything else is a 500 whose body reveals nothing (the log has the stack, found by the
 * request id). `internal` tells the door to log the error with its stack.
 */
export function errorReply(id: BeaconIdentity, err: unknown): { reply: Reply; internal: boolean } {
  // A store that cannot be read is this server's fault (logged with its stack); peers that did not
  // answer are not (the broker logs each peer's failure once), and nothing a client sends is.
  if (isAfbError(err)) return { reply: jsonReply(err.httpStatus, errorFromAfb(id, err)), internal: err.code === 'STORE_ERROR' };
  const body = errorResponse(id, 500, 'internal error; the request id in X-Request-Id finds it in the server log', 'INTERNAL');
  return { reply: jsonReply(500, body), internal: true };
}

function jsonReply(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}
