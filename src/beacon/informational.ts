import { CAF_SCHEMA_ID } from './caf';
import type { DatasetInfo, LookupDescription } from '../domain/lookup';
import { COUNTS_PROTOCOLS } from './counts-protocol';
import { API_VERSION, informationalMeta, type BeaconIdentity } from './envelope';

/** The facts the informational endpoints publish (from the server config). */
export interface BeaconFacts extends BeaconIdentity {
  name: string;
  description: string;
  organizationId: string;
  organizationName: string;
  organizationUrl: string;
  environment: 'prod' | 'test' | 'dev' | 'staging';
  defaultGranularity: 'boolean' | 'count' | 'record';
  role: 'node' | 'broker';
  /** afb's package version. */
  version: string;
  startedAt: string;
  /** The access policy as published (`info.afb.access`): per level granularity, minCount and budgets. Never a token or its hash. */
  access?: Record<string, unknown>;
  /** The Beacon security levels a caller can reach here (configuration securityAttributes); PUBLIC only when absent. */
  securityLevels?: ('PUBLIC' | 'REGISTERED' | 'CONTROLLED')[];
}

const DATASET_DEFAULT_SCHEMA = 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/models/json/beacon-v2-default-model/datasets/defaultSchema.json';
/** The afb peer protocols this server answers besides Beacon v2 (a broker asks an afb peer through them when announced). */
const PROTOCOLS = COUNTS_PROTOCOLS;

const GV_DEFAULT_SCHEMA = 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json';

export function infoResponse(f: BeaconFacts, d: LookupDescription) {
  return {
    meta: informationalMeta(f),
    response: {
      id: f.beaconId,
      name: f.name,
      apiVersion: API_VERSION,
      environment: f.environment,
      organization: { id: f.organizationId, name: f.organizationName, welcomeUrl: f.organizationUrl },
      description: f.description,
      version: f.version,
      createDateTime: f.startedAt,
      updateDateTime: latest(d.datasets) ?? f.startedAt,
      info: { afb: { role: f.role, protocols: PROTOCOLS, assemblies: assembliesOf(d), datasets: d.datasets.map(datasetSummary), ...(f.access ? { access: f.access } : {}) } },
    },
  };
}

export function serviceInfo(f: BeaconFacts, d: LookupDescription) {
  return {
    id: f.beaconId,
    name: f.name,
    type: { group: 'org.ga4gh', artifact: 'beacon', version: API_VERSION },
    description: f.description,
    organization: { name: f.organizationName, url: f.organizationUrl },
    environment: f.environment,
    version: f.version,
    createdAt: f.startedAt,
    updatedAt: latest(d.datasets) ?? f.startedAt,
    // Brokers key their cache on these: a re-ingest changes a dataset's version.
    afb: { role: f.role, protocols: PROTOCOLS, assemblies: assembliesOf(d), datasetVersions: Object.fromEntries(d.datasets.map((x) => [x.id, x.version])) },
  };
}

export function configurationResponse(f: BeaconFacts) {
  return {
    meta: informationalMeta(f),
    response: {
      $schema: 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/framework/json/configuration/beaconConfigurationSchema.json',
      maturityAttributes: { productionStatus: f.environment === 'prod' ? 'PROD' : f.environment === 'dev' ? 'DEV' : 'TEST' },
      securityAttributes: { defaultGranularity: f.defaultGranularity, securityLevels: f.securityLevels ?? ['PUBLIC'] },
      entryTypes: entryTypes(),
    },
  };
}

export function entryTypesResponse(f: BeaconFacts) {
  return { meta: informationalMeta(f), response: { entryTypes: entryTypes() } };
}

function entryTypes() {
  return {
    genomicVariant: {
      id: 'genomicVariant',
      name: 'Genomic variant with allele counts per population',
      ontologyTermForThisType: { id: 'ENSGLOSSARY:0000092', label: 'Variant' },
      partOfSpecification: 'Beacon v2.0.0',
      defaultSchema: { id: 'ga4gh-beacon-variant-v2.0.0', name: 'Default schema for a genomic variation', referenceToSchemaDefinition: GV_DEFAULT_SCHEMA, schemaVersion: 'v2.0.0' },
      // Asked for by requestedSchemas (docs/api.md "VA-Spec CAF"): the same counts as VA-Spec cohort allele frequencies.
      additionallySupportedSchemas: [
        { id: CAF_SCHEMA_ID, name: 'GA4GH VA-Spec CohortAlleleFrequencyStudyResult (VRS 2.0 alleles)', referenceToSchemaDefinition: CAF_SCHEMA_ID, schemaVersion: 'va-spec 1.x' },
      ],
      nonFilteredQueriesAllowed: true,
    },
    // The dataset catalogue (/api/datasets; docs/api.md "Dataset catalogue").
    dataset: {
      id: 'dataset',
      name: 'Dataset: cohort, individuals per population and sex, conditions of use',
      ontologyTermForThisType: { id: 'NCIT:C47824', label: 'Data Set' },
      partOfSpecification: 'Beacon v2.0.0',
      defaultSchema: { id: 'beacon-dataset-v2.0.0', name: 'Default schema for datasets', referenceToSchemaDefinition: DATASET_DEFAULT_SCHEMA, schemaVersion: 'v2.0.0' },
      nonFilteredQueriesAllowed: true,
    },
  };
}

/** `/api/map`: absolute URLs; `singleEntryUrl` takes a returned variantInternalId. */
export function mapResponse(f: BeaconFacts, baseUrl: string) {
  return {
    meta: informationalMeta(f),
    response: {
      $schema: 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/framework/json/configuration/beaconMapSchema.json',
      endpointSets: {
        genomicVariant: {
          entryType: 'genomicVariant',
          rootUrl: `${baseUrl}/g_variants`,
          singleEntryUrl: `${baseUrl}/g_variants/{variantInternalId}`,
          endpoints: {},
        },
        dataset: {
          entryType: 'dataset',
          rootUrl: `${baseUrl}/datasets`,
          singleEntryUrl: `${baseUrl}/datasets/{id}`,
          endpoints: {},
        },
      },
    },
  };
}

export function filteringTermsResponse(f: BeaconFacts) {
  return { meta: informationalMeta(f), response: { filteringTerms: [], resources: [] } };
}

function datasetSummary(x: DatasetInfo) {
  return {
    id: x.id,
    name: x.name,
    assemblyId: x.assembly,
    mode: x.mode,
    variantCount: x.variantCount,
    version: x.version,
    contigs: x.contigs,
    populations: x.groups.map((g) => ({ population: g.code, populationLabel: g.label, ...(g.canonical ? { populationCanonical: g.canonical } : {}), counts: g.kinds })),
  };
}

function assembliesOf(d: LookupDescription): string[] {
  return [...new Set(d.datasets.map((x) => x.assembly))].sort();
}

function latest(ds: DatasetInfo[]): string | undefined {
  const t = ds.map((x) => x.createdAt).filter(Boolean).sort();
  return t[t.length - 1];
}
