/**
 * Who is asking. Every request is identified before anything is looked up, so every rule about
 * what a caller may see can depend on it. Today everyone is `anonymous`; access levels from API
 * tokens and OIDC/Passport visas fill this in (DESIGN §9), in this one function.
 */
export type AccessLevel = 'anonymous' | 'registered' | 'controlled';

export interface Caller {
  level: AccessLevel;
  /** Datasets the caller holds `controlled` access to (empty below that level). */
  controlledDatasets: readonly string[];
}

export const ANONYMOUS: Caller = Object.freeze({ level: 'anonymous', controlledDatasets: Object.freeze([]) as readonly string[] });

/** The caller behind a request's headers. */
export function identify(_headers: { authorization?: string }): Caller {
  return ANONYMOUS;
}
