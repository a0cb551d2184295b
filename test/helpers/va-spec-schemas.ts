/**
 * The VA-Spec CohortAlleleFrequencyStudyResult JSON Schema and everything it references
 * (test/fixtures/va-spec: va-spec 1.x, gks-common 1.x core-im, VRS 2.x; copied unchanged, see the
 * README there), loaded into Ajv offline under their own `$id`s. gks-common 1.x names two abstract
 * classes, Statement and StudyResult, in `DataSet.derivedFrom` without publishing a JSON schema for
 * them; they are registered as `false` (nothing validates as them), which only matters for a
 * `derivedFrom` afb never writes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const ROOT = join(__dirname, '..', 'fixtures', 'va-spec');
export const CAF_ID = 'https://w3id.org/ga4gh/schema/va-spec/1.x/profiles/json/CohortAlleleFrequencyStudyResult';

let validate: ValidateFunction | undefined;

export function cafValidator(): ValidateFunction {
  if (validate) return validate;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // gks-common's IRI uses the `iri-reference` format, which ajv-formats lacks: accepted unchecked (as Ajv would, with a warning).
  ajv.addFormat('iri-reference', true);
  // and `datetime` (sic; JSON Schema's is `date-time`) for dateAuthored, which afb does not write.
  ajv.addFormat('datetime', true);
  for (const dir of ['va-spec', 'gks-common', 'vrs']) {
    for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(join(ROOT, dir, f), 'utf8')));
  }
  for (const abstract of ['Statement', 'StudyResult']) ajv.addSchema(false, `https://w3id.org/ga4gh/schema/gks-common/1.x/core-im/json/${abstract}`);
  validate = ajv.getSchema(CAF_ID)!;
  return validate;
}

export function cafErrors(body: unknown): string[] {
  const v = cafValidator();
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
