/**
 * The only place where positions change coordinate system.
 *
 * Inside afb every position is 0-based half-open (`start0`, `end0`), like Beacon v2
 * `start`/`end`, VRS and tabix. VCF POS and the gnomAD-style ids people type
 * (`22-16050075-A-G`) are 1-based (`pos1`).
 */

/** 1-based position of a base (VCF POS, gnomAD-style id) -> 0-based start. */
export function pos1ToStart0(pos1: number): number {
  return pos1 - 1;
}

/** 0-based start -> 1-based position as written in VCF POS and in gnomAD-style ids. */
export function start0ToPos1(start0: number): number {
  return start0 + 1;
}
