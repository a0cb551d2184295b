/**
 * Issue 15, acceptance 3 (the rule): under k = 5 no population or sex cell of 1..4 individuals is
 * shown, and none can be worked out. The attacker here knows the published table AND the rule
 * itself: it enumerates every full table that would publish exactly what it sees and reads off each
 * hidden cell's possible values. A hidden cell (or total) with a single possible value in 1..k-1 is
 * a leak.
 */
import { discloseIndividuals } from '../../../src/domain/individuals-disclosure';
import type { IndividualCell, Individuals } from '../../../src/domain/catalogue';
import { rng } from '../../helpers/prng';

const K = 5;

function table(total: number, pops: number[], sexes: number[]): Individuals {
  return {
    total,
    populations: pops.map((n, i) => ({ code: `P${i}`, count: n })),
    sexes: sexes.map((n, i) => ({ code: ['female', 'male', 'unknown'][i]!, count: n })),
    source: 'declared',
  };
}

/** Every way `sum` splits over `n` cells of at least `min` people. */
function compositions(sum: number, n: number, min = 0): number[][] {
  if (n === 0) return sum === 0 ? [[]] : [];
  if (n === 1) return sum >= min ? [[sum]] : [];
  const out: number[][] = [];
  for (let first = min; first <= sum - (n - 1) * min; first++) for (const rest of compositions(sum - first, n - 1, min)) out.push([first, ...rest]);
  return out;
}

/** Fill the hidden cells of a published partition with `values` (in order). */
function fill(cells: IndividualCell[], values: number[]): number[] {
  let i = 0;
  return cells.map((c) => (c.count !== undefined ? c.count : values[i++]!));
}

type Rule = (t: Individuals) => Individuals;
const RULE: Rule = (t) => discloseIndividuals(t, K).individuals;

/**
 * Possible values of each hidden cell and of a hidden total, given what was published and the
 * rule. A hidden cell may hold 0 (the rule may hide zeros). The rule treats the two partitions
 * apart given the total, so each is enumerated on its own, the other held at what was published.
 */
function attack(published: Individuals, maxTotal: number, rule: Rule = RULE): { pops: Set<number>[]; sexes: Set<number>[]; total: Set<number> } {
  const totals = published.total !== undefined ? [published.total] : Array.from({ length: maxTotal }, (_, i) => i + 1);
  const pops = published.populations.map(() => new Set<number>());
  const sexes = published.sexes.map(() => new Set<number>());
  const total = new Set<number>();
  const part = (x: Individuals, which: 'populations' | 'sexes') => JSON.stringify([x.total ?? null, x[which].map((c) => c.count ?? null)]);
  for (const t of totals) {
    const ok: Record<'populations' | 'sexes', number[][]> = { populations: [], sexes: [] };
    for (const which of ['populations', 'sexes'] as const) {
      const cells = published[which];
      const shown = cells.reduce((s, c) => s + (c.count ?? 0), 0);
      const fills = cells.length === 0 ? [[]] : compositions(t - shown, cells.filter((c) => c.withheld).length);
      for (const f of fills) {
        const values = fill(cells, f);
        const other = which === 'populations' ? 'sexes' : 'populations';
        const candidate: Individuals = { total: t, source: 'declared', [which]: cells.map((c, i) => ({ code: c.code, count: values[i]! })), [other]: published[other].map((c) => ({ code: c.code, count: c.count ?? 0 })) } as unknown as Individuals;
        if (part(rule(candidate), which) === part(published, which)) ok[which].push(values);
      }
    }
    if (ok.populations.length === 0 || ok.sexes.length === 0) continue;
    total.add(t);
    for (const v of ok.populations) v.forEach((n, i) => pops[i]!.add(n));
    for (const v of ok.sexes) v.forEach((n, i) => sexes[i]!.add(n));
  }
  return { pops, sexes, total };
}

function leaks(published: Individuals, truth: Individuals, maxTotal: number, rule: Rule = RULE): string[] {
  const found = attack(published, maxTotal, rule);
  const out: string[] = [];
  const check = (what: string, hidden: boolean, possible: Set<number>, real: number) => {
    if (hidden && possible.size === 1 && real >= 1 && real < K) out.push(`${what} = ${real} derived`);
  };
  published.populations.forEach((c, i) => check(`population ${c.code}`, !!c.withheld, found.pops[i]!, truth.populations[i]!.count!));
  published.sexes.forEach((c, i) => check(`sex ${c.code}`, !!c.withheld, found.sexes[i]!, truth.sexes[i]!.count!));
  check('total', !!published.totalWithheld, found.total, truth.total!);
  // The real table is among the candidates (else the attack is wrong, and a passing test says nothing).
  if (!found.total.has(truth.total!)) out.push('the attacker lost the real table');
  return out;
}

