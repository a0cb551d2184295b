import type { Caller } from '../domain/access';

export type { Caller, AccessLevel } from '../domain/access';

/**
 * Who is asking. Every request is identified before anything is looked up, so every rule about
 * what a caller may see can depend on it. Today everyone is anonymous; access levels from API
 * tokens and OIDC/Passport visas (src/access/) fill this in, in this one step.
 */
export const ANONYMOUS: Caller = Object.freeze({ level: 'anonymous', controlledDatasets: Object.freeze([]) as readonly string[], clientId: 'anonymous' });

/** The caller behind a request's headers. */
export function identify(_headers: { authorization?: string }): Caller {
  return ANONYMOUS;
}
