import type { WireRecord } from './record';

/** Columns of every TSV afb writes (docs/api.md): one row per variant x source x population. */
export const TSV_COLUMNS = [
  'query',
  'variantId',
  'assemblyId',
  'source',
  'datasetId',
  'population',
  'populationLabel',
  'alleleCount',
  'alleleNumber',
  'alleleFrequency',
  'homozygous',
  'heterozygous',
  'hemizygous',
] as const;

export function tsvHeader(): string {
  return TSV_COLUMNS.join('\t') + '\n';
}

/** Rows for one record; `query` is what the batch asked (empty outside batch). A miss gives one row with only the query. */
export function tsvRows(query: string, r: WireRecord | undefined): string {
  if (!r) return `${clean(query)}${'\t'.repeat(TSV_COLUMNS.length - 1)}\n`;
  let out = '';
  for (const f of r.frequencyInPopulations) {
    for (const p of f.frequencies) {
      out += [
        query,
        r.variantId,
        r.assemblyId,
        f.source,
        f.datasetId,
        p.population,
        p.populationLabel,
        p.alleleCount,
        p.alleleNumber,
        p.alleleNumber === 0 ? '' : p.alleleFrequency,
        p.alleleCountHomozygous,
        p.alleleCountHeterozygous,
        p.alleleCountHemizygous,
      ].map(clean).join('\t') + '\n';
    }
  }
  return out;
}

// Tabs and newlines inside a value would shift columns; labels come from VCF headers.
function clean(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).replace(/[\t\r\n]+/g, ' ');
}
