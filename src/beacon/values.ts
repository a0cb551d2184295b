import { AfbError } from '../domain/errors';

/**
 * Request values arrive as JSON of any shape. A parameter that must be one value is refused by
 * name when it is an object or a list, before anything converts it (String({toString: 1}) throws,
 * String(a list nested 100,000 deep) overflows the stack): the client's mistake is a 400.
 */
export function scalar(v: unknown, name: string, example: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new AfbError('INVALID_PARAMETER', `${name} must be a single value, not ${shapeOf(v)}; e.g. ${example}`);
}

/** A value as a message may quote it: scalars as written (cut at 60 characters), anything else by its shape. */
export function show(v: unknown): string {
  if (typeof v === 'string') return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return shapeOf(v);
}

function shapeOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : typeof v;
}
