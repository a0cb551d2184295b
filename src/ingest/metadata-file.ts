import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { AfbError } from '../domain/errors';
import { ACCESS_LEVELS, type AccessLevel } from '../domain/access';
import { parseAssembly, type Assembly } from '../domain/assemblies';
import { normaliseSex, SEX_LABELS, type DatasetMetadata, type DuoTerm, type IndividualCell, type Individuals } from '../domain/catalogue';
import { DUO_CODE, DUO_LABELS } from '../domain/duo';

/** The fields of a metadata file (docs/dataset-metadata.md); any other is refused, so a typo is not silently dropped. */
const FIELDS = [
  'title', 'description', 'cohort', 'programme', 'country', 'assembly', 'technology', 'captureRegions', 'individuals',
  'release', 'licence', 'dataUse', 'duoVersion', 'contact', 'landingPage', 'keywords', 'publisher', 'countsAccess',
] as const;

/** A parsed metadata file: the metadata and the assembly it names (checked against --assembly). */
export interface MetadataFile {
  metadata: DatasetMetadata;
  assembly?: Assembly;
}

/**
 * Read `--metadata FILE` (YAML, or JSON, which is YAML too): every problem names the file, the
 * field and the form expected. Nothing is stored until the ingest publishes its version.
 */
export function readMetadataFile(file: string): MetadataFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AfbError('INVALID_OPTION', `--metadata ${file}: cannot read the file (${(e as Error).message})`, { cause: e });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? `:${e.linePos[0].line}` : '';
    throw new AfbError('INVALID_OPTION', `--metadata ${file}${where}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  return parseMetadata(doc, file);
}

export function parseMetadata(doc: unknown, file = 'metadata'): MetadataFile {
  const bad = (field: string, expected: string, got?: unknown): never => {
    throw new AfbError('INVALID_OPTION', `--metadata ${file}: ${field} must be ${expected}${got === undefined ? '' : `; got ${JSON.stringify(got)?.slice(0, 80)}`}`);
  };
  if (!isObject(doc)) return bad('the document', 'a mapping of fields (see docs/dataset-metadata.md)', doc);
  for (const k of Object.keys(doc)) {
    if (!(FIELDS as readonly string[]).includes(k)) bad(k, `one of the known fields (${FIELDS.join(', ')})`);
  }
  const text = (field: string, max = 2000): string | undefined => {
    const v = doc[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return bad(field, `a text of at most ${max} characters`, v);
    const s = String(v).trim();
    if (s === '' || s.length > max) return bad(field, `a text of 1..${max} characters`, v);
    return s;
  };
  const url = (field: string, v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || !/^https?:\/\/[^\s/]+[^\s]*$/.test(v) || v.length > 2000) return bad(field, 'an http(s) URL', v);
    return v;
  };
  const m: DatasetMetadata = { dataUse: [], countsAccess: 'anonymous' };
  const set = <K extends keyof DatasetMetadata>(k: K, v: DatasetMetadata[K] | undefined): void => {
    if (v !== undefined) m[k] = v;
  };
  set('title', text('title', 300));
  set('description', text('description', 5000));
  set('cohort', text('cohort', 300));
  set('programme', text('programme', 300));
  set('publisher', text('publisher', 300));
  const country = text('country', 100);
  if (country !== undefined && !/^[A-Za-z]{2}$/.test(country)) bad('country', 'an ISO 3166-1 alpha-2 code such as FI', country);
  set('country', country?.toUpperCase());
  let assembly: Assembly | undefined;
  if (doc.assembly !== undefined) {
    assembly = typeof doc.assembly === 'string' ? parseAssembly(doc.assembly) : undefined;
    if (!assembly) bad('assembly', 'GRCh37 or GRCh38 (or an alias such as hg19, hg38)', doc.assembly);
  }
  const technology = text('technology', 40);
  if (technology !== undefined && !/^[A-Za-z0-9 ._+-]+$/.test(technology)) bad('technology', 'a short word such as WGS, WES, panel or array', technology);
  set('technology', technology);
  set('captureRegions', text('captureRegions', 500));
  set('licence', url('licence', doc.licence));
  set('landingPage', url('landingPage', doc.landingPage));
  set('duoVersion', text('duoVersion', 40));
  if (doc.keywords !== undefined) {
    if (!Array.isArray(doc.keywords) || doc.keywords.some((k) => typeof k !== 'string' || k.trim() === '' || k.length > 100)) bad('keywords', 'a list of words or short phrases', doc.keywords);
    m.keywords = (doc.keywords as string[]).map((k) => k.trim());
  }
  if (doc.release !== undefined) {
    const r = doc.release;
    if (!isObject(r)) return bad('release', 'a mapping {version, date}', r);
    const version = r.version === undefined ? undefined : String(r.version);
    if (version !== undefined && (version.trim() === '' || version.length > 100)) bad('release.version', 'a text such as "2024-03" or "v2"', r.version);
    const date = r.date === undefined ? undefined : r.date instanceof Date ? r.date.toISOString().slice(0, 10) : String(r.date);
    if (date !== undefined && !/^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$/.test(date)) bad('release.date', 'a date YYYY-MM-DD (or YYYY-MM, YYYY)', r.date);
    for (const k of Object.keys(r)) if (k !== 'version' && k !== 'date') bad(`release.${k}`, 'absent: release takes version and date');
    m.release = { ...(version ? { version } : {}), ...(date ? { date } : {}) };
  }
  if (doc.contact !== undefined) {
    const c = doc.contact;
    if (!isObject(c)) return bad('contact', 'a mapping {name, email, url}', c);
    for (const k of Object.keys(c)) if (!['name', 'email', 'url'].includes(k)) bad(`contact.${k}`, 'absent: contact takes name, email and url');
    if (c.email !== undefined && (typeof c.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.email))) bad('contact.email', 'an e-mail address', c.email);
    if (c.name !== undefined && (typeof c.name !== 'string' || c.name.trim() === '')) bad('contact.name', 'a name', c.name);
    m.contact = { ...(c.name ? { name: String(c.name) } : {}), ...(c.email ? { email: String(c.email) } : {}), ...(c.url !== undefined ? { url: url('contact.url', c.url) } : {}) };
  }
  if (doc.countsAccess !== undefined) {
    if (!ACCESS_LEVELS.includes(doc.countsAccess as AccessLevel)) bad('countsAccess', `one of ${ACCESS_LEVELS.join(', ')}`, doc.countsAccess);
    m.countsAccess = doc.countsAccess as AccessLevel;
  }
  if (doc.dataUse !== undefined) m.dataUse = dataUse(doc.dataUse, bad);
  if (doc.individuals !== undefined) m.individuals = individuals(doc.individuals, bad);
  return { metadata: m, ...(assembly ? { assembly } : {}) };
}

type Bad = (field: string, expected: string, got?: unknown) => never;

function dataUse(v: unknown, bad: Bad): DuoTerm[] {
  if (!Array.isArray(v)) return bad('dataUse', 'a list of DUO codes such as [DUO:0000042] or {id, label, modifiers}');
  return v.map((item, i) => {
    const field = `dataUse[${i}]`;
    const t = typeof item === 'string' ? { id: item } : item;
    if (!isObject(t) || typeof t.id !== 'string' || !DUO_CODE.test(t.id)) return bad(field, 'a DUO code DUO:0000000 (or {id: DUO:..., label, modifiers})', item);
    const label = typeof t.label === 'string' && t.label.trim() !== '' ? t.label : DUO_LABELS.get(t.id);
    if (!label) return bad(`${field}.label`, `given: ${t.id} is not one of the DUO codes afb knows (${[...DUO_LABELS.keys()].join(', ')})`);
    let modifiers: DuoTerm['modifiers'];
    if (t.modifiers !== undefined) {
      if (!Array.isArray(t.modifiers)) return bad(`${field}.modifiers`, 'a list of {id: PREFIX:code, label}', t.modifiers);
      modifiers = t.modifiers.map((x, j) => {
        if (!isObject(x) || typeof x.id !== 'string' || !/^[A-Za-z][A-Za-z0-9_.]*:[^\s]+$/.test(x.id)) return bad(`${field}.modifiers[${j}]`, 'an ontology term {id: MONDO:0005148, label}', x);
        return { id: x.id, ...(typeof x.label === 'string' ? { label: x.label } : {}) };
      });
    }
    return { id: t.id, label, ...(modifiers ? { modifiers } : {}) };
  });
}

/** Declared individuals (sites mode): a total and per-population and per-sex counts, each partition at most the total. */
function individuals(v: unknown, bad: Bad): Individuals {
  if (!isObject(v)) return bad('individuals', 'a mapping {total, populations, sexes}', v);
  for (const k of Object.keys(v)) if (!['total', 'populations', 'sexes'].includes(k)) bad(`individuals.${k}`, 'absent: individuals takes total, populations and sexes');
  const count = (field: string, x: unknown): number => (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : bad(field, 'a whole number >= 0', x));
  const total = count('individuals.total', v.total);
  const cells = (field: string, x: unknown, sex: boolean): IndividualCell[] => {
    if (x === undefined) return [];
    const list: { code: string; count: unknown; label?: unknown; canonical?: unknown }[] = Array.isArray(x)
      ? x.map((c, i) => (isObject(c) && typeof c.code === 'string' ? (c as { code: string; count: unknown }) : bad(`${field}[${i}]`, 'a mapping {code, count, label?, canonical?}', c)))
      : isObject(x)
        ? Object.entries(x).map(([code, n]) => ({ code, count: n }))
        : bad(field, 'a mapping code: count, or a list of {code, count, label, canonical}', x);
    const seen = new Set<string>();
    const out = list.map((c) => {
      const code = sex ? normaliseSex(c.code) : c.code.trim();
      if (!code || !/^[A-Za-z0-9_.:-]{1,40}$/.test(code)) return bad(`${field}.${c.code}`, sex ? 'female, male or unknown (or XX, XY, F, M)' : 'a population code of 1-40 characters A-Z a-z 0-9 _ . : -');
      if (seen.has(code)) bad(`${field}.${c.code}`, 'listed once');
      seen.add(code);
      const label = c.label === undefined ? (sex ? SEX_LABELS[code] : undefined) : typeof c.label === 'string' ? c.label : bad(`${field}.${c.code}.label`, 'a text', c.label);
      const canonical = c.canonical === undefined ? undefined : typeof c.canonical === 'string' ? c.canonical : bad(`${field}.${c.code}.canonical`, 'a canonical population code', c.canonical);
      return { code, count: count(`${field}.${c.code}`, c.count), ...(label ? { label } : {}), ...(canonical ? { canonical } : {}) };
    });
    const sum = out.reduce((s, c) => s + c.count, 0);
    if (sum > total) bad(field, `counts that add up to at most individuals.total (${total})`, sum);
    // The rest of the total is a cell too (an attacker can subtract): published as `unassigned` / `unknown`.
    if (out.length > 0 && sum < total) out.push(sex ? { code: 'unknown', count: total - sum, label: SEX_LABELS.unknown! } : { code: 'unassigned', count: total - sum, label: 'No population given' });
    return out;
  };
  return { total, populations: cells('individuals.populations', v.populations, false), sexes: cells('individuals.sexes', v.sexes, true), source: 'declared' };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
