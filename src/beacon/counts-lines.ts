import { countProblems, type CountKind, type GroupCounts } from '../domain/counts';
import { resolveContig, type Contig } from '../domain/contigs';
import { isAlleleBases, trimAlleles } from '../domain/alleles';
import { parseVrsAlleleId } from '../domain/vrs';
import type { Assembly } from '../domain/assemblies';
import type { DatasetFrequencies, DatasetRef, PopulationCounts, VariantRecord } from '../domain/lookup';
import { sameIds } from '../domain/pooling';
import { COUNTS_PROTOCOL } from './counts-protocol';
import { ImpossibleCountsError, MAX_PLAUSIBLE_ALLELE_NUMBER, WireFormatError } from './record';

/**
 * The lines of an afb-counts/1 answer (docs/network-operators.md has the grammar), both ways:
 * `CountsWriter` turns domain records into lines, `CountsReader` reads them back into domain
 * records, as strictly as beacon/record.ts reads Beacon records (the domain's countProblems,
 * plausible magnitudes, declared datasets and groups only, order, the end line). A round trip is
 * the identity on everything a broker uses (test/unit/beacon/counts-lines.test.ts).
 *
 *   {"protocol":"afb-counts/1","op":"alleles"|"scan","granularity":"record"|"count","total":N}
 *   ["D", i, datasetId, source, version|null, origin|null, minCount, contributors|null, missing|null, absent]
 *   ["G", i, code, label, canonical|null]
 *   ["V", q, contig, start0, ref, alt, [rsids], [d, g, ac, an, hom, het, hemi, af, withheld, g, ...], ..., {"nc":[d, ...]}]
 *   ["K", contig, start0, ref, alt]                 (keys mode: trimmed keys only)
 *   ["E", n]                                          (n: the V or K lines sent)
 *
 * `q` is the index of the query a V line answers (alleles) or its place in the stream (scan);
 * counts are null when unknown; `withheld` is a bit mask over COUNT_KINDS (ac 1, an 2, nhomalt 4,
 * nhet 8, nhemi 16, af 32) of kinds disclosure control withheld. `absent` (1) marks an entry of a
 * dataset that covered the position and does not hold the variant (domain/coverage: AC 0 of its
 * AN); the optional last `{"nc":[...],"vrs":"ga4gh:VA..."}` names the datasets that did not cover it
 * (notCovered) and gives an indel's VRS 2.0 id as the node stored it.
 */

/** Numbers per population in a V line's entry: g, ac, an, nhomalt, nhet, nhemi, af, withheld. */
const STRIDE = 8;
const KINDS: readonly CountKind[] = ['ac', 'an', 'nhomalt', 'nhet', 'nhemi', 'af'];

export interface CountsHeader {
  protocol: typeof COUNTS_PROTOCOL;
  op: 'alleles' | 'scan';
  granularity: 'record' | 'count' | 'boolean';
  /** Scan: every match (not only those streamed). */
  total?: number;
  /** Scan through a broker: `total` is only a lower bound. */
  lowerBound?: boolean;
  /** Alleles asked `pooled` (COUNTS_POOLED): a variant with a pooled entry is sent with it alone. */
  pooled?: boolean;
}

/**
 * What a writer has declared: one answer's, or on an afb-counts/1 stream every answer's so far (each
 * answer declares only what no earlier answer on the stream did).
 */
export class WrittenDeclarations {
  readonly datasets = new Map<string, number>();
  /** Group indexes by code, then label and canonical (a lookup per population, without building a key string). */
  readonly groups = new Map<string, { label: string; canonical?: string; g: number }[]>();
  groupCount = 0;
  /**
   * The last entry declared or matched per dataset id, its origin and declaration (CountsWriter
   * sameAsLast): kept with the declarations, so on a stream later answers find them without
   * making the declaration's key again.
   */
  readonly last = new Map<string, { source: string; version?: string; origin?: string; minCount: number; absent: boolean; pooled?: { contributors: string[]; missing: string[] }; d: number }>();

