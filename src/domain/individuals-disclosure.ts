import type { IndividualCell, Individuals } from './catalogue';

/**
 * Small-cell control of a dataset's counts of individuals (the same k as variant counts: a level's
 * minCount). A total and two partitions of it (populations, sexes) are published, so hiding the
 * cells of 1..k-1 people is not enough: total minus the shown cells gives the hidden one back. So:
 *
 * 1. a total of 1..k-1: the total and every non-zero cell are withheld;
 * 2. in each partition, every cell of 1..k-1 is withheld (primary);
 * 3. while what is hidden in a partition could be worked out — one hidden cell (its value is the
 *    total minus the shown ones), or hidden cells that together hold fewer than k people, or only
 *    ones (each hidden cell holds at least one person, so a sum equal to their number pins each) —
 *    the smallest shown non-zero cell is withheld too (secondary); with none left, the total goes.
 *
 * Zeros are shown (0 is not a small cell). A partition is only linked to the other through the
 * total (no population x sex cross cells are published), so each is protected on its own. Cells
 * already withheld upstream (a peer's node) stay withheld: their values are not needed, only the
 * total and the shown cells, which is all an attacker has too.
 */
export function discloseIndividuals(ind: Individuals, k: number): { individuals: Individuals; withheldCells: number } {
  const out: Individuals = { ...ind, populations: ind.populations.map((c) => ({ ...c })), sexes: ind.sexes.map((c) => ({ ...c })) };
  if (k <= 1) return { individuals: out, withheldCells: 0 };
  let withheld = 0;
  const hide = (c: IndividualCell): void => {
    if (c.withheld) return;
    delete c.count;
    c.withheld = true;
    withheld++;
  };
  const hideTotal = (): void => {
    if (out.totalWithheld) return;
    delete out.total;
    out.totalWithheld = true;
    withheld++;
  };
  const partitions = [out.populations, out.sexes];
  // A total not given but implied: the sum of a partition shown in full.
  let total = out.total ?? partitions.map(impliedTotal).find((t) => t !== undefined);
  if (total !== undefined && total >= 1 && total < k) {
    hideTotal();
    for (const p of partitions) for (const c of p) if (c.count !== 0) hide(c);
    return { individuals: out, withheldCells: withheld };
  }
  for (const p of partitions) for (const c of p) if (c.count !== undefined && c.count >= 1 && c.count < k) hide(c);
  for (const p of partitions) {
    if (total === undefined) break;
    for (;;) {
      const hidden = p.filter((c) => c.withheld);
      if (hidden.length === 0) break;
      const hiddenSum = total - p.reduce((s, c) => s + (c.count ?? 0), 0);
      if (hidden.length >= 2 && hiddenSum >= k && hiddenSum > hidden.length) break;
      const next = p.filter((c) => !c.withheld && (c.count ?? 0) > 0).sort((a, b) => a.count! - b.count!)[0];
      if (next) {
        hide(next);
        continue;
      }
      // Every non-zero cell is hidden and still pinned: only hiding the total helps.
      hideTotal();
      total = undefined;
      break;
    }
  }
  // Hiding the total in one partition must not leave it derivable from the other.
  if (out.totalWithheld) {
    for (const p of partitions) {
      if (impliedTotal(p) !== undefined) {
        const next = p.filter((c) => !c.withheld && (c.count ?? 0) > 0).sort((a, b) => a.count! - b.count!)[0];
        if (next) hide(next);
      }
    }
  }
  return { individuals: out, withheldCells: withheld };
}

/** Every count of a dataset withheld (a caller below the dataset's countsAccess level). */
export function withholdAllIndividuals(ind: Individuals): { individuals: Individuals; withheldCells: number } {
  const cells = (p: IndividualCell[]) => p.map(({ count: _c, ...rest }) => ({ ...rest, withheld: true }));
  const n = ind.populations.length + ind.sexes.length + 1;
  return { individuals: { source: ind.source, totalWithheld: true, populations: cells(ind.populations), sexes: cells(ind.sexes) }, withheldCells: n };
}

/** The sum of a non-empty partition whose every cell is shown (then it is the total, whatever else is hidden). */
function impliedTotal(p: IndividualCell[]): number | undefined {
  if (p.length === 0 || p.some((c) => c.count === undefined)) return undefined;
  return p.reduce((s, c) => s + c.count!, 0);
}
