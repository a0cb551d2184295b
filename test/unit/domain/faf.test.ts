/**
 * FAF against gnomAD's own published numbers (test/fixtures/gnomad-faf: five gnomAD v3.0 records
 * carrying faf95_* / faf99_* beside their AC/AN), to the printed precision; grpmax/fafmax and the
 * XX/XY split by gnomAD's rules; nothing derived from withheld counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filteringAlleleFrequency, roundSignificant } from '../../../src/domain/faf';
import { derivedFrequencies, sexOf } from '../../../src/domain/derived';
import { ppois, qpois } from '../../../src/domain/poisson';
import type { PopulationCounts } from '../../../src/domain/lookup';

interface Published {
  where: string;
  ac: number;
  an: number;
  ci: 95 | 99;
  printed: string;
}

function publishedFafs(): Published[] {
  const text = readFileSync(join(__dirname, '../../fixtures/gnomad-faf/gnomad-v3.0-excerpt.vcf'), 'utf8');
  const out: Published[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split('\t');
    const info = new Map(cols[7]!.split(';').map((kv) => kv.split('=') as [string, string]));
    for (const [k, v] of info) {
      const m = /^faf(95|99)_(.+)$/.exec(k);
      if (!m) continue;
      const suffix = m[2] === 'adj' ? '' : `_${m[2]}`;
      out.push({ where: `${cols[1]} ${k}`, ac: Number(info.get(`AC${suffix}`)), an: Number(info.get(`AN${suffix}`)), ci: Number(m[1]) as 95 | 99, printed: v });
    }
  }
  return out;
}

const published = publishedFafs();

test('the fixture carries non-trivial published FAFs (AC >= 2) as well as zeros', () => {
  expect(published.length).toBeGreaterThanOrEqual(30);
  expect(published.filter((p) => p.ac >= 2).length).toBeGreaterThanOrEqual(6);
});

test.each(published.filter((p) => p.ci === 95).map((p) => [p.where, p] as const))('faf95 %s equals the published value to its printed precision', (_w, p) => {
  const mine = filteringAlleleFrequency(p.ac, p.an, 0.95)!;
  expect(roundSignificant(mine, 3)).toBe(roundSignificant(Number(p.printed), 3));
});

test.each(published.filter((p) => p.ci === 99).map((p) => [p.where, p] as const))(
  'faf99 %s: hail 0.2.24 (walk at 95 %%, as gnomAD v3.0 was made) gives the published value; the fixed form is lower',
  (_w, p) => {
    const legacy = filteringAlleleFrequency(p.ac, p.an, 0.99, { walkCi: 0.95 })!;
    expect(roundSignificant(legacy, 3)).toBe(roundSignificant(Number(p.printed), 3));
    const fixed = filteringAlleleFrequency(p.ac, p.an, 0.99)!;
    expect(fixed).toBeLessThanOrEqual(filteringAlleleFrequency(p.ac, p.an, 0.95)!);
    if (p.ac >= 2) {
      // The fixed FAF99 is the highest AF (to 1e-6) at which AC is still within the 99 % bound.
      expect(qpois(0.99, p.an * fixed)).toBeLessThan(p.ac);
      expect(qpois(0.99, p.an * (fixed + 1e-6))).toBeGreaterThanOrEqual(p.ac);
    }
  },
);

test('FAF is the Poisson bound it claims to be, at several scales (an independent check of the definition)', () => {
  for (const [ac, an] of [
    [2, 1000],
    [5, 20_000],
    [40, 150_000],
    [1200, 1_600_000],
  ] as const) {
    for (const ci of [0.95, 0.99]) {
      const f = filteringAlleleFrequency(ac, an, ci)!;
      // At f the observed AC is still plausible; one grid step higher it is not.
      expect(ppois(ac - 1, an * f)).toBeGreaterThanOrEqual(ci - 1e-9);
      expect(ppois(ac - 1, an * (f + 2e-6))).toBeLessThan(ci);
      expect(f).toBeLessThan(ac / an);
    }
  }
  expect(filteringAlleleFrequency(1, 1000, 0.95)).toBe(0);
  expect(filteringAlleleFrequency(0, 1000, 0.95)).toBe(0);
  expect(filteringAlleleFrequency(3, 0, 0.95)).toBeUndefined();
});

const pop = (code: string, ac: number | undefined, an: number | undefined, extra: Partial<PopulationCounts> = {}): PopulationCounts => ({
  code,
  label: code,
  counts: { ...(ac !== undefined ? { ac } : {}), ...(an !== undefined ? { an } : {}) },
  ...extra,
});

test('grpmax and fafmax skip bottlenecked and remaining groups, sex splits and the total', () => {
  const d = derivedFrequencies([
    pop('Total', 60, 20_000),
    pop('afr', 10, 5000),
    pop('nfe', 30, 8000),
    pop('fin', 15, 1000), // highest AF, bottlenecked
    pop('asj', 5, 300),
    pop('remaining', 3, 100),
    pop('nfe_XX', 20, 4000),
  ]);
  expect(d.grpmax?.population).toBe('nfe');
  expect(d.grpmax?.alleleFrequency).toBeCloseTo(30 / 8000, 12);
  expect(d.fafmax?.faf95Population).toBe('nfe');
  expect(d.fafmax?.faf95).toBe(filteringAlleleFrequency(30, 8000, 0.95));
});

test('grpmax is not given when a group that could be the maximum is withheld; no FAF from withheld counts', () => {
  const d = derivedFrequencies([pop('afr', 10, 5000), pop('nfe', undefined, 8000, { withheld: ['ac'] })]);
  expect(d.grpmax).toBeUndefined();
  expect(d.fafmax).toBeUndefined();
  expect(d.maxWithheld).toBe(true);
  expect(d.populations.get('nfe')).toEqual({});
  expect(d.populations.get('afr')?.faf95).toBe(filteringAlleleFrequency(10, 5000, 0.95));
});

test('sex split: gnomAD, gnomAD r2, GoE and the overall groups find their parent', () => {
  expect(sexOf('afr_XX')).toEqual({ parent: 'afr', sex: 'XX' });
  expect(sexOf('AFR_Male')).toEqual({ parent: 'AFR', sex: 'XY' });
  expect(sexOf('FI_M')).toEqual({ parent: 'FI', sex: 'XY' });
  expect(sexOf('XX')).toEqual({ parent: '', sex: 'XX' });
  expect(sexOf('nfe_seu')).toBeUndefined();
  expect(sexOf('Total')).toBeUndefined();
  const d = derivedFrequencies([pop('Total', 5, 100), pop('XX', 2, 50), pop('XY', 3, 50), pop('afr', 4, 60), pop('afr_XX', 1, 30), pop('afr_XY', 3, 30)]);
  expect(d.populations.get('Total')?.sexSplit?.XX?.counts).toEqual({ ac: 2, an: 50 });
  expect(d.populations.get('afr')?.sexSplit?.XY?.counts).toEqual({ ac: 3, an: 30 });
  expect(d.populations.get('afr_XX')?.sexSplit).toBeUndefined();
});
