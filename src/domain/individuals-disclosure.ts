import type { IndividualCell, Individuals } from './catalogue';

/**
 * Small-cell control of a dataset's counts of individuals (the same k as variant counts: a level's
 * minCount). A total and two partitions of it (populations, sexes) are published, so hiding the
 * cells of 1..k-1 people is not enough: total minus the shown cells gives a hidden one back, and an
 * attacker who knows this rule can use it too (a "smallest other cell" chosen as the second one to
 * hide tells them it is no larger than any shown cell). So:
 *
 * 1. a total of 1..k-1: the total and every cell are withheld;
 * 2. in each partition, the cells of 1..k-1 (primary) are withheld alone only when that hides them:
 *    at least two, holding together S people with k <= S, n < S < n(k-1) (n hidden cells, each known
 *    to lie in 1..k-1: S = n would pin them all to 1, S = n(k-1) all to k-1);
 * 3. otherwise every cell of that partition is withheld, zeros included, and only the total is
 *    shown for it.
 *
 * A partition is only linked to the other through the total (no population x sex cross cells are
 * published), so each is protected on its own. Cells already withheld upstream (a peer's node) mean
 * the whole partition is withheld here. test/unit/domain/individuals-disclosure.test.ts attacks this
 * with every table consistent with what is published.
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
  const partitions = [out.populations, out.sexes];
  // A total not given but implied: the sum of a partition shown in full.
  const total = out.total ?? partitions.map(impliedTotal).find((t) => t !== undefined);
  if (total !== undefined && total >= 1 && total < k) {
    if (!out.totalWithheld) {
      delete out.total;
      out.totalWithheld = true;
      withheld++;
    }
    for (const p of partitions) p.forEach(hide);
    return { individuals: out, withheldCells: withheld };
  }
  for (const p of partitions) {
    const upstream = p.some((c) => c.withheld);
    const primary = p.filter((c) => c.count !== undefined && c.count >= 1 && c.count < k);
    if (!upstream && primary.length === 0) continue;
    const n = primary.length;
    const hiddenSum = total === undefined ? undefined : total - p.reduce((s, c) => s + (primary.includes(c) ? 0 : (c.count ?? 0)), 0);
    const safe = !upstream && hiddenSum !== undefined && n >= 2 && hiddenSum >= k && hiddenSum > n && hiddenSum < n * (k - 1);
    (safe ? primary : p).forEach(hide);
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
