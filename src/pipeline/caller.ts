import type { Caller } from '../domain/access';
import type { RequestHeaders } from './request';

export type { Caller, AccessLevel } from '../domain/access';

/**
 * Who is asking. Every request is identified first, before it is parsed or anything is looked up,
 * so every rule about what a caller may see or do can depend on it. The pipeline is given a
 * resolver (the server builds one from src/access/: API tokens, OIDC JWTs, Passport visas); it may
 * be async (a JWKS fetch) and throws an AfbError (UNAUTHORIZED) for a credential that fails.
 */
export type CallerResolver = (headers: RequestHeaders) => Caller | Promise<Caller>;

export const ANONYMOUS: Caller = Object.freeze({ level: 'anonymous', controlledDatasets: Object.freeze([]) as readonly string[], clientId: 'anonymous', via: 'none' });

/** No access section: everyone is anonymous (the Authorization header is not read), counted by IP. */
export const EVERYONE_ANONYMOUS: CallerResolver = (headers) => (headers.clientIp ? { ...ANONYMOUS, clientId: `ip:${headers.clientIp}` } : ANONYMOUS);

/** What a data response says about its caller (`info.afb.caller`): the level it was answered at, never an identifier. */
export function callerInfo(c: Caller): Record<string, unknown> {
  return {
    level: c.level,
    ...(c.controlledDatasets.length > 0 ? { controlledDatasets: c.controlledDatasets } : {}),
    ...(c.via ? { via: c.via } : {}),
    ...(c.notes && c.notes.length > 0 ? { notes: c.notes } : {}),
  };
}