  get size(): number {
    return this.datasets.size + this.groupCount;
  }
}

/** Writes one answer's lines; declares each dataset entry and group the first time it is used. */
export class CountsWriter {
  private n = 0;

  /**
   * `originOf`: the origin a node stamps on its entries (render.ts wireOf does the same for Beacon
   * records); `declared`: what earlier answers on the same stream declared.
   */
  constructor(
    private readonly originOf: (f: DatasetFrequencies) => string | undefined = (f) => f.origin,
    private readonly declared = new WrittenDeclarations(),
  ) {}

  header(h: Omit<CountsHeader, 'protocol'>): string {
    return JSON.stringify({ protocol: COUNTS_PROTOCOL, ...h }) + '\n';
  }

  /**
   * A variant's lines (declarations first). `pooled`: only its pooled entry where it has one (none
   * when that pooled nothing: the variant is then sent only if some dataset did not cover it).
   */
  variant(q: number, r: VariantRecord, pooled = false): string {
    let out = '';
    const line: unknown[] = ['V', q, r.contig, r.display.start0, r.display.ref, r.display.alt, r.rsids];
    let entries = r.frequencies;
    if (pooled && entries.some((f) => f.pooled)) entries = entries.filter((f) => f.pooled && f.populations.length > 0);
    for (const f of entries) {
      const origin = this.originOf(f);
      let d = this.sameAsLast(f, origin);
      if (d === undefined) {
        // Keyed by a plain string (no JSON of the lists per entry: a 10,000-variant batch has tens of thousands of entries).
        const dk = f.pooled
          ? `P\u0000${f.datasetId}\u0000${f.source}\u0000${f.minCount ?? 0}\u0000${f.pooled.contributors.join('\u0001')}\u0000${f.pooled.missing.join('\u0001')}`
          : `${f.datasetId}\u0000${f.source}\u0000${f.version ?? '\u0002'}\u0000${origin ?? '\u0002'}\u0000${f.minCount ?? 0}\u0000${f.absent ? 1 : 0}`;
        d = this.declared.datasets.get(dk);
        if (d === undefined) {
          this.declared.datasets.set(dk, (d = this.declared.datasets.size));
          out += JSON.stringify(['D', d, f.datasetId, f.source, f.version ?? null, origin ?? null, f.minCount ?? 0, f.pooled?.contributors ?? null, f.pooled?.missing ?? null, f.absent ? 1 : 0]) + '\n';
        }
        this.declared.last.set(f.datasetId, { source: f.source, version: f.version, origin, minCount: f.minCount ?? 0, absent: f.absent === true, pooled: f.pooled && { contributors: [...f.pooled.contributors], missing: [...f.pooled.missing] }, d });
      }
      // Made at its size (an array grown by push is copied as it grows; a batch writes hundreds of thousands).
      const entry: (number | null)[] = new Array(1 + STRIDE * f.populations.length);
      entry[0] = d;
      let at = 1;
      for (const p of f.populations) {
        let list = this.declared.groups.get(p.code);
        if (!list) this.declared.groups.set(p.code, (list = []));
        let found: { label: string; canonical?: string; g: number } | undefined;
        for (let i = 0; i < list.length && !found; i++) if (list[i]!.label === p.label && list[i]!.canonical === p.canonical) found = list[i];
        if (!found) {
          list.push((found = { label: p.label, canonical: p.canonical, g: this.declared.groupCount++ }));
          out += JSON.stringify(['G', found.g, p.code, p.label, p.canonical ?? null]) + '\n';
        }
        const c = p.counts;
        let mask = 0;
        if (p.withheld) for (const k of p.withheld) mask |= 1 << KINDS.indexOf(k);
        entry[at] = found.g;
        entry[at + 1] = c.ac ?? null;
        entry[at + 2] = c.an ?? null;
        entry[at + 3] = c.nhomalt ?? null;
        entry[at + 4] = c.nhet ?? null;
        entry[at + 5] = c.nhemi ?? null;
        entry[at + 6] = c.af ?? null;
        entry[at + 7] = mask;
        at += STRIDE;
      }
      line.push(entry);
    }
    // The trailing object: datasets not covering the position, and an indel's VRS id (a substitution's is computed by the reader's side).
    const tail: { nc?: number[]; vrs?: string } = {};
    if (r.vrsId && (r.trimmed.ref === '' || r.trimmed.alt === '')) tail.vrs = r.vrsId;
    if (r.notCovered && r.notCovered.length > 0) {
      const nc: number[] = [];
      for (const ref of r.notCovered) {
        const origin = this.originOf({ ...ref, filters: [], populations: [] }) ?? ref.origin;
        const dk = `N\u0000${ref.datasetId}\u0000${ref.source}\u0000${origin ?? '\u0002'}`;
        let d = this.declared.datasets.get(dk);
        if (d === undefined) {
          this.declared.datasets.set(dk, (d = this.declared.datasets.size));
          out += JSON.stringify(['D', d, ref.datasetId, ref.source, null, origin ?? null, 0, null, null, 0]) + '\n';
        }
        nc.push(d);
      }
      tail.nc = nc;
    }
    if (tail.nc || tail.vrs) line.push(tail);
    if (entries.length === 0 && !tail.nc) return out;
    this.n++;
    return out + JSON.stringify(line) + '\n';
  }

