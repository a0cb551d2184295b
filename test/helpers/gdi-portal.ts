/**
 * The GDI user portal's allele-frequency search, as its code does it, for tests that replay it
 * against afb. Read from GenomicDataInfrastructure/gdi-userportal-dataset-discovery-service
 * b2904a6 (`BeaconGVariantsRequestMapper.java`, `GVariantsRepository.java`, `gvariants.yaml`) and
 * gdi-userportal-frontend f6f1b3c (`src/app/allele-frequency/page.tsx`, `src/utils/GVariantsTableUtils.ts`).
 */

/** What the frontend sends the discovery service (page.tsx): 1-based input turned 0-based. */
export interface PortalSearch {
  /** `chr-pos-ref-alt` or `chr-pos` as the user types it. */
  input: string;
  assemblyId: 'GRCh37' | 'GRCh38';
  sex?: string;
  countryOfBirth?: string;
}

/** The Beacon request body the discovery service POSTs to `<base>/v2.0.0/g_variants`. */
export function ddsRequestBody(s: PortalSearch): unknown {
  const [referenceName, start, referenceBases, alternateBases] = s.input.split('-');
  const startNum = parseInt(start!, 10);
  const params: Record<string, unknown> = { referenceName, start: [startNum - 1] };
  // page.tsx: a full variant sends end = null (dropped by addIfNonNull), a position end = [pos].
  if (referenceBases && alternateBases) Object.assign(params, { referenceBases, alternateBases });
  else params.end = [startNum];
  params.assemblyId = s.assemblyId;
  const positionOnly = !referenceBases && !alternateBases;
  return {
    // BeaconRequestMeta: apiVersion default "2.0"; pagination defaults skip 0, limit 1 (the generated model's defaults), 1000 for a position.
    meta: { apiVersion: '2.0' },
    query: {
      filters: [],
      includeResultsetResponses: 'HIT',
      pagination: { skip: 0, limit: positionOnly ? 1000 : 1 },
      requestParameters: params,
      requestedGranularity: 'record',
      testMode: false,
    },
  };
}

/** One row of the discovery service's answer (GVariantsSearchResponse). */
export interface PortalRow {
  beacon?: string;
  datasetId?: string;
  population?: string;
  alleleFrequency?: number;
  alleleCount?: number;
  alleleNumber?: number;
  alleleCountHomozygous?: number;
  alleleCountHeterozygous?: number;
  alleleCountHemizygous?: number;
  referenceName?: string;
  referenceBases?: string;
  alternateBases?: string;
  start?: number;
  end?: number;
}

/** BeaconGVariantsRequestMapper.map(BeaconResponse): one row per result set x record x frequency. */
export function ddsRows(response: any): PortalRow[] {
  const rows: PortalRow[] = [];
  for (const set of response?.response?.resultSets ?? []) {
    for (const result of set.results ?? []) {
      for (const fip of result.frequencyInPopulations ?? []) {
        for (const f of fip.frequencies ?? []) {
          const v = result.variation;
          rows.push({
            beacon: set.beaconId,
            datasetId: set.id,
            population: f.population,
            alleleFrequency: f.alleleFrequency,
            alleleCount: f.alleleCount,
            alleleNumber: f.alleleNumber,
            alleleCountHomozygous: f.alleleCountHomozygous,
            alleleCountHeterozygous: f.alleleCountHeterozygous,
            alleleCountHemizygous: f.alleleCountHemizygous,
            ...(v ? { referenceBases: v.referenceBases, alternateBases: v.alternateBases, referenceName: extractReferenceName(v.location?.sequence_id), start: v.location?.interval?.start?.value, end: v.location?.interval?.end?.value } : {}),
          });
        }
      }
    }
  }
  return rows;
}

function extractReferenceName(sequenceId: string | undefined): string | undefined {
  if (!sequenceId || !sequenceId.trim()) return undefined;
  const tokens = sequenceId.trim().split(':');
  const strip = (x: string) => (x.trim().toLowerCase().startsWith('chr') ? x.trim().slice(3) : x.trim());
  if (tokens.length >= 2 && tokens[0]!.toUpperCase() === 'HGVSID') return strip(tokens[1]!);
  return strip(tokens.length === 1 ? tokens[0]! : sequenceId.trim());
}

type Sex = 'MALE' | 'FEMALE';
function normSex(v: string | undefined): Sex | undefined {
  const n = v?.trim().toUpperCase();
  return n === 'M' || n === 'MALE' ? 'MALE' : n === 'F' || n === 'FEMALE' ? 'FEMALE' : undefined;
}
function normCountry(v: string | undefined): string | undefined {
  const n = v?.trim().toUpperCase();
  return n && /^[A-Z]{2}$/.test(n) ? n : undefined;
}
function tag(population: string | undefined): { country?: string; sex?: Sex } | undefined {
  if (!population?.trim()) return undefined;
  const t = population.trim().split('_');
  if (t.length === 1) {
    const sex = normSex(t[0]);
    if (sex) return { sex };
    const country = normCountry(t[0]);
    return country ? { country } : undefined;
  }
  if (t.length === 2) {
    const country = normCountry(t[0]);
    const sex = normSex(t[1]);
    if (country && sex) return { country, sex };
  }
  return undefined;
}

