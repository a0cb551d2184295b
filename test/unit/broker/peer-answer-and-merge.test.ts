import { POOLED_DATASET_ID } from '../../../src/beacon/record';
import { readPeerRecord } from '../../../src/broker/peer-answer';
import { mergeVariant } from '../../../src/broker/merge';
import { PeerFailure } from '../../../src/broker/peer-http';
import type { Peer } from '../../../src/broker/peers';

const peer = (id: string): Peer => ({ id, name: id, url: `http://${id}.example/api`, assemblies: ['GRCh37'], timeoutMs: 1000, kind: 'afb' });

function record(entries: object[]) {
  return {
    variantInternalId: 'GRCh37:2-10297-G-T',
    referenceName: '2',
    variation: { variantType: 'SNP', referenceBases: 'G', alternateBases: 'T', location: { type: 'SequenceLocation', sequence_id: 'refseq:NC_000002.11', interval: { type: 'SequenceInterval', start: { type: 'Number', value: 10296 }, end: { type: 'Number', value: 10297 } } } },
    frequencyInPopulations: entries,
  };
}

const entry = (datasetId: string, origin: string, ac: number, an: number) => ({
  source: datasetId, sourceReference: 'x', datasetId, origin,
  frequencies: [{ population: 'Total', alleleFrequency: an ? ac / an : 0, alleleCount: ac, alleleNumber: an }, { population: 'AFR', populationLabel: 'African', alleleFrequency: 0.5, alleleCount: 1, alleleNumber: 2 }],
});

test('a peer record reads back into relabelled entries; pooled entries of a broker peer are skipped', () => {
  const v = readPeerRecord(record([{ ...entry(POOLED_DATASET_ID, '', 9, 9), source: 'Pooled: 2 of 2 peers' }, entry('fi:kg', 'node-fi/kg@1', 3, 10)]), peer('eu'), 'GRCh37');
  expect(v.key).toBe('2:10296:G:T');
  expect(v.frequencies.map((e) => [e.datasetId, e.source, e.origin])).toEqual([['eu/fi:kg', 'eu/fi:kg', 'node-fi/kg@1']]);
});

test.each([
  ['AC > AN', { alleleCount: 5, alleleNumber: 4 }, /population Total: AC 5 > AN 4/],
  ['a negative count', { alleleCount: -1, alleleNumber: 4 }, /population Total: ac=-1 is not a non-negative integer/],
  ['a fractional count', { alleleCount: 1.5, alleleNumber: 4 }, /population Total: ac=1.5 is not a non-negative integer/],
  ['AF outside [0, 1]', { alleleFrequency: 1.5 }, /population Total: AF 1.5 is outside \[0, 1\]/],
  ['too many homozygotes', { alleleCount: 2, alleleNumber: 10, alleleCountHomozygous: 2 }, /population Total: 2 x nhomalt = 4 > AC 2/],
  ['a count that is not a number', { alleleCount: '3', alleleNumber: 4 }, /population Total: alleleCount "3" is not a number/],
])('an impossible answer (%s) is refused as a whole', (_n, fields, message) => {
  const bad = { source: 's', frequencies: [{ population: 'Total', alleleFrequency: 0.2, ...fields }] };
  expect(() => readPeerRecord(record([bad]), peer('x'), 'GRCh37')).toThrow(PeerFailure);
  expect(() => readPeerRecord(record([bad]), peer('x'), 'GRCh37')).toThrow(message);
});

test('merge: a dataset reached by two paths counts once; AF-only is listed, not summed; failures are named', () => {
  const direct = readPeerRecord(record([entry('kg', 'node-fi/kg@1', 3, 10)]), peer('fi'), 'GRCh37');
  const viaBroker = readPeerRecord(record([entry('fi:kg', 'node-fi/kg@1', 3, 10), entry('ee:kg', 'node-ee/kg@1', 4, 12)]), peer('eu'), 'GRCh37');
  const afOnly = readPeerRecord(record([{ source: 'Other', frequencies: [{ population: 'Total', alleleFrequency: 0.25 }] }]), peer('xb'), 'GRCh37');
  const r = mergeVariant('GRCh37', [{ peerId: 'fi', variant: direct }, { peerId: 'eu', variant: viaBroker }, { peerId: 'xb', variant: afOnly }], ['fi', 'eu', 'xb', 'dead'], ['dead']).record;
  const [pooled, ...own] = r.frequencies;
  expect(own.map((e) => e.datasetId)).toEqual(['fi:kg', 'eu/ee:kg', 'xb:Other']);
  const total = pooled!.populations.find((p) => p.code === 'Total')!;
  expect([total.counts.ac, total.counts.an]).toEqual([7, 22]);
  expect(total.pooledFrom).toEqual(['fi:kg', 'eu/ee:kg']);
  expect(total.frequencyOnly).toEqual(['xb:Other']);
  expect(pooled!.source).toBe('Pooled: 2 of 4 peers (missing dead)');
  expect(pooled!.pooled!.missing).toEqual(['dead']);
});

test('merge: an origin goes to the peer entitled to it, whatever the order; a differing replay is named', () => {
  const replay = readPeerRecord(record([entry('kg', 'node-fi/kg@1', 0, 2)]), peer('evil'), 'GRCh37');
  const real = readPeerRecord(record([entry('kg', 'node-fi/kg@1', 3, 10)]), peer('fi'), 'GRCh37');
  const entitlement = (peerId: string, origin: string) => (peerId === 'fi' && origin.startsWith('node-fi/') ? 2 : 0);
  const m = mergeVariant('GRCh37', [{ peerId: 'evil', variant: replay }, { peerId: 'fi', variant: real }], ['evil', 'fi'], [], { entitlement });
  const total = m.record.frequencies[0]!.populations.find((p) => p.code === 'Total')!;
  expect([total.counts.ac, total.counts.an, total.pooledFrom]).toEqual([3, 10, ['fi:kg']]);
  expect(m.warnings).toEqual(["evil sent counts for node-fi/kg@1 that differ from fi's; fi's are used (the node that made them)"]);
  // The same counts by two paths are no conflict.
  const relay = readPeerRecord(record([entry('fi:kg', 'node-fi/kg@1', 3, 10)]), peer('eu'), 'GRCh37');
  expect(mergeVariant('GRCh37', [{ peerId: 'eu', variant: relay }, { peerId: 'fi', variant: real }], ['eu', 'fi'], [], { entitlement }).warnings).toEqual([]);
});