  /**
   * The declaration of an entry whose declared fields equal those of the last entry of its
   * dataset id (source, version, origin, counts rule, absent, the pooled lists), if they do: most
   * entries of an answer repeat a few declarations, and comparing is cheaper than making and
   * hashing the key string (a pooled entry's key holds every contributor's id).
   */
  private sameAsLast(f: DatasetFrequencies, origin: string | undefined): number | undefined {
    const last = this.declared.last.get(f.datasetId);
    if (!last) return undefined;
    if (last.source !== f.source || last.version !== f.version || last.origin !== origin || last.minCount !== (f.minCount ?? 0) || last.absent !== (f.absent === true)) return undefined;
    if (!f.pooled || !last.pooled) return f.pooled || last.pooled ? undefined : last.d;
    return sameIds(f.pooled.contributors, last.pooled.contributors) && sameIds(f.pooled.missing, last.pooled.missing) ? last.d : undefined;
  }

  key(r: VariantRecord): string {
    this.n++;
    return JSON.stringify(['K', r.contig, r.trimmed.start0, r.trimmed.ref, r.trimmed.alt]) + '\n';
  }

  end(): string {
    return JSON.stringify(['E', this.n]) + '\n';
  }
}

/** Contig names already found canonical (resolveContig is a chain of tests; a batch names a handful of contigs). */
const CANONICAL = new Set<string>();

/**
 * Could these counts break a rule of countProblems (which then says which)? Integers are checked
 * when read; this tests the relations: AC <= AN, 2 x nhomalt <= AC, AF in [0, 1].
 */
function suspicious(c: GroupCounts): boolean {
  if (c.ac !== undefined && c.an !== undefined && c.ac > c.an) return true;
  if (c.ac !== undefined && c.nhomalt !== undefined && 2 * c.nhomalt > c.ac) return true;
  return c.af !== undefined && !(c.af >= 0 && c.af <= 1);
}

/** One variant read back, with the index of its line's `q`. */
export interface CountsVariant {
  q: number;
  record: VariantRecord;
}

/**
 * What a reader has been told: one answer's declarations, or on an afb-counts/1 stream every
 * answer's so far. `line` reads a declaration line that no reader reads (the rest of an answer a
 * caller gave up on), so later answers on the stream still find what it declared.
 */
export class ReadDeclarations {
  readonly datasets: Declared[] = [];
  readonly groups: { code: string; label: string; canonical?: string }[] = [];
  private lastHeader?: { text: string; value: unknown };

