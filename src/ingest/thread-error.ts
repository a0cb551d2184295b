import { AfbError, isAfbError, type ErrorCode } from '../domain/errors';

/**
 * An error as it crosses from the parser thread to the writing thread. Structured clone keeps
 * neither an AfbError's class nor its `code`, so the parts that matter are copied by hand
 * (the `cause` chain too, a few levels deep).
 */
export interface ThreadError {
  afb: boolean;
  name: string;
  code?: string;
  message: string;
  stack?: string;
  cause?: ThreadError;
}

export function toThreadError(e: unknown, depth = 0): ThreadError {
  if (!(e instanceof Error)) return { afb: false, name: 'Error', message: String(e) };
  const code = (e as { code?: unknown }).code;
  const out: ThreadError = { afb: isAfbError(e), name: e.name, message: e.message, stack: e.stack };
  if (typeof code === 'string') out.code = code;
  if (e.cause !== undefined && depth < 4) out.cause = toThreadError(e.cause, depth + 1);
  return out;
}

/** The same error again on this side: an AfbError keeps its code, message, stack and cause. */
export function fromThreadError(t: ThreadError): Error {
  const cause = t.cause ? fromThreadError(t.cause) : undefined;
  let e: Error;
  if (t.afb && t.code) e = new AfbError(t.code as ErrorCode, t.message, cause === undefined ? {} : { cause });
  else {
    e = new Error(t.message, cause === undefined ? undefined : { cause });
    e.name = t.name;
    if (t.code !== undefined) (e as { code?: string }).code = t.code;
  }
  if (t.stack) e.stack = `${t.stack}\n    --- (in the parser thread)`;
  return e;
}
