/**
 * An anonymous client that collects everything it can about a set of variants from a beacon:
 * every door (GET /g_variants/{id} JSON and TSV, GET and POST sequence queries, one per dataset and
 * for all, range queries paged at record granularity and at count and boolean granularity, batch
 * JSON and TSV), every dataset. Every JSON answer is checked against the Beacon v2 schemas.
 */
import { schemaErrors } from './beacon-schemas';
import { Knowledge } from './disclosure-oracle';

export interface Target {
  id: string;
  contig: string;
  start0: number;
  ref: string;
  alt: string;
  /** The datasets holding it (a sequence query naming another dataset is a 400: its contig is not there). */
  datasets: string[];
}

export interface Range {
  contig: string;
  start0: number;
  end0: number;
  datasets: string[];
}

export interface Haul {
  knowledge: Knowledge;
  requests: number;
  schemaProblems: string[];
  /** Records a count/boolean answer said exist while record answers withheld the whole variant (must be empty). */
  booleanLeaks: string[];
}

export function targetOf(r: any): Target {
  const datasets = [...(r.frequencyInPopulations ?? []), ...(r.frequencyInPopulationsWithheld ?? [])].map((f: any) => f.datasetId as string);
  return { id: r.variantId, contig: r.referenceName, start0: r.variation.location.interval.start.value, ref: r.variation.referenceBases, alt: r.variation.alternateBases, datasets };
}

/** What one client fetched from one beacon, added to `kn` (several beacons' answers join there). */
export async function collect(api: string, targets: Target[], ranges: Range[], kn = new Knowledge()): Promise<Haul> {
  const haul: Haul = { knowledge: kn, requests: 0, schemaProblems: [], booleanLeaks: [] };
  const json = async (url: string, init?: RequestInit, schema: 'resultsets' | 'count' | 'boolean' | 'batch' = 'resultsets'): Promise<any> => {
    haul.requests++;
    const res = await fetch(url, init);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    if (schema !== 'batch') haul.schemaProblems.push(...schemaErrors(schema, body).map((e) => `${url}: ${e}`));
    return body;
  };
  const text = async (url: string, init?: RequestInit): Promise<string> => {
    haul.requests++;
    const res = await fetch(url, init);
    return res.text();
  };
  const records = (body: any): void => {
    for (const set of body?.response?.resultSets ?? []) for (const r of set.results) kn.addRecord(r);
  };
  const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const tsv = { headers: { accept: 'text/tab-separated-values' } };
  for (const t of targets) {
    records(await json(`${api}/g_variants/${t.id}`));
    kn.addTsv(await text(`${api}/g_variants/${t.id}`, tsv));
    for (const ds of [undefined, ...t.datasets]) {
      const params = { referenceName: t.contig, start: String(t.start0), referenceBases: t.ref, alternateBases: t.alt, ...(ds ? { datasetIds: ds } : {}) };
      const qs = new URLSearchParams({ ...params, requestedGranularity: 'record' });
      records(await json(`${api}/g_variants?${qs}`));
      kn.addTsv(await text(`${api}/g_variants?${qs}&format=tsv`));
      const rp = { ...params, start: [t.start0], ...(ds ? { datasetIds: [ds] } : {}) };
      records(await json(`${api}/g_variants`, post({ meta: { apiVersion: 'v2.0' }, query: { requestParameters: rp, requestedGranularity: 'record' } })));
      for (const g of ['count', 'boolean'] as const) {
        const b = await json(`${api}/g_variants?${new URLSearchParams({ ...params, requestedGranularity: g })}`, undefined, g);
        // "exists" for a sequence query says the variant is there: a record answer says so too (checked below).
        if (b.responseSummary.exists && ds && !kn.entries.has(`${t.id}|${kn.rename(ds)}`)) haul.booleanLeaks.push(`${t.id} in ${ds}`);
      }
    }
  }
  for (const ds of [undefined, ...new Set(targets.flatMap((t) => t.datasets))]) {
    const batch = { variants: targets.map((t) => t.id), ...(ds ? { datasetIds: [ds] } : {}) };
    const b = await json(`${api}/batch`, post(batch), 'batch');
    for (const r of b.results) {
      if (!r.record) continue;
      haul.schemaProblems.push(...schemaErrors('variant', r.record).map((e) => `batch ${r.query}: ${e}`));
      kn.addRecord(r.record);
    }
    kn.addTsv(await text(`${api}/batch?format=tsv`, post(batch)));
  }
  for (const r of ranges) {
    for (const ds of [undefined, ...r.datasets]) {
      const base = { referenceName: r.contig, start: String(r.start0), end: String(r.end0), ...(ds ? { datasetIds: ds } : {}) };
      const count = await json(`${api}/g_variants?${new URLSearchParams({ ...base, requestedGranularity: 'count' })}`, undefined, 'count');
      await json(`${api}/g_variants?${new URLSearchParams({ ...base, requestedGranularity: 'boolean' })}`, undefined, 'boolean');
      const total: number = count.responseSummary.numTotalResults;
      for (let skip = 0; skip < total; skip += 500) {
        const qs = new URLSearchParams({ ...base, requestedGranularity: 'record', skip: String(skip), limit: '500' });
        records(await json(`${api}/g_variants?${qs}`));
        kn.addTsv(await text(`${api}/g_variants?${qs}&format=tsv`));
      }
    }
  }
  return haul;
}

/** The true counts: the same targets and ranges from a server without disclosure control. */
export async function truthRecords(api: string, targets: Target[], ranges: Range[]): Promise<any[]> {
  const out: any[] = [];
  const res = await fetch(`${api}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variants: targets.map((t) => t.id) }) });
  for (const r of ((await res.json()) as any).results) if (r.record) out.push(r.record);
  for (const r of ranges) {
    for (let skip = 0; ; skip += 500) {
      const qs = new URLSearchParams({ referenceName: r.contig, start: String(r.start0), end: String(r.end0), requestedGranularity: 'record', skip: String(skip), limit: '500' });
      const body = (await (await fetch(`${api}/g_variants?${qs}`)).json()) as any;
      const got = (body.response?.resultSets ?? []).flatMap((s: any) => s.results);
      out.push(...got);
      if (!body.responseSummary) throw new Error(`${qs}: ${JSON.stringify(body).slice(0, 400)}`);
      if (skip + 500 >= body.responseSummary.numTotalResults) break;
    }
  }
  return out;
}