  /** A header line parsed (the last one remembered: on a stream they repeat). Throws when it is not JSON. */
  headerOf(text: string): unknown {
    if (this.lastHeader?.text !== text) this.lastHeader = { text, value: JSON.parse(text) };
    return this.lastHeader.value;
  }

  /** `bad` throws, naming the line. */
  dataset(v: unknown[], bad: (why: string) => never): void {
    if (v[1] !== this.datasets.length) bad(`dataset declared as ${JSON.stringify(v[1])}, expected ${this.datasets.length}`);
    const [, , id, source, version, origin, minCount, contributors, missing, absent] = v;
    if (absent !== 0 && absent !== 1) bad('dataset absent flag is not 0 or 1');
    if (typeof id !== 'string' || id === '' || typeof source !== 'string') bad('a dataset without id or source');
    if (version !== null && typeof version !== 'string') bad('dataset version is not a string');
    if (origin !== null && typeof origin !== 'string') bad('dataset origin is not a string');
    if (!Number.isSafeInteger(minCount) || (minCount as number) < 0) bad('dataset minCount is not a count');
    const d: Declared = { datasetId: id as string, source: source as string };
    if (typeof version === 'string') d.version = version;
    if (typeof origin === 'string' && origin !== '') d.origin = origin;
    if ((minCount as number) > 1) d.minCount = minCount as number;
    if (contributors !== null || missing !== null) d.pooled = { contributors: strings(contributors, 'contributors', bad), missing: strings(missing, 'missing', bad) };
    if (absent === 1) d.absent = true;
    this.datasets.push(d);
  }

  group(v: unknown[], bad: (why: string) => never): void {
    if (v[1] !== this.groups.length) bad(`group declared as ${JSON.stringify(v[1])}, expected ${this.groups.length}`);
    const [, , code, label, canonical] = v;
    if (typeof code !== 'string' || code === '' || typeof label !== 'string') bad('a group without code or label');
    if (canonical !== null && typeof canonical !== 'string') bad('group canonical is not a string');
    this.groups.push({ code: code as string, label: label as string, ...(typeof canonical === 'string' ? { canonical } : {}) });
  }

  /** A D or G line read on its own (true), or any other line (false, not read). */
  line(text: string): boolean {
    const d = text.startsWith('["D",');
    if (!d && !text.startsWith('["G",')) return false;
    const bad = (why: string): never => {
      throw new WireFormatError(`${COUNTS_PROTOCOL}: ${why}`);
    };
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      bad('a declaration line is not JSON');
    }
    if (!Array.isArray(v)) bad('a declaration line is not an array');
    if (d) this.dataset(v as unknown[], bad);
    else this.group(v as unknown[], bad);
    return true;
  }
}

function strings(x: unknown, field: string, bad: (why: string) => never): string[] {
  if (x === null || x === undefined) return [];
  if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) bad(`${field} is not a list of strings`);
  return x as string[];
}

interface Declared {
  datasetId: string;
  source: string;
  version?: string;
  origin?: string;
  minCount?: number;
  pooled?: { contributors: string[]; missing: string[] };
  absent?: true;
}

/**
 * Reads an afb-counts/1 answer line by line, as it arrives. Anything it cannot trust throws
 * WireFormatError (an impossible count ImpossibleCountsError) naming the line: a line before the
 * header, an unknown line kind, a dataset or group used before it is declared, a count that breaks
 * the domain's rules or is implausible, bases or a contig that are not, a V line out of order (or,
 * for alleles, answering no query asked), anything after the end line; and `finish()` throws when
 * the end line never came (a cut stream) or counts otherwise.
 */
export class CountsReader {
  header?: CountsHeader;
  readonly variants: CountsVariant[] = [];
  readonly keys: { contig: Contig; start0: number; ref: string; alt: string }[] = [];
  private lastQ = -1;
  private ended = false;
  private lineNo = 0;
  private readonly badLine = (why: string): never => this.bad(why);

