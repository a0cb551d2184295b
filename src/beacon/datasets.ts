import type { CatalogueEntry, DatasetMetadata, IndividualCell, Individuals } from '../domain/catalogue';
import { SEX_ONTOLOGY } from '../domain/catalogue';
import { ACCESS_LEVELS, type AccessLevel } from '../domain/access';
import { DUO_CODE } from '../domain/duo';
import { DEFAULT_SUMMARY, responseMeta, type BeaconIdentity } from './envelope';

/** A catalogue entry as shown to one caller: its counts already disclosed, and the k applied. */
export interface ShownEntry extends CatalogueEntry {
  minCount: number;
}

/** The DUO release named when a metadata file names none (Beacon's DUODataUse requires a version). */
const DUO_VERSION_UNSTATED = 'unstated';

/**
 * `/api/datasets` and `/api/datasets/{id}`: a Beacon v2 collections response, one Beacon dataset
 * (datasets/defaultSchema.json) per entry. What Beacon's dataset model has no field for (cohort,
 * assembly, technology, individuals per population and sex, node and status) is under `info.afb`.
 */
export function datasetsResponse(id: BeaconIdentity, entries: readonly ShownEntry[], extraInfo: Record<string, unknown> = {}) {
  return {
    meta: { ...responseMeta(id, 'record', DEFAULT_SUMMARY), returnedSchemas: [{ entityType: 'dataset', schema: 'beacon-dataset-v2.0.0' }] },
    responseSummary: { exists: entries.length > 0, numTotalResults: entries.length },
    response: { collections: entries.map(toWireDataset) },
    ...(Object.keys(extraInfo).length > 0 ? { info: extraInfo } : {}),
  };
}

export function toWireDataset(e: ShownEntry): Record<string, unknown> {
  const m = e.metadata;
  const out: Record<string, unknown> = {
    id: e.id,
    name: m.title ?? e.name,
    description: m.description ?? e.description ?? `${e.name}${e.mode ? ` (${e.mode} mode` : ''}${e.assembly ? `, ${e.assembly})` : e.mode ? ')' : ''}`,
    version: m.release?.version ?? e.version,
  };
  if (e.createdAt) {
    out.createDateTime = e.createdAt;
    out.updateDateTime = e.createdAt;
  }
  if (m.landingPage) out.externalUrl = m.landingPage;
  if (m.dataUse.length > 0) {
    out.dataUseConditions = {
      duoDataUse: m.dataUse.map((t) => ({ id: t.id, label: t.label, version: m.duoVersion ?? DUO_VERSION_UNSTATED, ...(t.modifiers ? { modifiers: t.modifiers } : {}) })),
    };
  }
  const { individuals, dataUse: _d, ...described } = m;
  out.info = {
    afb: {
      assemblyId: e.assembly,
      ...(e.mode ? { mode: e.mode } : {}),
      ...(e.variantCount !== undefined ? { variantCount: e.variantCount } : {}),
      storeVersion: e.version,
      origin: e.origin,
      node: e.node,
      status: e.status,
      path: e.path,
      metadata: described,
      ...(individuals ? { individuals: wireIndividuals(individuals, e.minCount) } : {}),
    },
  };
  return out;
}

function wireIndividuals(ind: Individuals, minCount: number) {
  const cell = (c: IndividualCell, sex: boolean) => ({
    code: c.code,
    ...(c.label ? { label: c.label } : {}),
    ...(c.canonical ? { canonical: c.canonical } : {}),
    ...(sex && SEX_ONTOLOGY[c.code] ? { ontologyTerm: SEX_ONTOLOGY[c.code] } : {}),
    ...(c.withheld ? { withheld: true } : { count: c.count }),
  });
  return {
    ...(ind.totalWithheld ? { totalWithheld: true } : ind.total !== undefined ? { total: ind.total } : {}),
    source: ind.source,
    populations: ind.populations.map((c) => cell(c, false)),
    sexes: ind.sexes.map((c) => cell(c, true)),
    ...(minCount > 1 ? { minCount } : {}),
  };
}

/**
 * A peer's Beacon dataset read back (a broker's catalogue), trusting nothing: fields of the wrong
 * type are dropped, counts must be whole numbers >= 0. An afb peer's `info.afb` gives node,
 * origin and individuals; a third-party Beacon's dataset has only the Beacon fields.
 */
