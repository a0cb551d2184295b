import { AfbError } from '../domain/errors';
import type { DatasetInfo } from '../domain/lookup';
import { OVERALL_CODE } from '../domain/groups';
import { poolingKey } from '../domain/populations';

/** The counts annotation writes per population, in INFO order. */
export const ANNOTATED_KINDS = ['ac', 'an', 'af', 'nhomalt', 'nhemi', 'faf95', 'faf99'] as const;
export type AnnotatedKind = (typeof ANNOTATED_KINDS)[number];

/** One INFO field written: a count kind of one pooled population. */
export interface AnnotationField {
  /** INFO key, e.g. `AFB_AC` (overall group) or `AFB_AC_AFR`. */
  id: string;
  /** The pooled population code, as a broker names its pooled rows (`Total`, `AFR`, `afr_XX`). */
  population: string;
  label: string;
  kind: AnnotatedKind;
}

/** A pooled population: its code and label, and the kinds some contributor reports for it. */
export interface PooledGroup {
  code: string;
  label: string;
  kinds: Set<AnnotatedKind>;
}

const KIND_NAME: Record<AnnotatedKind, string> = { ac: 'AC', an: 'AN', af: 'AF', nhomalt: 'nhomalt', nhemi: 'nhemi', faf95: 'faf95', faf99: 'faf99' };
const KIND_TEXT: Record<AnnotatedKind, string> = {
  ac: 'Alternate allele count',
  an: 'Total number of alleles called',
  af: 'Alternate allele frequency (AC/AN of the pooled counts)',
  nhomalt: 'Number of homozygous alternate individuals',
  nhemi: 'Number of hemizygous alternate individuals',
  faf95: 'Filtering allele frequency (95% confidence, Poisson, as gnomAD computes faf95) of the pooled AC and AN',
  faf99: 'Filtering allele frequency (99% confidence, Poisson, as gnomAD computes faf99) of the pooled AC and AN',
};

/**
 * The populations the datasets in scope pool into, as a broker pools them (domain/pooling: by
 * canonical code, else by identical code), the overall group first, then by code. Written in the
 * header before any record is looked up, so a population no dataset describes is not written.
 */
export function pooledGroups(datasets: readonly DatasetInfo[]): PooledGroup[] {
  const byKey = new Map<string, PooledGroup>();
  for (const d of datasets) {
    for (const g of d.groups) {
      const key = poolingKey(g.code, g.canonical);
      const code = key.startsWith('canonical:') ? key.slice(10) : g.code;
      let p = byKey.get(key);
      if (!p) byKey.set(key, (p = { code, label: g.label, kinds: new Set() }));
      const kinds = new Set(g.kinds);
      if (kinds.has('ac')) p.kinds.add('ac');
      if (kinds.has('an')) p.kinds.add('an');
      if (kinds.has('ac') && kinds.has('an')) for (const k of ['af', 'faf95', 'faf99'] as const) p.kinds.add(k);
      if (kinds.has('nhomalt')) p.kinds.add('nhomalt');
      if (kinds.has('nhemi')) p.kinds.add('nhemi');
    }
  }
  return [...byKey.values()].sort((a, b) => (a.code === OVERALL_CODE ? -1 : b.code === OVERALL_CODE ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * The kinds a list names (`AC,AN,AF,nhomalt`, any case: `--fields`, `?fields=`), in INFO order; an
 * unknown name is an error listing the known ones. Undefined for no list (every kind).
 */
export function annotatedKinds(names: readonly string[] | undefined): Set<AnnotatedKind> | undefined {
  if (!names) return undefined;
  const byName = new Map(ANNOTATED_KINDS.map((k) => [KIND_NAME[k].toLowerCase(), k]));
  const unknown = names.filter((n) => !byName.has(n.toLowerCase()));
  if (unknown.length > 0) throw new AfbError('INVALID_PARAMETER', `fields: ${unknown.join(', ')} unknown; the counts annotation writes are ${ANNOTATED_KINDS.map((k) => KIND_NAME[k]).join(', ')}`);
  return new Set(names.map((n) => byName.get(n.toLowerCase())!));
}

/**
 * The INFO fields for the pooled populations (all, or those `wanted` names, by pooled code, any
 * case): `<prefix><KIND>` for the overall group, `<prefix><KIND>_<code>` for the others; of the
 * kinds in `kinds` only, when given (a FAF is computed only when its field is written). A wanted
 * population no dataset has is an error naming the ones there are.
 */
export function annotationFields(groups: readonly PooledGroup[], prefix: string, wanted?: readonly string[], kinds?: ReadonlySet<AnnotatedKind>): AnnotationField[] {
  if (!/^[A-Za-z_][0-9A-Za-z_.]*$/.test(prefix)) throw new AfbError('INVALID_PARAMETER', `prefix '${prefix}' must be a valid INFO key start: a letter or _ then letters, digits, _ or .`);
  let chosen = groups;
  if (wanted) {
    const byCode = new Map(groups.map((g) => [g.code.toLowerCase(), g]));
    const missing = wanted.filter((w) => !byCode.has(w.toLowerCase()));
    if (missing.length > 0) {
      throw new AfbError('INVALID_PARAMETER', `populations: ${missing.join(', ')} not in the datasets in scope; they have ${groups.map((g) => g.code).join(', ') || 'none'}`);
    }
    chosen = wanted.map((w) => byCode.get(w.toLowerCase())!);
  }
  const out: AnnotationField[] = [];
  const seen = new Set<string>();
  for (const g of chosen) {
    const suffix = g.code === OVERALL_CODE ? '' : `_${g.code.replace(/[^0-9A-Za-z_.]/g, '_')}`;
    for (const kind of ANNOTATED_KINDS) {
      if (!g.kinds.has(kind) || (kinds && !kinds.has(kind))) continue;
      const id = `${prefix}${KIND_NAME[kind]}${suffix}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ id, population: g.code, label: g.label, kind });
    }
  }
  return out;
}

/** The `##INFO` line of a field. Number=A: one value per ALT of the record, `.` where that ALT was not found. */
export function infoLine(f: AnnotationField): string {
  const type = f.kind === 'af' || f.kind === 'faf95' || f.kind === 'faf99' ? 'Float' : 'Integer';
  const who = f.population === OVERALL_CODE ? 'all samples' : `population ${f.population}${f.label && f.label !== f.population ? ` (${f.label})` : ''}`;
  return `##INFO=<ID=${f.id},Number=A,Type=${type},Description="${KIND_TEXT[f.kind]} in ${quoted(who)}, pooled over every dataset that answered (afb annotate); . where the ALT is not found or the count is withheld">`;
}

/** Text safe inside a quoted VCF header value. */
export function quoted(s: string): string {
  return s.replace(/["\\]/g, "'").replace(/[\r\n]/g, ' ');
}