  /** `queries`: how many an alleles request asked (a V line's q must be below it); `declared`: what earlier answers on the same stream declared. */
  constructor(
    private readonly assembly: Assembly,
    private readonly expect: { op: 'alleles' | 'scan'; queries?: number; pooled?: boolean },
    private readonly declared = new ReadDeclarations(),
  ) {}

  line(text: string): void {
    this.lineNo++;
    if (text === '') return;
    if (this.ended) this.bad('a line after the end line');
    let v: unknown;
    try {
      // On a stream every answer's header is the same line: parsed once (each reader still checks it).
      v = this.header ? JSON.parse(text) : this.declared.headerOf(text);
    } catch {
      this.bad('not JSON');
    }
    if (!this.header) return this.readHeader(v);
    if (!Array.isArray(v)) this.bad('not a line array');
    switch (v[0]) {
      case 'V':
        return this.readVariant(v);
      case 'K':
        return this.readKey(v);
      case 'D':
        return this.declared.dataset(v, this.badLine);
      case 'G':
        return this.declared.group(v, this.badLine);
      case 'E':
        if (v[1] !== this.variants.length + this.keys.length) this.bad(`the end line counts ${JSON.stringify(v[1])} lines; ${this.variants.length + this.keys.length} came`);
        this.ended = true;
        return;
      default:
        this.bad(`unknown line kind ${JSON.stringify(v[0])}`);
    }
  }

  /** The whole answer has come: throws when it was cut short. */
  finish(): void {
    if (!this.header) throw new WireFormatError(`${COUNTS_PROTOCOL}: empty answer`);
    if (!this.ended) throw new WireFormatError(`${COUNTS_PROTOCOL}: truncated answer (no end line after ${this.lineNo} lines)`);
  }

  private readHeader(v: unknown): void {
    const h = v as Partial<CountsHeader> | undefined;
    if (!h || typeof h !== 'object' || Array.isArray(h)) this.bad('the first line is not a header object');
    if (h.protocol !== COUNTS_PROTOCOL) this.bad(`protocol ${JSON.stringify(h.protocol)} is not ${COUNTS_PROTOCOL}`);
    if (h.op !== this.expect.op) this.bad(`op ${JSON.stringify(h.op)}, asked ${this.expect.op}`);
    if (h.granularity !== 'record' && h.granularity !== 'count' && h.granularity !== 'boolean') this.bad('granularity is not record, count or boolean');
    if (h.total !== undefined && (!Number.isSafeInteger(h.total) || h.total < 0)) this.bad(`total ${JSON.stringify(h.total)} is not a count`);
    if (this.expect.op === 'scan' && h.total === undefined) this.bad('a scan answer without a total');
    if (h.pooled !== undefined && h.pooled !== true) this.bad('pooled is not true');
    if ((h.pooled === true) !== (this.expect.pooled === true)) this.bad(this.expect.pooled ? 'pooled entries asked, the answer does not say it holds them' : 'a pooled answer, not asked');
    this.header = h as CountsHeader;
  }

  private readKey(v: unknown[]): void {
    if (this.variants.length > 0) this.bad('keys and variants in one answer');
    const contig = this.contig(v[1]);
    const start0 = v[2];
    if (!Number.isSafeInteger(start0) || (start0 as number) < 0) this.bad('a key start is not a 0-based position');
    const ref = this.bases(v[3]);
    const alt = this.bases(v[4]);
    const t = trimAlleles(start0 as number, ref, alt);
    if (t.start0 !== start0 || t.ref !== ref || t.alt !== alt) this.bad('a key is not in trimmed form');
    this.keys.push({ contig, start0: t.start0, ref: t.ref, alt: t.alt });
  }