type Mode = 'UNSET' | 'ALL' | 'SPECIFIC' | 'INVALID';
function filterOf<T>(value: string | undefined, parse: (v: string) => T | undefined): { mode: Mode; value?: T } {
  const n = value?.trim().toUpperCase();
  if (!n) return { mode: 'UNSET' };
  if (n === 'ALL') return { mode: 'ALL' };
  const v = parse(n);
  return v === undefined ? { mode: 'INVALID' } : { mode: 'SPECIFIC', value: v };
}

/** GVariantsRepository.filterPopulationByCountryOfBirthAndSex / matchesFilters, case by case. */
export function ddsFilter(rows: PortalRow[], s: PortalSearch): PortalRow[] {
  if (!s.countryOfBirth?.trim() && !s.sex?.trim()) return rows;
  const c = filterOf(s.countryOfBirth, normCountry);
  const x = filterOf(s.sex, normSex);
  return rows.filter((r) => {
    if (c.mode === 'UNSET' && x.mode === 'UNSET') return true;
    if (c.mode === 'INVALID' || x.mode === 'INVALID') return false;
    if (c.mode === 'ALL' && x.mode === 'ALL') return true;
    const t = tag(r.population);
    if (!t) return false;
    const hasC = t.country !== undefined;
    const hasS = t.sex !== undefined;
    if (c.mode === 'ALL' && x.mode === 'SPECIFIC') return t.sex === x.value && hasS;
    if (c.mode === 'SPECIFIC' && x.mode === 'ALL') return t.country === c.value && hasC;
    const cOk = (c.mode !== 'UNSET') === hasC && (c.mode !== 'SPECIFIC' || c.value === t.country);
    const sOk = (x.mode !== 'UNSET') === hasS && (x.mode !== 'SPECIFIC' || x.value === t.sex);
    return cOk && sOk;
  });
}

/** Country codes the frontend knows (COUNTRY_OPTIONS): the ones the tests use. */
const COUNTRIES = new Set(['FI', 'EE', 'JP', 'FR', 'LU', 'SE', 'NL', 'ES', 'PT', 'IT', 'DE']);

/** The 1-based label rows are grouped by (buildVariantLabel). */
export function variantLabel(r: PortalRow): string {
  if (!r.referenceName || typeof r.start !== 'number') return 'Matched variant';
  const start = r.start + 1;
  if (r.referenceBases && r.alternateBases) return `${r.referenceName}-${start}-${r.referenceBases}-${r.alternateBases}`;
  if (typeof r.end === 'number' && r.end > start) return `${r.referenceName}-${start}-${r.end}`;
  return `${r.referenceName}-${start}`;
}

/**
 * GVariantsTableUtils: per variant label, per beacon and dataset one total row (a literal `total`,
 * else the first M/F or country row, else the sum of the rows), and the summary ΣAC / ΣAN over them.
 */
export function portalSummary(rows: PortalRow[]): Map<string, { alleleCount: number | null; alleleNumber: number | null; datasets: string[] }> {
  const out = new Map<string, { alleleCount: number | null; alleleNumber: number | null; datasets: string[] }>();
  const byLabel = new Map<string, PortalRow[]>();
  const text = (v: string | undefined) => v?.trim() || 'not available';
  const cmp = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true });
  rows = [...rows].sort((a, b) => cmp(text(a.beacon), text(b.beacon)) || cmp(text(a.datasetId), text(b.datasetId)) || cmp(text(a.population), text(b.population)));
  for (const r of rows) byLabel.set(variantLabel(r), [...(byLabel.get(variantLabel(r)) ?? []), r]);
  for (const [label, group] of byLabel) {
    const datasets = new Map<string, { total?: PortalRow; rows: PortalRow[] }>();
    for (const r of group) {
      const key = `${r.beacon?.trim() || 'not available'} / ${r.datasetId?.trim() || 'not available'}`;
      const d = datasets.get(key) ?? { rows: [] };
      datasets.set(key, d);
      if (r.population?.trim().toLowerCase() === 'total') d.total ??= r;
      else d.rows.push(r);
    }
    const totals: PortalRow[] = [];
    for (const d of datasets.values()) {
      if (!d.total) {
        const i = d.rows.findIndex((v) => {
          const p = v.population?.trim();
          return p === 'm' || p === 'f' || p === 'M' || p === 'F' || (!!p && COUNTRIES.has(p.toUpperCase()));
        });
        if (i !== -1) d.total = d.rows.splice(i, 1)[0];
      }
      const t = d.total ?? aggregate(d.rows);
      if (t) totals.push(t);
    }
    const sum = sumRows(totals);
    out.set(label, { alleleCount: sum.alleleCount ?? null, alleleNumber: sum.alleleNumber ?? null, datasets: [...datasets.keys()] });
  }
  return out;
}

function aggregate(rows: PortalRow[]): PortalRow | undefined {
  if (rows.length === 0) return undefined;
  if (rows.length === 1) return rows[0];
  return { ...rows[0], population: 'total', ...sumRows(rows) };
}

/** ΣAC and ΣAN over the rows that have them (buildSummaryData and aggregateVariants alike); undefined when none has. */
function sumRows(rows: PortalRow[]): { alleleCount?: number; alleleNumber?: number } {
  const out: { alleleCount?: number; alleleNumber?: number } = {};
  for (const v of rows) {
    if (typeof v.alleleCount === 'number') out.alleleCount = (out.alleleCount ?? 0) + v.alleleCount;
    if (typeof v.alleleNumber === 'number') out.alleleNumber = (out.alleleNumber ?? 0) + v.alleleNumber;
  }
  return out;
}
