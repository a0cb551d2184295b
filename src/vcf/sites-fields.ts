import { AfbError } from '../domain/errors';
import type { CountKind } from '../domain/counts';
import { OVERALL_CODE, OVERALL_KEY, defaultGroupLabel } from '../domain/groups';
import type { FieldDecl, VcfHeader } from './header';

/**
 * Where one count of one group comes from in a sites VCF's INFO column.
 * `index` says how the value is picked per ALT: 'A' (one per ALT), 'R' (REF first), '1' (one per site).
 */
export interface FieldSource {
  group: string;
  kind: CountKind;
  info: string;
  number: 'A' | 'R' | '1';
  /** 2 when the field counts alleles in homozygous genotypes (bcftools AC_Hom) and we store individuals. */
  divisor: 1 | 2;
}

export interface SitesGroup {
  key: string;
  code: string;
  label: string;
  sources: FieldSource[];
}

export interface SitesPlan {
  groups: SitesGroup[];
  /** INFO fields that looked like counts but were not used, with why (goes into the report). */
  ignored: { info: string; why: string }[];
}

// Longest first, so AC_Hom_EUR is read as kind AC_Hom of group EUR, not kind AC of group Hom_EUR.
const PREFIX_KINDS: [string, CountKind][] = [
  ['AC_Hemi', 'nhemi'],
  ['AC_Hom', 'nhomalt'],
  ['AC_Het', 'nhet'],
  ['nhomalt', 'nhomalt'],
  ['nhemi', 'nhemi'],
  ['nhet', 'nhet'],
  ['Hemi', 'nhemi'],
  ['Hom', 'nhomalt'],
  ['Het', 'nhet'],
  ['AC', 'ac'],
  ['AN', 'an'],
  ['AF', 'af'],
];

// Suffixes that are summaries over varying groups, not populations (gnomAD popmax/faf).
const NOT_A_GROUP = /^(popmax|grpmax|fafmax|faf\d+|max|raw_popmax)(_|$)/i;

// GoE and gdi-mini-node's writer put the genotype kind last: AC_FI_M_Hom, AC_FI_M_Het, AC_FI_M_Hemi.
const SUFFIX_KINDS: Record<string, CountKind> = { Hom: 'nhomalt', Het: 'nhet', Hemi: 'nhemi' };

function kindOfField(decl: FieldDecl): { kind: CountKind; group: string } | undefined {
  const last = /^AC_(.+)_(Hom|Het|Hemi)$/.exec(decl.id);
  if (last && !/^(Hom|Het|Hemi)(_|$)/.test(last[1]!) && !NOT_A_GROUP.test(last[1]!)) return { kind: SUFFIX_KINDS[last[2]!]!, group: last[1]! };
  for (const [prefix, kind] of PREFIX_KINDS) {
    if (decl.id === prefix) return { kind, group: OVERALL_KEY };
    if (decl.id.startsWith(prefix + '_')) {
      const group = decl.id.slice(prefix.length + 1);
      if (group === '' || NOT_A_GROUP.test(group)) return undefined;
      return { kind, group };
    }
  }
  // 1000 Genomes style: EUR_AF, AFR_AF (frequency only).
  const m = /^([A-Za-z]{2,5})_AF$/.exec(decl.id);
  if (m) return { kind: 'af', group: m[1]! };
  return undefined;
}

function expectedNumber(kind: CountKind): 'A' | '1' {
  return kind === 'an' ? '1' : 'A';
}

/** A group label from an INFO Description ("Allele count in African/African American genotypes, ..."). */
export function labelFromDescription(description: string): string | undefined {
  const d = description.trim();
  const patterns = [
    /allele (?:count|number|frequency)s? (?:in|for|among) (?:samples in group |called genotypes in |genotypes in )?(.+?)(?: (?:called )?genotypes)?(?:,.*)?$/i,
    /(?:total number of alleles|number of alleles) in (?:samples in group |called genotypes in )?(.+?)(?: called genotypes| genotypes)?$/i,
    /^(.+?) (?:allele counts?|chromosome count|allele frequency)$/i,
  ];
  for (const p of patterns) {
    const m = p.exec(d);
    const label = m?.[1]?.trim();
    if (label && !/^(called )?genotypes$/i.test(label) && label.length <= 80) return label;
  }
  return undefined;
}

/** The Description's label when it says more than the key itself ('afr' -> 'African/African American'). */
function labelFor(key: string, description: string | undefined): string {
  const fromHeader = description ? labelFromDescription(description) : undefined;
  if (fromHeader && fromHeader.toLowerCase() !== key.toLowerCase()) return fromHeader;
  return defaultGroupLabel(key);
}

/**
 * Find the per-group count fields of a sites VCF from its ##INFO lines. Knows the bcftools
 * fill-tags (AC_EUR, AC_Hom_EUR), ExAC (AC_AFR, Hom_AFR, Hemi_AFR, AC_Adj), gnomAD r2
 * (AC_AFR, Hom_AFR, AC_Male), gnomAD v3/v4 (AC_afr, nhomalt_afr, AC_XX, AC_joint_afr) and
 * GoE (AC_FR_M; AC_FR_M_Hom, AC_FR_M_Het as gdi-mini-node's writer reads them) conventions, and
 * 1000 Genomes' EUR_AF (frequency only).
 */