  private readVariant(v: unknown[]): void {
    if (this.keys.length > 0) this.bad('keys and variants in one answer');
    const q = v[1];
    if (!Number.isSafeInteger(q) || (q as number) <= this.lastQ) this.bad(`variant index ${JSON.stringify(q)} is not after ${this.lastQ}`);
    if (this.expect.queries !== undefined && (q as number) >= this.expect.queries) this.bad(`variant index ${q as number} answers no query (${this.expect.queries} asked)`);
    this.lastQ = q as number;
    const contig = this.contig(v[2]);
    const start0 = v[3];
    if (!Number.isSafeInteger(start0) || (start0 as number) < 0) this.bad('a variant start is not a 0-based position');
    const ref = this.bases(v[4]);
    const alt = this.bases(v[5]);
    const rsids = strings(v[6], 'rsids', this.badLine);
    const frequencies: DatasetFrequencies[] = [];
    let notCovered: DatasetRef[] | undefined;
    let vrsId: string | undefined;
    for (let i = 7; i < v.length; i++) {
      const x = v[i] as { nc?: unknown; vrs?: unknown } | unknown[];
      if (Array.isArray(x)) frequencies.push(this.entry(x));
      else if (i === v.length - 1 && x && typeof x === 'object') {
        if (x.nc !== undefined) {
          if (!Array.isArray(x.nc) || x.nc.length === 0) this.bad('nc is not a list of declared datasets');
          notCovered = x.nc.map((d) => this.ref(d));
        }
        if (x.vrs !== undefined) {
          if (typeof x.vrs !== 'string' || !parseVrsAlleleId(x.vrs)) this.bad(`vrs ${JSON.stringify(x.vrs)} is not a ga4gh:VA id`);
          vrsId = x.vrs;
        }
      } else this.bad('a variant element is neither a dataset entry nor a final {"nc":[...],"vrs":...}');
    }
    if (frequencies.length === 0 && !notCovered) this.bad('a variant without a dataset entry');
    const record: VariantRecord = { assembly: this.assembly, contig, trimmed: trimAlleles(start0 as number, ref, alt), display: { start0: start0 as number, ref, alt }, rsids, frequencies };
    if (notCovered) record.notCovered = notCovered;
    if (vrsId && (record.trimmed.ref === '' || record.trimmed.alt === '')) record.vrsId = vrsId;
    this.variants.push({ q: q as number, record });
  }

