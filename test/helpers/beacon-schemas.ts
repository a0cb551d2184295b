/**
 * The official Beacon v2 schemas (test/fixtures/beacon-v2, unmodified) loaded into Ajv offline,
 * as the README there says: every file registered under its raw.githubusercontent.com URL, VRS
 * 1.3 under its w3id URL, the 2020-12 dialect with draft-07 for VRS. This is the oracle every
 * response is checked against; nothing here is ours.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json';

const ROOT = join(__dirname, '..', 'fixtures', 'beacon-v2');
const RAW = 'https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/';

let ajv: Ajv2020 | undefined;

function load(): Ajv2020 {
  if (ajv) return ajv;
  const a = new Ajv2020({ strict: false, allErrors: true });
  addFormats(a);
  a.addMetaSchema(draft7);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : n.endsWith('.json') && n !== 'endpoints.json' ? [p] : [];
    });
  for (const f of [...walk(join(ROOT, 'framework')), ...walk(join(ROOT, 'models'))]) {
    a.addSchema(JSON.parse(readFileSync(f, 'utf8')), RAW + relative(ROOT, f));
  }
  a.addSchema(JSON.parse(readFileSync(join(ROOT, 'external/ga4gh-vrs-1.3/schema/vrs.json'), 'utf8')), 'https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json');
  // datasets/defaultSchema.json refers to ../common/info.json, which upstream has only under
  // framework/json/common/ (a dangling ref at the pinned commit): the framework's file stands in.
  a.addSchema(JSON.parse(readFileSync(join(ROOT, 'framework/json/common/info.json'), 'utf8')), RAW + 'models/json/beacon-v2-default-model/common/info.json');
  ajv = a;
  return a;
}

export const SCHEMAS = {
  info: 'framework/json/responses/beaconInfoResponse.json',
  serviceInfo: 'framework/json/responses/ga4gh-service-info-1-0-0-schema.json',
  configuration: 'framework/json/responses/beaconConfigurationResponse.json',
  map: 'framework/json/responses/beaconMapResponse.json',
  entryTypes: 'framework/json/responses/beaconEntryTypesResponse.json',
  filteringTerms: 'framework/json/responses/beaconFilteringTermsResponse.json',
  collections: 'framework/json/responses/beaconCollectionsResponse.json',
  boolean: 'framework/json/responses/beaconBooleanResponse.json',
  count: 'framework/json/responses/beaconCountResponse.json',
  resultsets: 'framework/json/responses/beaconResultsetsResponse.json',
  error: 'framework/json/responses/beaconErrorResponse.json',
  requestBody: 'framework/json/requests/beaconRequestBody.json',
  variant: 'models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json',
  dataset: 'models/json/beacon-v2-default-model/datasets/defaultSchema.json',
} as const;

export function validator(name: keyof typeof SCHEMAS): ValidateFunction {
  const v = load().getSchema(RAW + SCHEMAS[name]);
  if (!v) throw new Error(`schema ${SCHEMAS[name]} did not compile`);
  return v;
}

/** Problems of `body` against a named schema ([] when valid). */
export function schemaErrors(name: keyof typeof SCHEMAS, body: unknown): string[] {
  const v = validator(name);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * A g_variants answer, checked the way the Beacon verifiers do: an error body against the error
 * schema; otherwise the envelope picked by meta.returnedGranularity, then every record against
 * genomicVariations/defaultSchema.json.
 */
export function responseErrors(body: unknown): string[] {
  const b = body as { error?: unknown; meta?: { returnedGranularity?: string }; response?: { resultSets?: { results?: unknown[] }[] } };
  if (b && b.error !== undefined) return schemaErrors('error', body);
  const g = b?.meta?.returnedGranularity;
  if (g !== 'boolean' && g !== 'count' && g !== 'record') return [`meta.returnedGranularity is '${String(g)}'`];
  const errs = schemaErrors(g === 'record' ? 'resultsets' : g, body);
  if (g === 'record') {
    for (const set of b.response?.resultSets ?? []) for (const r of set.results ?? []) errs.push(...schemaErrors('variant', r));
  }
  return errs;
}
