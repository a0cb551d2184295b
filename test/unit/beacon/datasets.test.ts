/**
 * The catalogue's wire form read back by a broker (beacon/datasets.ts fromWireDataset): what a
 * node writes comes back the same; what a hostile or broken peer sends never becomes a count it
 * did not send as a whole number >= 0 (a cell that cannot be read is withheld, never zero).
 */
import { fromWireDataset, toWireDataset, type ShownEntry } from '../../../src/beacon/datasets';
import { disclose } from '../../../src/pipeline/catalogue';
import { OPEN_POLICY } from '../../../src/domain/access';

const entry: ShownEntry = {
  id: 'kg',
  name: 'kg',
  assembly: 'GRCh37',
  mode: 'genotypes',
  variantCount: 381,
  version: '7',
  createdAt: '2026-01-01T00:00:00.000Z',
  origin: 'node-a/kg@2026-01-01T00:00:00.000Z',
  node: { id: 'node-a', name: 'Node A', country: 'FI' },
  status: 'available',
  path: [],
  minCount: 1,
  metadata: {
    title: 'A cohort',
    country: 'FI',
    technology: 'WES',
    captureRegions: 'Twist Exome 2.0',
    release: { version: 'r2', date: '2024-05-01' },
    dataUse: [{ id: 'DUO:0000042', label: 'general research use' }],
    countsAccess: 'registered',
    individuals: { total: 30, populations: [{ code: 'A', count: 20, canonical: 'EUR' }, { code: 'B', count: 10 }], sexes: [{ code: 'female', count: 16 }, { code: 'male', count: 14 }], source: 'counted' },
  },
};

test('a node entry comes back as it was written', () => {
  const back = fromWireDataset(JSON.parse(JSON.stringify(toWireDataset(entry))))!;
  expect(back).toMatchObject({ id: 'kg', assembly: 'GRCh37', mode: 'genotypes', variantCount: 381, version: '7', origin: entry.origin, node: entry.node, status: 'available', path: [] });
  // A dataset with no description of its own gets the Beacon one afb writes for it.
  expect(back.metadata).toEqual({ ...entry.metadata, description: 'kg (genotypes mode, GRCh37)' });
});

test('a hostile peer: bad counts are withheld, never zero or coerced; junk fields are dropped', () => {
  const wire = toWireDataset(entry) as any;
  wire.info.afb.individuals.populations = [
    { code: 'A', count: -3 },
    { code: 'B', count: 2.5 },
    { code: 'C', count: '4' },
    { code: 'D', count: 1e300 },
    { code: '__proto__', count: 5 },
    { code: 'x'.repeat(500), count: 1 },
    'garbage',
  ];
  wire.info.afb.individuals.total = 'many';
  wire.info.afb.variantCount = -1;
  wire.info.afb.metadata.countsAccess = 'nobody';
  wire.dataUseConditions.duoDataUse.push({ id: 'not-duo' }, null);
  const back = fromWireDataset(wire)!;
  const ind = back.metadata.individuals!;
  expect(ind.totalWithheld).toBe(true);
  expect(ind.populations.map((c) => [c.code, c.count, c.withheld])).toEqual([
    ['A', undefined, true],
    ['B', undefined, true],
    ['C', undefined, true],
    ['D', undefined, true],
    ['__proto__', 5, undefined],
  ]);
  expect(back.variantCount).toBeUndefined();
  // An unknown countsAccess is read as the default (anonymous); the broker's own k still applies.
  expect(back.metadata.countsAccess).toBe('anonymous');
  expect(back.metadata.dataUse.map((t) => t.id)).toEqual(['DUO:0000042']);
  expect(fromWireDataset({ name: 'no id' })).toBeUndefined();
  expect(fromWireDataset(null)).toBeUndefined();
});

test('a partition a peer withheld any of stays wholly withheld at the broker, whatever k', () => {
  const upstream = { ...entry, metadata: { ...entry.metadata, countsAccess: 'anonymous' as const, individuals: { ...entry.metadata.individuals!, populations: [{ code: 'A', count: 27 }, { code: 'B', withheld: true }] } } };
  const anonymous = { level: 'anonymous' as const, controlledDatasets: [], clientId: 'x' };
  const strict = { ...OPEN_POLICY, levels: { ...OPEN_POLICY.levels, anonymous: { granularity: 'record' as const, minCount: 5 } } };
  const shown = disclose(upstream, anonymous, strict).entry.metadata.individuals!;
  expect(shown.populations.every((c) => c.withheld)).toBe(true);
  expect(shown.total).toBe(30);
  expect(shown.sexes.map((c) => c.count)).toEqual([16, 14]);
});
