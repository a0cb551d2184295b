import { poolEntries, poolPopulations, type PooledPopulation } from '../../../src/domain/pooling';
import { poolingKey } from '../../../src/domain/populations';
import { COUNT_KINDS, sumCounts, type CountKind, type GroupCounts } from '../../../src/domain/counts';
import type { DatasetFrequencies, PopulationCounts } from '../../../src/domain/lookup';
import { rng } from '../../helpers/prng';

/**
 * The pooling a broker does per variant was rewritten for speed (running sums, contributor lists
 * made at their size, insertion sort: domain/pooling.ts). This is the plain form it replaced, kept
 * here as the reference: per pooling key, the rows kept in a list and summed by sumCounts, withheld
 * kinds deleted, the keys sorted Total first then by code. The two must agree on every input, down
 * to the order of the fields (the wire text is compared byte for byte).
 */
function reference(contributions: { contributor: string; frequencies: DatasetFrequencies }[], explicit?: ReadonlyMap<string, string>): PooledPopulation[] {
  const byKey = new Map<string, { first: PopulationCounts; parts: GroupCounts[]; from: string[]; afOnly: string[]; withheld?: Set<CountKind>; canonical?: string }>();
  for (const c of contributions) {
    for (const p of c.frequencies.populations) {
      const key = poolingKey(p.code, p.canonical, explicit);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { first: p, parts: [], from: [], afOnly: [], canonical: key.startsWith('canonical:') ? key.slice(10) : undefined }));
      const countsWithheld = p.withheld ? p.withheld.filter((k) => k !== 'af') : [];
      if ((p.counts.ac !== undefined && p.counts.an !== undefined) || countsWithheld.length > 0) {
        entry.parts.push(p.counts);
        entry.from.push(c.contributor);
        for (const k of countsWithheld) (entry.withheld ??= new Set()).add(k);
      } else if (p.counts.af !== undefined) entry.afOnly.push(c.contributor);
    }
  }
  const out: PooledPopulation[] = [];
  for (const e of byKey.values()) {
    const counts = sumCounts(e.parts);
    if (e.withheld) for (const k of e.withheld) delete counts[k];
    out.push({
      code: e.canonical ?? e.first.code,
      label: e.first.label,
      ...(e.canonical ? { canonical: e.canonical } : {}),
      counts,
      pooledFrom: e.from,
      frequencyOnly: e.afOnly,
      ...(e.withheld && e.withheld.size > 0 ? { withheld: [...e.withheld] } : {}),
    });
  }
  return out.sort((a, b) => (a.code === 'Total' ? -1 : b.code === 'Total' ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Codes that pool together (afr / AFR / African), apart (Basque / basque), by an explicit map (Sami), and the overall group. */
const CODES = ['Total', 'afr', 'AFR', 'afr_XX', 'AFR_Female', 'nfe', 'NFE', 'Basque', 'basque', 'fi', 'FI_M', 'fi_XY', 'Sami', 'zz'];
const EXPLICIT = new Map([['Sami', 'FI']]);

function randomEntry(next: () => number, d: number): DatasetFrequencies {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const populations: PopulationCounts[] = [];
  const n = Math.floor(next() * 7);
  for (let i = 0; i < n; i++) {
    const code = pick(CODES);
    const counts: GroupCounts = {};
    const an = Math.floor(next() * 5000);
    const ac = Math.floor(next() * (an + 1));
    // Any kind may be missing; some rows report a frequency only.
    if (next() < 0.2) counts.af = next();
    else {
      if (next() < 0.9) counts.ac = ac;
      if (next() < 0.9) counts.an = an;
      if (next() < 0.7) counts.nhomalt = Math.floor(ac / 2);
      if (next() < 0.3) counts.nhet = ac - 2 * Math.floor(ac / 2);
      if (next() < 0.2) counts.nhemi = 0;
      if (next() < 0.1) counts.af = an > 0 ? ac / an : 0;
    }
    const p: PopulationCounts = { code, label: `${code} label ${d}`, counts };
    if (next() < 0.1) p.canonical = pick(['EUR', 'AFR', 'Total']);
    if (next() < 0.15) {
      const withheld = COUNT_KINDS.filter(() => next() < 0.4);
      for (const k of withheld) delete counts[k];
      if (withheld.length > 0) p.withheld = withheld;
    }
    populations.push(p);
  }
  return { datasetId: `p${d}:ds`, source: `p${d}: source`, filters: [], populations };
}

test('the pooling a broker does agrees with the plain reference on random variants, field order included', () => {
  const next = rng(20261129);
  let compared = 0;
  for (let round = 0; round < 3000; round++) {
    // From one entry to well past the sizes the scratch space starts at (and past 17, where a grown array would differ).
    const n = 1 + Math.floor(next() * (round % 10 === 0 ? 40 : 8));
    const entries = Array.from({ length: n }, (_, d) => randomEntry(next, d));
    // Some contributors named twice (two entries of one dataset id), as a broker's can be.
    const names = entries.map((e, i) => (next() < 0.1 && i > 0 ? entries[i - 1]!.datasetId : e.datasetId));
    const explicit = next() < 0.5 ? EXPLICIT : undefined;
    const want = JSON.stringify(reference(entries.map((frequencies, i) => ({ contributor: names[i]!, frequencies })), explicit));
    expect(JSON.stringify(poolEntries(entries, names, explicit))).toBe(want);
    expect(JSON.stringify(poolPopulations(entries.map((frequencies, i) => ({ contributor: names[i]!, frequencies })), explicit))).toBe(want);
    compared++;
  }
  expect(compared).toBe(3000);
});

test('a contributor whose two rows pool under one key is named twice, in the order the rows came', () => {
  const a: DatasetFrequencies = { datasetId: 'a', source: 'a', filters: [], populations: [
    { code: 'afr', label: 'afr', counts: { ac: 1, an: 10 } },
    { code: 'AFR', label: 'AFR', counts: { ac: 2, an: 20 } },
  ] };
  const b: DatasetFrequencies = { datasetId: 'b', source: 'b', filters: [], populations: [{ code: 'African', label: 'African', counts: { af: 0.1 } }, { code: 'afr', label: 'afr', counts: { ac: 0, an: 5 } }] };
  const [afr] = poolEntries([a, b], ['a', 'b']);
  expect(afr).toMatchObject({ code: 'AFR', counts: { ac: 3, an: 35 }, pooledFrom: ['a', 'a', 'b'] });
});
