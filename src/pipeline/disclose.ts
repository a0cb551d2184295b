import type { Answer } from './answer';
import type { Caller } from './caller';

/**
 * A disclosure step sees every answer of every door before it is written, with the caller, and
 * returns what that caller may see. Rules about visibility (access levels, small-cell suppression,
 * DESIGN §9) are steps here and nowhere else.
 */
export type DisclosureStep = (answer: Answer, caller: Caller) => Answer;

/** Today's policy: everything found is shown. */
export const SHOW_ALL: DisclosureStep = (answer) => answer;

export function disclose(steps: readonly DisclosureStep[], answer: Answer, caller: Caller): Answer {
  return steps.reduce((a, step) => step(a, caller), answer);
}
