/**
 * GA4GH Data Use Ontology (DUO) labels afb knows, so a metadata file may give a code alone. Another
 * code is accepted with its label. A Map: a code such as 'constructor' must not find Object's members.
 */
export const DUO_LABELS: ReadonlyMap<string, string> = new Map([
  ['DUO:0000004', 'no restriction'],
  ['DUO:0000006', 'health or medical or biomedical research'],
  ['DUO:0000007', 'disease specific research'],
  ['DUO:0000011', 'population origins or ancestry research only'],
  ['DUO:0000012', 'research specific restrictions'],
  ['DUO:0000015', 'no general methods research'],
  ['DUO:0000016', 'genetic studies only'],
  ['DUO:0000018', 'not for profit, non commercial use only'],
  ['DUO:0000019', 'publication required'],
  ['DUO:0000020', 'collaboration required'],
  ['DUO:0000021', 'ethics approval required'],
  ['DUO:0000022', 'geographical restriction'],
  ['DUO:0000024', 'publication moratorium'],
  ['DUO:0000025', 'time limit on use'],
  ['DUO:0000026', 'user specific restriction'],
  ['DUO:0000027', 'project specific restriction'],
  ['DUO:0000028', 'institution specific restriction'],
  ['DUO:0000029', 'return to database or resource'],
  ['DUO:0000042', 'general research use'],
  ['DUO:0000043', 'clinical care use'],
  ['DUO:0000044', 'population origins or ancestry research prohibited'],
  ['DUO:0000045', 'not for profit organisation use only'],
  ['DUO:0000046', 'non-commercial use only'],
]);

export const DUO_CODE = /^DUO:[0-9]{7}$/;

/** The OBO IRI of a DUO code (DUO:0000042 -> http://purl.obolibrary.org/obo/DUO_0000042). */
export function duoIri(code: string): string {
  return `http://purl.obolibrary.org/obo/${code.replace(':', '_')}`;
}
