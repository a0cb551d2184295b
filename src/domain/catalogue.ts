import type { AccessLevel } from './access';

/**
 * The dataset catalogue (issue 15): what stands behind a frequency — which cohort, how many
 * people per population and sex, which assembly and sequencing, which release, under which data-use
 * conditions, whom to contact. Pure data: ingest validates it (ingest/metadata-file.ts), the store
 * keeps it per dataset version, the pipeline discloses its counts per caller, beacon/ writes it as
 * Beacon v2 datasets and DCAT-AP JSON-LD, the broker federates it.
 */

/** One cell of individuals: a population or a sex. `count` is absent when withheld (disclosure control). */
export interface IndividualCell {
  /** Population code as the data names it (AFR, nfe) or sex: female, male, unknown; `unassigned` for people of no listed population. */
  code: string;
  label?: string;
  /** The canonical population code the broker pools on, when the dataset maps one. */
  canonical?: string;
  count?: number;
  /** Set when disclosure control withheld `count` (it is then 1..k-1, or hidden so that no such cell can be derived). */
  withheld?: boolean;
}

/** Individuals of a dataset: a total and two partitions of it (each sums to `total` when every cell is shown). */
export interface Individuals {
  total?: number;
  totalWithheld?: boolean;
  populations: IndividualCell[];
  sexes: IndividualCell[];
  /** `counted`: counted at ingest from the panel (genotype mode); `declared`: given in the metadata file (sites mode). */
  source: 'counted' | 'declared';
}

/** A GA4GH Data Use Ontology term (with modifiers such as a disease for DUO:0000007). */
export interface DuoTerm {
  id: string;
  label: string;
  modifiers?: { id: string; label?: string }[];
}

export interface Contact {
  name?: string;
  email?: string;
  url?: string;
}

/** What an operator declares about one dataset version (`afb ingest --metadata FILE`; docs/dataset-metadata.md). */
export interface DatasetMetadata {
  title?: string;
  description?: string;
  cohort?: string;
  programme?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  /** WGS, WES, panel, array, or another short word. */
  technology?: string;
  /** The capture kit or target regions (WES and panels): a name or a URL of a BED file. */
  captureRegions?: string;
  individuals?: Individuals;
  release?: { version?: string; date?: string };
  /** Licence of the released data (a URL, e.g. a Creative Commons licence). */
  licence?: string;
  dataUse: DuoTerm[];
  /** The DUO release the codes are taken from (Beacon's dataUseConditions carry it). */
  duoVersion?: string;
  contact?: Contact;
  landingPage?: string;
  keywords?: string[];
  publisher?: string;
  /** Lowest access level shown counts of individuals (default anonymous: everyone, under the level's k). */
  countsAccess: AccessLevel;
}

export const EMPTY_METADATA: DatasetMetadata = Object.freeze({ dataUse: [], countsAccess: 'anonymous' }) as DatasetMetadata;

/** The node a dataset is served by. */
export interface CatalogueNode {
  id: string;
  name: string;
  country?: string;
}

/** One dataset as a catalogue lists it (a node its own, a broker every reachable one). */
export interface CatalogueEntry {
  /** The id this server knows it by (a broker's carry the peer prefix, as in g_variants). */
  id: string;
  name: string;
  description?: string;
  /** GRCh37/GRCh38, or '' when a third-party peer does not say. */
  assembly: string;
  mode?: 'sites' | 'genotypes';
  variantCount?: number;
  version: string;
  createdAt: string;
  /** Unique across a federation: `<beaconId>/<datasetId>@<ingest time>`, as on variant answers; brokers dedupe on it. */
  origin: string;
  node: CatalogueNode;
  /** `available`: answered now; `unreachable`: its node did not answer this time, the entry is the last one seen. */
  status: 'available' | 'unreachable';
  /** Broker ids between this server and the node (empty on the node itself). */
  path: string[];
  metadata: DatasetMetadata;
}

/** What a catalogue port answers: the entries and, for a broker, each peer's outcome. */
export interface CatalogueListing {
  entries: CatalogueEntry[];
  peers?: { peer: string; name?: string; status: 'ok' | 'failed' | 'skipped_loop'; message?: string }[];
}

/** The port a server's catalogue doors ask: a node reads its store, a broker its peers. */
export interface DatasetCatalogue {
  list(ctx: { visited: readonly string[]; signal?: AbortSignal }): Promise<CatalogueListing>;
}

/** Per dataset id, the metadata of its current version (the node's store). */
export interface MetadataSource {
  current(): Promise<Map<string, { version: string; metadata: DatasetMetadata }>>;
}

const SEX_WORDS: ReadonlyMap<string, string> = new Map([
  ['female', 'female'], ['f', 'female'], ['xx', 'female'],
  ['male', 'male'], ['m', 'male'], ['xy', 'male'],
  ['unknown', 'unknown'],
]);

/** female / male / unknown from any of the spellings afb reads (XX, F, female; XY, M, male). */
export function normaliseSex(word: string): string | undefined {
  return SEX_WORDS.get(word.trim().toLowerCase());
}

export const SEX_LABELS: Readonly<Record<string, string>> = { female: 'Female (XX)', male: 'Male (XY)', unknown: 'Sex not recorded' };
/** NCIT terms Beacon v2 uses for sex. */
export const SEX_ONTOLOGY: Readonly<Record<string, string>> = { female: 'NCIT:C16576', male: 'NCIT:C20197', unknown: 'NCIT:C17998' };
