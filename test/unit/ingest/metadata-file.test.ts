/**
 * `--metadata FILE`: YAML and JSON read the same; the list form of individuals with canonical
 * codes; the rest of a partition becomes its own cell; every refusal names file and field.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMetadataFile } from '../../../src/ingest/metadata-file';
import { tempDir } from '../../helpers/fixtures';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function read(name: string, text: string) {
  const f = join(tmp.dir, name);
  writeFileSync(f, text);
  return readMetadataFile(f);
}

test('JSON and YAML give the same metadata', () => {
  const doc = {
    title: 'T',
    country: 'fi',
    assembly: 'hg38',
    technology: 'WES',
    captureRegions: 'Twist Exome 2.0',
    release: { version: 3, date: '2024-05' },
    dataUse: ['DUO:0000042', { id: 'DUO:0000999', label: 'a newer code' }],
    individuals: { total: 12, populations: [{ code: 'nfe', count: 7, canonical: 'EUR' }, { code: 'fin', count: 4, label: 'Finnish' }], sexes: { F: 6, XY: 5 } },
    countsAccess: 'registered',
  };
  const fromJson = read('m.json', JSON.stringify(doc));
  const fromYaml = read('m.yaml', [
    'title: T', 'country: fi', 'assembly: hg38', 'technology: WES', 'captureRegions: Twist Exome 2.0',
    'release: { version: 3, date: 2024-05 }', 'dataUse: [DUO:0000042, { id: DUO:0000999, label: a newer code }]',
    'individuals:', '  total: 12', '  populations:', '    - { code: nfe, count: 7, canonical: EUR }', '    - { code: fin, count: 4, label: Finnish }',
    '  sexes: { F: 6, XY: 5 }', 'countsAccess: registered',
  ].join('\n'));
  expect(fromYaml).toEqual(fromJson);
  expect(fromJson.assembly).toBe('GRCh38');
  expect(fromJson.metadata).toMatchObject({ country: 'FI', release: { version: '3', date: '2024-05' }, countsAccess: 'registered' });
  expect(fromJson.metadata.dataUse).toEqual([{ id: 'DUO:0000042', label: 'general research use' }, { id: 'DUO:0000999', label: 'a newer code' }]);
  expect(fromJson.metadata.individuals).toEqual({
    total: 12,
    source: 'declared',
    populations: [{ code: 'nfe', count: 7, canonical: 'EUR' }, { code: 'fin', count: 4, label: 'Finnish' }, { code: 'unassigned', count: 1, label: 'No population given' }],
    sexes: [{ code: 'female', count: 6, label: 'Female (XX)' }, { code: 'male', count: 5, label: 'Male (XY)' }, { code: 'unknown', count: 1, label: 'Sex not recorded' }],
  });
});

test('refusals name the file and the field and say what is expected', () => {
  const msg = (text: string): string => {
    try {
      read('bad.yaml', text);
      return 'accepted';
    } catch (e) {
      return `${(e as { code: string }).code}: ${(e as Error).message}`;
    }
  };
  expect(msg('- a list\n')).toMatch(/^INVALID_OPTION: --metadata .*bad\.yaml: the document must be a mapping of fields/);
  expect(msg('dataUse: [DUO:0000999]\n')).toMatch(/bad\.yaml: dataUse\[0\]\.label must be given: DUO:0000999 is not one of the DUO codes afb knows/);
  expect(msg('individuals: { total: 5, sexes: { robot: 5 } }\n')).toMatch(/bad\.yaml: individuals\.sexes\.robot must be female, male or unknown/);
  expect(msg('individuals: { total: 5, populations: { A: -1 } }\n')).toMatch(/bad\.yaml: individuals\.populations\.A must be a whole number >= 0; got -1/);
  expect(msg('individuals: { total: 5, sexes: { F: 2, XX: 2 } }\n')).toMatch(/bad\.yaml: individuals\.sexes\.XX must be listed once/);
  expect(msg('contact: { email: nobody }\n')).toMatch(/bad\.yaml: contact\.email must be an e-mail address/);
  expect(msg('licence: creative commons\n')).toMatch(/bad\.yaml: licence must be an http\(s\) URL/);
  expect(msg('title: a\ntitle: b\n')).toMatch(/bad\.yaml:\d+: not valid YAML or JSON/);
  expect(msg('title: ok\n')).toBe('accepted');
  expect(() => readMetadataFile(join(tmp.dir, 'missing.yaml'))).toThrow(/--metadata .*missing\.yaml: cannot read the file/);
});
