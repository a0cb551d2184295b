import type { WireFrequencies, WirePopulation, WireRecord, WireWithheldPopulation } from './record';

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
  // The counts of this row withheld by disclosure control (their cells are empty; an empty cell not named here is unknown).
  'withheld',
  // Derived from the row's counts (docs/api.md "Derived values"); empty where the counts do not allow them.
  'faf95',
  'faf99',
  // The XX and XY populations that split this row's population (their own rows follow too).
  'alleleCountXX',
  'alleleNumberXX',
  'alleleCountXY',
  'alleleNumberXY',
  // Of the row's dataset entry, repeated on each of its rows: gnomAD's grpmax population and highest FAF95.
  'grpmax',
  'fafmax95',
] as const;

/** The header line; under a small-cell threshold k > 1, preceded by a comment stating the rule. */
export function tsvHeader(minCount?: number): string {
  const rule = minCount !== undefined && minCount > 1 ? `# counts below k=${minCount} are withheld: their cells are empty and named in the withheld column, with the frequency (docs/api.md "Withheld counts")\n` : '';
  return rule + TSV_COLUMNS.join('\t') + '\n';
}

/** Rows for one record; `query` is what the batch asked (empty outside batch). A miss gives one row with only the query. */
export function tsvRows(query: string, r: WireRecord | undefined): string {
  if (!r) return `${clean(query)}${'\t'.repeat(TSV_COLUMNS.length - 1)}\n`;
  let out = '';
  const row = (f: Pick<WireFrequencies, 'source' | 'datasetId' | 'grpmax' | 'fafmax'>, p: Partial<WirePopulation> & WireWithheldPopulation): string =>
    [
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
      p.countsWithheld.join(','),
      p.faf95,
      p.faf99,
      p.sexSplit?.XX?.alleleCount,
      p.sexSplit?.XX?.alleleNumber,
      p.sexSplit?.XY?.alleleCount,
      p.sexSplit?.XY?.alleleNumber,
      f.grpmax?.population,
      f.fafmax?.faf95,
    ].map(clean).join('\t') + '\n';
  const entries: Partial<WireFrequencies>[] = [...r.frequencyInPopulations, ...(r.frequencyInPopulationsWithheld ?? [])];
  for (const f of entries as WireFrequencies[]) {
    for (const p of f.frequencies ?? []) out += row(f, { ...p, countsWithheld: p.countsWithheld ?? [] });
    for (const p of f.populationsWithheld ?? []) out += row(f, p);
  }
  return out;
}

// Tabs and newlines inside a value would shift columns; labels come from VCF headers.
function clean(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).replace(/[\t\r\n]+/g, ' ');
}
