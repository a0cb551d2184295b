import { levelFor, OPEN_POLICY, policyFor, ACCESS_LEVELS, type AccessPolicy, type Caller } from '../domain/access';
import { parseAssembly } from '../domain/assemblies';
import { EMPTY_METADATA, normaliseSex, type CatalogueEntry, type DatasetCatalogue, type DatasetMetadata, type MetadataSource } from '../domain/catalogue';
import { AfbError, isAfbError } from '../domain/errors';
import { discloseIndividuals, withholdAllIndividuals } from '../domain/individuals-disclosure';
import type { LookupDescription } from '../domain/lookup';
import { datasetsResponse, type ShownEntry } from '../beacon/datasets';
import { dcatCatalogue, JSON_LD_TYPE, type CatalogueFacts } from '../beacon/dcat';
import { rateLimiter } from './budget';
import { callerInfo, EVERYONE_ANONYMOUS, type CallerResolver } from './caller';
import type { AuditSink } from './audit';
import type { QueryParams, RequestHeaders } from './request';
import type { Reply } from './render';

/** A catalogue request as the doors hand it over: which view, the query string and headers, and the API base the caller reached. */
export interface CatalogueRequest {
  endpoint: 'datasets' | 'dataset' | 'catalogue';
  id?: string;
  query: QueryParams;
  headers: RequestHeaders;
  /** Absolute base of the API (`http://host/api`): DCAT IRIs are made from it. */
  apiBase: string;
}

export type CatalogueDoor = (req: CatalogueRequest) => Promise<Reply>;

export interface CatalogueDoorOptions {
  facts: CatalogueFacts;
  catalogue: DatasetCatalogue;
  identify?: CallerResolver;
  access?: AccessPolicy;
  audit?: AuditSink;
  now?: () => number;
}

/** The filters `/api/datasets` and `/api/catalogue` take; each a comma-separated list (any of). */
export const CATALOGUE_FILTERS = ['population', 'sex', 'assembly', 'technology', 'duo', 'country'] as const;
type Filters = Partial<Record<(typeof CATALOGUE_FILTERS)[number], string[]>>;

/**
 * The catalogue's pipeline: the same identify step and access policy as variant requests (a
 * budget of its own per level), then the catalogue port (a node's store, a broker's peers), then
 * disclosure of each dataset's counts of individuals at the caller's k for that dataset (and none
 * below the dataset's countsAccess level), then filters on what was disclosed (so a filter says
 * nothing a caller could not read), then Beacon v2 datasets or DCAT-AP JSON-LD, and an audit line.
 */
export function createCatalogueDoor(o: CatalogueDoorOptions): CatalogueDoor {
  const identify = o.identify ?? EVERYONE_ANONYMOUS;
  const policy = o.access ?? OPEN_POLICY;
  const now = o.now ?? Date.now;
  const takeRequest = rateLimiter(policy, now);
  return async (req) => {
    let caller: Caller | undefined;
    let withheld = 0;
    const audit = (status: number): void => {
      o.audit?.({
        time: new Date(now()).toISOString(),
        ...(req.headers.requestId ? { requestId: req.headers.requestId } : {}),
        client: caller?.clientId ?? `ip:${req.headers.clientIp ?? 'unknown'}`,
        level: caller?.level ?? 'unidentified',
        kind: req.endpoint,
        variants: req.id ? [req.id] : [],
        status,
        withheldCells: withheld,
      });
    };
    try {
      try {
        caller = await identify(req.headers);
      } catch (e) {
        takeRequest({ level: 'anonymous', controlledDatasets: [], clientId: `ip:${req.headers.clientIp ?? 'unknown'}` });
        throw e;
      }
      takeRequest(caller);
      const filters = parseFilters(req.query);
      const c = caller;
      const listing = await o.catalogue.list({ visited: visitedOf(req.headers.visited) });
      let shown = listing.entries.map((e) => {
        const s = disclose(e, c, policy);
        withheld += s.withheldCells;
        return s.entry;
      });
      if (req.endpoint === 'dataset') {
        shown = shown.filter((e) => e.id === req.id);
        if (shown.length === 0) throw new AfbError('UNKNOWN_DATASET', `no dataset '${req.id}' here; GET /api/datasets lists them`);
      }
      shown = shown.filter((e) => matches(e, filters));
      const info = { afb: { caller: callerInfo(c), ...(listing.peers ? { peers: listing.peers } : {}) } };
      const asJsonLd = req.endpoint === 'catalogue' || wantsJsonLd(req.headers.accept);
      const body = asJsonLd ? dcatCatalogue(o.facts, req.apiBase, shown) : datasetsResponse({ beaconId: o.facts.beaconId }, shown, info);
      audit(200);
      return { status: 200, contentType: asJsonLd ? JSON_LD_TYPE : 'application/json', body: JSON.stringify(body), headers: { Vary: 'Accept, Authorization' } };
    } catch (e) {
      audit(isAfbError(e) ? e.httpStatus : 500);
      throw e;
    }
  };
}