export function fromWireDataset(d: unknown): (Omit<CatalogueEntry, 'node' | 'origin' | 'path' | 'status'> & Partial<Pick<CatalogueEntry, 'node' | 'origin' | 'path' | 'status'>>) | undefined {
  if (!isObject(d) || typeof d.id !== 'string' || d.id === '' || d.id.length > 200) return undefined;
  const afb = isObject(d.info) && isObject(d.info.afb) ? d.info.afb : {};
  const described = isObject(afb.metadata) ? afb.metadata : {};
  const str = (v: unknown, max = 5000): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined);
  const metadata: DatasetMetadata = { dataUse: [], countsAccess: ACCESS_LEVELS.includes(described.countsAccess as AccessLevel) ? (described.countsAccess as AccessLevel) : 'anonymous' };
  for (const k of ['title', 'description', 'cohort', 'programme', 'country', 'technology', 'captureRegions', 'licence', 'landingPage', 'publisher', 'duoVersion'] as const) {
    const v = str(described[k]);
    if (v !== undefined) metadata[k] = v;
  }
  if (!metadata.landingPage && str(d.externalUrl)) metadata.landingPage = str(d.externalUrl);
  if (!metadata.description && str(d.description)) metadata.description = str(d.description);
  if (Array.isArray(described.keywords)) metadata.keywords = described.keywords.filter((k): k is string => typeof k === 'string');
  if (isObject(described.release)) metadata.release = { ...(str(described.release.version) ? { version: str(described.release.version) } : {}), ...(str(described.release.date) ? { date: str(described.release.date) } : {}) };
  if (isObject(described.contact)) {
    const c = described.contact;
    metadata.contact = { ...(str(c.name) ? { name: str(c.name) } : {}), ...(str(c.email) ? { email: str(c.email) } : {}), ...(str(c.url) ? { url: str(c.url) } : {}) };
  }
  const duo = isObject(d.dataUseConditions) && Array.isArray(d.dataUseConditions.duoDataUse) ? d.dataUseConditions.duoDataUse : [];
  metadata.dataUse = duo.filter((t): t is Record<string, unknown> => isObject(t) && typeof t.id === 'string' && DUO_CODE.test(t.id)).map((t) => ({ id: t.id as string, label: str(t.label, 300) ?? (t.id as string) }));
  const ind = isObject(afb.individuals) ? readIndividuals(afb.individuals) : undefined;
  if (ind) metadata.individuals = ind;
  const node = isObject(afb.node) && typeof afb.node.id === 'string' ? { id: afb.node.id, name: str(afb.node.name, 300) ?? afb.node.id, ...(str(afb.node.country, 2) ? { country: str(afb.node.country, 2) } : {}) } : undefined;
  return {
    id: d.id,
    name: str(d.name, 300) ?? d.id,
    ...(str(d.description) ? { description: str(d.description) } : {}),
    assembly: str(afb.assemblyId, 20) ?? '',
    ...(afb.mode === 'sites' || afb.mode === 'genotypes' ? { mode: afb.mode } : {}),
    ...(Number.isSafeInteger(afb.variantCount) && (afb.variantCount as number) >= 0 ? { variantCount: afb.variantCount as number } : {}),
    version: str(afb.storeVersion, 100) ?? str(d.version, 100) ?? '',
    createdAt: str(d.createDateTime, 40) ?? '',
    metadata,
    ...(node ? { node } : {}),
    ...(str(afb.origin, 400) ? { origin: str(afb.origin, 400) } : {}),
    ...(Array.isArray(afb.path) ? { path: afb.path.filter((p): p is string => typeof p === 'string') } : {}),
    ...(afb.status === 'available' || afb.status === 'unreachable' ? { status: afb.status } : {}),
  };
}

function readIndividuals(x: Record<string, unknown>): Individuals | undefined {
  const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
  const cells = (v: unknown): IndividualCell[] =>
    (Array.isArray(v) ? v : [])
      .filter((c): c is Record<string, unknown> => isObject(c) && typeof c.code === 'string' && c.code.length <= 40)
      .map((c) => {
        const n = count(c.count);
        return {
          code: c.code as string,
          ...(typeof c.label === 'string' ? { label: c.label } : {}),
          ...(typeof c.canonical === 'string' ? { canonical: c.canonical } : {}),
          // A cell with no readable count is taken as withheld: never as zero.
          ...(n === undefined ? { withheld: true } : { count: n }),
        };
      });
  const total = count(x.total);
  return {
    ...(total === undefined ? { totalWithheld: true } : { total }),
    populations: cells(x.populations),
    sexes: cells(x.sexes),
    source: x.source === 'counted' ? 'counted' : 'declared',
  };
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