describe('individuals under k = 5', () => {
  test('the named cases: a small cell is hidden with the one that would give it away', () => {
    // 17 + 3 = 20: hiding 3 alone would leave 20 - 17.
    const d = discloseIndividuals(table(20, [17, 3], [12, 8]), K).individuals;
    expect(d.total).toBe(20);
    expect(d.populations.map((c) => c.count ?? 'withheld')).toEqual(['withheld', 'withheld']);
    expect(d.sexes.map((c) => c.count)).toEqual([12, 8]);
    // Two small cells that add up to less than k are not enough either: the whole partition goes.
    const e = discloseIndividuals(table(30, [1, 2, 27], [15, 15]), K).individuals;
    expect(e.populations.every((c) => c.withheld)).toBe(true);
    // Two small cells holding 3 + 3: hidden alone (each could be 2..4).
    const g = discloseIndividuals(table(30, [3, 3, 24], [15, 15]), K).individuals;
    expect(g.populations.map((c) => c.count ?? 'withheld')).toEqual(['withheld', 'withheld', 24]);
    // A total under k: nothing is shown, zeros included (four hidden non-zero cells under a total of 4 would all be 1).
    const f = discloseIndividuals(table(3, [3, 0], [2, 1]), K).individuals;
    expect(f.totalWithheld).toBe(true);
    expect(f.populations.map((c) => c.count ?? 'withheld')).toEqual(['withheld', 'withheld']);
    expect(f.sexes.every((c) => c.withheld)).toBe(true);
    // k = 1 shows everything.
    expect(discloseIndividuals(table(20, [17, 3], [12, 8]), 1).withheldCells).toBe(0);
  });

  test('an attacker who knows the rule derives no cell of 1..4 (600 random tables)', () => {
    const r = rng(15);
    const found: string[] = [];
    let hiddenCases = 0;
    for (let i = 0; i < 600; i++) {
      const nPops = 1 + Math.floor(r() * 3);
      const pops = Array.from({ length: nPops }, () => (r() < 0.5 ? Math.floor(r() * 5) : Math.floor(r() * 12)));
      const total = pops.reduce((s, n) => s + n, 0);
      const female = Math.floor(r() * (total + 1));
      const unknown = r() < 0.3 ? Math.floor(r() * (total - female + 1)) : 0;
      const sexes = r() < 0.2 ? [] : unknown > 0 ? [female, total - female - unknown, unknown] : [female, total - female];
      const truth = table(total, pops, sexes);
      const published = discloseIndividuals(truth, K).individuals;
      if (published.populations.some((c) => c.withheld) || published.sexes.some((c) => c.withheld)) hiddenCases++;
      // Shown cells are never 1..4.
      for (const c of [...published.populations, ...published.sexes]) if (c.count !== undefined && c.count >= 1 && c.count < K) found.push(`case ${i}: ${c.code} shown as ${c.count}`);
      if (published.total !== undefined && published.total >= 1 && published.total < K) found.push(`case ${i}: total shown as ${published.total}`);
      for (const l of leaks(published, truth, 20)) found.push(`case ${i} ${JSON.stringify([total, pops, sexes])}: ${l}`);
    }
    expect(found).toEqual([]);
    // The search met enough hidden cells to mean something.
    expect(hiddenCases).toBeGreaterThan(200);
  });

  test('the same attacker breaks the primary rule alone (so the test above can fail)', () => {
    const primaryOnly: Rule = (t) => ({
      ...t,
      populations: t.populations.map((c) => (c.count! >= 1 && c.count! < K ? { code: c.code, withheld: true } : c)),
      sexes: t.sexes.map((c) => (c.count! >= 1 && c.count! < K ? { code: c.code, withheld: true } : c)),
    });
    const truth = table(20, [17, 3], [12, 8]);
    expect(leaks(primaryOnly(truth), truth, 40, primaryOnly)).toEqual(['population P1 = 3 derived']);
  });
});