  private entry(raw: unknown): DatasetFrequencies {
    if (!Array.isArray(raw) || raw.length < 1 + STRIDE || (raw.length - 1) % STRIDE !== 0) this.bad('a dataset entry is not [d, populations...]');
    const d = this.declared.datasets[raw[0] as number];
    if (!Number.isInteger(raw[0]) || !d) this.bad(`dataset ${JSON.stringify(raw[0])} was not declared`);
    // Made at its size (an array grown by push reserves 17 places).
    const populations: PopulationCounts[] = new Array((raw.length - 1) / STRIDE);
    for (let i = 1, at = 0; i < raw.length; i += STRIDE, at++) {
      const g = this.declared.groups[raw[i] as number];
      if (!Number.isInteger(raw[i]) || !g) this.bad(`group ${JSON.stringify(raw[i])} was not declared`);
      for (let k = 0; k < 5; k++) {
        const x = raw[i + 1 + k];
        if (x === null) continue;
        if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) this.bad(`population ${g.code}: ${KINDS[k]} ${JSON.stringify(x)} is not a count`);
        if (x > MAX_PLAUSIBLE_ALLELE_NUMBER) this.bad(`population ${g.code}: ${KINDS[k]} ${x} is implausible (more than ${MAX_PLAUSIBLE_ALLELE_NUMBER})`);
      }
      const af = raw[i + 6];
      if (af !== null && (typeof af !== 'number' || !Number.isFinite(af))) this.bad(`population ${g.code}: af ${JSON.stringify(af)} is not a number`);
      // Named stores in one order (the same shape for every population; a computed key per kind is a slower store).
      const counts: GroupCounts = {};
      if (raw[i + 1] !== null) counts.ac = raw[i + 1] as number;
      if (raw[i + 2] !== null) counts.an = raw[i + 2] as number;
      if (raw[i + 3] !== null) counts.nhomalt = raw[i + 3] as number;
      if (raw[i + 4] !== null) counts.nhet = raw[i + 4] as number;
      if (raw[i + 5] !== null) counts.nhemi = raw[i + 5] as number;
      if (af !== null) counts.af = af as number;
      // The domain's rules (countProblems), tested inline first: it builds a list per call, and a batch reads hundreds of thousands of populations.
      if (suspicious(counts)) {
        const problems = countProblems(counts);
        if (problems.length > 0) throw new ImpossibleCountsError(`${COUNTS_PROTOCOL} line ${this.lineNo}: population ${g.code}: ${problems.map((p) => p.message).join('; ')}`);
      }
      const mask = raw[i + 7];
      if (!Number.isInteger(mask) || (mask as number) < 0 || (mask as number) >= 1 << KINDS.length) this.bad(`population ${g.code}: withheld mask ${JSON.stringify(mask)}`);
      const p: PopulationCounts = { code: g.code, label: g.label, counts };
      if (g.canonical !== undefined) p.canonical = g.canonical;
      if (mask !== 0) {
        const withheld = KINDS.filter((_, k) => ((mask as number) & (1 << k)) !== 0);
        if (withheld.some((k) => counts[k] !== undefined)) this.bad(`population ${g.code}: a count both sent and withheld`);
        p.withheld = withheld;
      }
      populations[at] = p;
    }
    const f: DatasetFrequencies = { datasetId: d.datasetId, source: d.source, filters: [], populations };
    if (d.version !== undefined) f.version = d.version;
    if (d.origin !== undefined) f.origin = d.origin;
    if (d.minCount !== undefined) f.minCount = d.minCount;
    if (d.pooled) f.pooled = { contributors: [...d.pooled.contributors], missing: [...d.pooled.missing] };
    if (d.absent) {
      // The same rule as a Beacon record's `absent` (beacon/record.ts): no carrier in an absent entry.
      if (populations.some((p) => (p.counts.ac ?? 0) > 0 || (p.counts.nhomalt ?? 0) > 0 || (p.counts.nhet ?? 0) > 0 || (p.counts.nhemi ?? 0) > 0)) {
        throw new ImpossibleCountsError(`${COUNTS_PROTOCOL} line ${this.lineNo}: dataset ${d.datasetId}: marked absent but carries a non-zero count`);
      }
      f.absent = true;
    }
    return f;
  }

  /** A dataset named in `nc` (not covered): its id, source and origin, nothing else. */
  private ref(x: unknown): DatasetRef {
    const d = this.declared.datasets[x as number];
    if (!Number.isInteger(x) || !d) this.bad(`dataset ${JSON.stringify(x)} was not declared`);
    return { datasetId: d.datasetId, source: d.source, ...(d.origin !== undefined ? { origin: d.origin } : {}) };
  }

  private contig(x: unknown): Contig {
    if (typeof x === 'string' && CANONICAL.has(x)) return x;
    const c = typeof x === 'string' ? resolveContig(x) : undefined;
    if (!c || c.contig === '' || c.contig !== x) this.bad(`contig ${JSON.stringify(x)} is not a canonical contig name`);
    if (CANONICAL.size < 1000) CANONICAL.add(c.contig);
    return c.contig;
  }

  private bases(x: unknown): string {
    if (typeof x !== 'string' || !isAlleleBases(x) || x !== x.toUpperCase()) this.bad(`bases ${JSON.stringify(x)} are not A C G T N`);
    return x;
  }

  private bad(why: string): never {
    throw new WireFormatError(`${COUNTS_PROTOCOL} line ${this.lineNo}: ${why}`);
  }
}
