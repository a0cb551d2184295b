import { isAfbError } from '../domain/errors';
import { errorFromAfb, errorResponse, type BeaconIdentity } from '../beacon/envelope';
import type { Reply } from './render';

/**
 * Any failure as a Beacon error body. An AfbError says whose fault it was (its status and stable
 * code); anything else is a 500 whose body reveals nothing (the log has the stack, found by the
 * request id). `internal` tells the door to log the error.
 */
export function errorReply(id: BeaconIdentity, err: unknown): { reply: Reply; internal: boolean } {
  if (isAfbError(err)) return { reply: jsonReply(err.httpStatus, errorFromAfb(id, err)), internal: err.httpStatus >= 500 };
  const body = errorResponse(id, 500, 'internal error; the request id in X-Request-Id finds it in the server log', 'INTERNAL');
  return { reply: jsonReply(500, body), internal: true };
}

function jsonReply(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}