export function detectSitesPlan(header: VcfHeader): SitesPlan {
  const ignored: SitesPlan['ignored'] = [];
  const byGroup = new Map<string, Map<CountKind, FieldSource>>();
  const descriptions = new Map<string, string>();
  const groupsWithAdj = [...header.infos.keys()].includes('AC_Adj');
  for (const decl of header.infos.values()) {
    const found = kindOfField(decl);
    if (!found) continue;
    let { group } = found;
    const { kind } = found;
    const numeric = kind === 'af' ? decl.type === 'Float' || decl.type === 'Integer' : decl.type === 'Integer';
    if (!numeric) {
      ignored.push({ info: decl.id, why: `Type=${decl.type}, expected ${kind === 'af' ? 'Float' : 'Integer'}` });
      continue;
    }
    const want = expectedNumber(kind);
    let number: FieldSource['number'];
    if (decl.number === want) number = want;
    else if (decl.number === 'R' && want === 'A') number = 'R';
    else {
      ignored.push({ info: decl.id, why: `Number=${decl.number}, expected ${want}` });
      continue;
    }
    // ExAC's AC_Hom/AC_Het/AC_Hemi are the adjusted (high-quality) counts, like AC_Adj.
    if (group === OVERALL_KEY && groupsWithAdj && /^Adjusted/i.test(decl.description) && /^AC_H/.test(decl.id)) group = 'Adj';
    // bcftools fill-tags' AC_Hom counts alleles (2 per homozygous individual); we store individuals.
    const divisor: 1 | 2 = (decl.id.startsWith('AC_Hom') || /^AC_.+_Hom$/.test(decl.id)) && /allele count/i.test(decl.description) ? 2 : 1;
    let kinds = byGroup.get(group);
    if (!kinds) byGroup.set(group, (kinds = new Map()));
    if (kinds.has(kind)) {
      ignored.push({ info: decl.id, why: `group '${group || OVERALL_CODE}' already takes ${kind} from ${kinds.get(kind)!.info}` });
      continue;
    }
    kinds.set(kind, { group, kind, info: decl.id, number, divisor });
    if (kind === 'ac' || kind === 'an' || (kind === 'af' && !descriptions.has(group))) descriptions.set(group, decl.description);
  }
  const groups: SitesGroup[] = [];
  for (const [key, kinds] of byGroup) {
    const hasCounts = kinds.has('ac') && kinds.has('an');
    if (!hasCounts && !kinds.has('af')) {
      for (const s of kinds.values()) ignored.push({ info: s.info, why: `group '${key || OVERALL_CODE}' has no AC+AN or AF` });
      continue;
    }
    if (hasCounts) kinds.delete('af'); // derived from AC/AN; never stored twice
    const description = descriptions.get(key);
    groups.push({
      key,
      code: key === OVERALL_KEY ? OVERALL_CODE : key,
      label: key === OVERALL_KEY ? 'Total' : labelFor(key, description),
      sources: [...kinds.values()],
    });
  }
  groups.sort((a, b) => (a.key === OVERALL_KEY ? -1 : b.key === OVERALL_KEY ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { groups, ignored };
}

/** An explicit field map file: `{"groups":[{"key":"afr","label":"African","ac":"AC_afr","an":"AN_afr","nhomalt":"nhomalt_afr"}]}`. */
export interface FieldMapFile {
  groups: ({ key: string; label?: string; nhomaltCountsAlleles?: boolean } & Partial<Record<CountKind, string>>)[];
}

export function planFromFieldMap(map: FieldMapFile, header: VcfHeader, file: string): SitesPlan {
  if (!map || !Array.isArray(map.groups)) throw new AfbError('INVALID_OPTION', `${file}: a field map is {"groups":[{"key":"afr","ac":"AC_afr","an":"AN_afr"}]}`);
  const groups: SitesGroup[] = map.groups.map((g, i) => {
    if (typeof g.key !== 'string') throw new AfbError('INVALID_OPTION', `${file}: groups[${i}].key must be a string ('' for the overall group)`);
    const sources: FieldSource[] = [];
    for (const kind of ['ac', 'an', 'nhomalt', 'nhet', 'nhemi', 'af'] as CountKind[]) {
      const info = g[kind];
      if (info === undefined) continue;
      const decl = header.infos.get(info);
      if (!decl) throw new AfbError('INVALID_OPTION', `${file}: groups[${i}].${kind} names INFO '${info}', which the VCF header does not declare`);
      const want = expectedNumber(kind);
      const number = decl.number === want ? want : decl.number === 'R' && want === 'A' ? 'R' : undefined;
      if (!number) throw new AfbError('INVALID_OPTION', `${file}: INFO '${info}' has Number=${decl.number}; ${kind} needs Number=${want}`);
      sources.push({ group: g.key, kind, info, number, divisor: kind === 'nhomalt' && g.nhomaltCountsAlleles ? 2 : 1 });
    }
    if (!(g.ac && g.an) && !g.af) throw new AfbError('INVALID_OPTION', `${file}: groups[${i}] ('${g.key}') needs ac and an, or af`);
    return { key: g.key, code: g.key === OVERALL_KEY ? OVERALL_CODE : g.key, label: g.label ?? defaultGroupLabel(g.key), sources };
  });
  return { groups, ignored: [] };
}
