import type { CountKind } from './counts';

/**
 * A population group of a dataset: the overall group (`key` ''), ancestry groups, sex groups
 * and their combinations. `key` is stable within the dataset (the INFO suffix or panel label),
 * `code` is what the wire carries as `population` (`Total` for the overall group), `label` is for people.
 */
export interface GroupDef {
  key: string;
  code: string;
  label: string;
  /** Which count kinds this group carries in this dataset. */
  kinds: CountKind[];
  /** Canonical population code from a mapping file, used by the broker to pool across nodes. */
  canonical?: string;
}

export const OVERALL_KEY = '';
export const OVERALL_CODE = 'Total';

// Labels for the vocabularies afb meets most (gnomAD, 1000 Genomes, ExAC, GoE sex suffixes).
// A Map, not an object: a key such as 'constructor' must not find Object.prototype's members.
const KNOWN_LABELS: ReadonlyMap<string, string> = new Map(Object.entries({
  afr: 'African/African American',
  amr: 'Admixed American',
  asj: 'Ashkenazi Jewish',
  eas: 'East Asian',
  fin: 'Finnish',
  nfe: 'Non-Finnish European',
  sas: 'South Asian',
  mid: 'Middle Eastern',
  ami: 'Amish',
  oth: 'Other',
  remaining: 'Remaining',
  eur: 'European',
  asn: 'Asian',
  xx: 'XX',
  xy: 'XY',
  male: 'Male',
  female: 'Female',
  adj: 'Adjusted (high-quality genotypes)',
  raw: 'Raw (all genotypes)',
}));

/** A readable label for a group key when the data gives none: `afr_XX` -> `African/African American, XX`. */
export function defaultGroupLabel(key: string): string {
  if (key === OVERALL_KEY) return 'Total';
  const words = key.split('_');
  // Only a key of words joined by single underscores (afr_XX) is read word by word.
  if (words.some((w) => w === '')) return key;
  const parts = words.map((p) => KNOWN_LABELS.get(p.toLowerCase()) ?? p);
  return parts.join(', ');
}