/** One entry's counts as this caller may see them (the level's k for the dataset; nothing below its countsAccess). */
export function disclose(e: CatalogueEntry, caller: Caller, policy: AccessPolicy): { entry: ShownEntry; withheldCells: number } {
  const k = policyFor(policy, caller, e.id).minCount;
  const ind = e.metadata.individuals;
  if (!ind) return { entry: { ...e, minCount: k }, withheldCells: 0 };
  const below = ACCESS_LEVELS.indexOf(levelFor(caller, e.id)) < ACCESS_LEVELS.indexOf(e.metadata.countsAccess);
  const d = below ? withholdAllIndividuals(ind) : discloseIndividuals(ind, k);
  return { entry: { ...e, minCount: k, metadata: { ...e.metadata, individuals: d.individuals } }, withheldCells: d.withheldCells };
}

/**
 * A node's catalogue: each dataset the lookup serves with its current version's metadata (none
 * yet: only what the store knows). Its origin is the one its variant answers carry.
 */
export function nodeCatalogue(describe: () => Promise<LookupDescription>, metadata: MetadataSource | undefined, node: { beaconId: string; name: string }): DatasetCatalogue {
  return {
    async list() {
      const read = () => Promise.all([describe(), metadata ? metadata.current() : Promise.resolve(new Map<string, { version: string; metadata: DatasetMetadata }>())]);
      let [d, meta] = await read();
      // A re-ingest between the two reads pairs one version's rows with another's metadata: read again.
      if (d.datasets.some((x) => meta.has(x.id) && meta.get(x.id)!.version !== x.version)) [d, meta] = await read();
      return {
        entries: d.datasets.map((x): CatalogueEntry => {
          const md = meta.get(x.id)?.metadata ?? EMPTY_METADATA;
          return {
            id: x.id,
            name: x.name,
            ...(x.description ? { description: x.description } : {}),
            assembly: x.assembly,
            mode: x.mode,
            variantCount: x.variantCount,
            version: x.version,
            createdAt: x.createdAt,
            origin: `${node.beaconId}/${x.id}@${x.createdAt}`,
            node: { id: node.beaconId, name: node.name, ...(md.country ? { country: md.country } : {}) },
            status: 'available',
            path: [],
            metadata: md,
          };
        }),
      };
    },
  };
}

function parseFilters(q: QueryParams): Filters {
  const out: Filters = {};
  for (const [k, v] of Object.entries(q)) {
    if (!(CATALOGUE_FILTERS as readonly string[]).includes(k)) {
      throw new AfbError('UNKNOWN_PARAMETER', `the datasets catalogue takes no parameter '${k}'; it takes ${CATALOGUE_FILTERS.join(', ')}`);
    }
    if (typeof v !== 'string' || v.trim() === '' || v.length > 500) throw new AfbError('INVALID_PARAMETER', `${k} must be given once, as a value or a comma-separated list`);
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    const key = k as keyof Filters;
    if (key === 'sex') {
      out.sex = list.map((s) => normaliseSex(s) ?? bad('sex', s, 'female, male or unknown (or XX, XY, F, M)'));
    } else if (key === 'assembly') {
      out.assembly = list.map((s) => parseAssembly(s) ?? bad('assembly', s, 'GRCh37 or GRCh38 (or an alias such as hg19, hg38)'));
    } else if (key === 'duo') {
      out.duo = list.map((s) => (/^DUO:[0-9]{7}$/i.test(s) ? s.toUpperCase() : bad('duo', s, 'a DUO code such as DUO:0000042')));
    } else out[key] = list.map((s) => s.toLowerCase());
  }
  return out;
}

function bad(name: string, value: string, expected: string): never {
  throw new AfbError('INVALID_PARAMETER', `${name} '${value.slice(0, 60)}' must be ${expected}`);
}

/** A dataset has a population or sex when its cell is shown non-zero or withheld (withheld cells hold at least one person). */
function matches(e: ShownEntry, f: Filters): boolean {
  const m = e.metadata;
  const has = (cells: { code: string; canonical?: string; count?: number; withheld?: boolean }[] | undefined, wanted: string[]): boolean =>
    (cells ?? []).some((c) => (c.withheld || (c.count ?? 0) > 0) && wanted.some((w) => c.code.toLowerCase() === w || c.canonical?.toLowerCase() === w));
  if (f.population && !has(m.individuals?.populations, f.population)) return false;
  if (f.sex && !has(m.individuals?.sexes, f.sex)) return false;
  if (f.assembly && !f.assembly.includes(e.assembly as never)) return false;
  if (f.technology && !f.technology.includes((m.technology ?? '').toLowerCase())) return false;
  if (f.country && !f.country.includes((m.country ?? e.node.country ?? '').toLowerCase())) return false;
  if (f.duo && !m.dataUse.some((t) => f.duo!.includes(t.id))) return false;
  return true;
}

function wantsJsonLd(accept: string | undefined): boolean {
  return accept !== undefined && /application\/ld\+json/i.test(accept) && !/application\/json/i.test(accept.split(/application\/ld\+json/i)[0] ?? '');
}

function visitedOf(header: string | undefined): string[] {
  return (header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
