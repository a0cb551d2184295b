import { trimAlleles } from '../domain/alleles';
import type { AlleleQuery, LookupScope, ScanQuery, VariantKey, VariantRecord } from '../domain/lookup';
import {
  batchRequestBody,
  readBatchResponse,
  readVariantsResponse,
  rsidPath,
  vrsPath,
  scanRequestBody,
  sequenceQueryPath,
  sequenceRequestBody,
  type VariantsAnswer,
  variantIdPath,
} from '../beacon/wire-query';
import { allelesCountsBody, COUNTS_PATH, COUNTS_POOLED, COUNTS_PROTOCOL, COUNTS_STREAM, scanCountsBody } from '../beacon/counts-protocol';
import { CountsReader } from '../beacon/counts-lines';
import type { PeerHttp } from './peer-http';
import { PeerFailure } from './peer-http';
import { answersQuery, asPeerAnswer, byVariant, queryKeys, compareVariants, outsideScan, ownDatasetId, peerDatasetId, relabel, variantKey, type PeerVariant } from './peer-answer';
import type { Peer } from './peers';

/** How one call to a peer is made: the broker's deadline and the hop header to send. */
export interface PeerCallContext {
  signal: AbortSignal;
  /** Broker ids the query has passed through, this broker last (X-Afb-Visited). */
  visited: readonly string[];
  /** Filled by the client: what it had to allow for (dialects, records refused one by one, the method used); shown in the peer's outcome. */
  notes?: string[];
  /** Set by the client when the peer sent records but none was the variant asked: the outcome is `unmatched`, not `miss`. */
  unmatched?: string;
  /** Shared by every peer call of one fan-out (one object, FanOut.run): what all its peers are sent alike, made once. */
  shared?: { allelesBody?: string; pooledBody?: string };
}

/** One peer's answer to a scan: its first variants in key order (records, or keys only) and its total. */
export interface PeerScan {
  variants: PeerVariant[];
  /** The peer's numTotalResults (every match, not only those sent). */
  total: number;
  /** `variants` are keys only (no counts; the records are asked by key afterwards). */
  keysOnly?: boolean;
  /** The peer's total is itself only a lower bound (a broker peer that could not join its peers exactly). */
  lowerBound?: boolean;
  /** The peer sent every match it has (default: as many as its total). */
  complete?: boolean;
}

/**
 * What a scan asks of a peer. An afb peer that speaks afb-counts/1 sends the keys of its first
 * `keys` matches (every one, for an exact distinct total); any other peer sends the records of its
 * first `records` matches (at most MAX_PEER_PAGE). 0 asks for the total only.
 */
export interface ScanWant {
  keys: number;
  records: number;
  /** afb-counts/1 only: keys after this one (the rest of a peer's keys, in a second request). */
  after?: VariantKey;
}

/**
 * What the broker asks a peer, whatever protocol the peer speaks (DESIGN §8). Every answer is
 * read through the wire module and validated; anything untrustworthy throws PeerFailure.
 */
export interface PeerClient {
  readonly peer: Peer;
  /** The variants the peer has among `queries`, by query index (a batch merges by index: no Map of keys per peer). */
  alleles(scope: LookupScope, queries: readonly AlleleQuery[], call: PeerCallContext): Promise<(PeerVariant | undefined)[]>;
  /**
   * The variants among `queries` as the peer pooled them (afb-counts/1 `pooled`), by query index,
   * dataset ids and missing peers named as this broker names them; undefined when the peer does not
   * offer pooled answers (it is then asked `alleles`).
   */
  allelesPooled?(scope: LookupScope, queries: readonly AlleleQuery[], call: PeerCallContext): Promise<(VariantRecord | undefined)[]> | undefined;
  /** The first matches of a scan, keys or records (see ScanWant). */
  scan(scope: LookupScope, query: ScanQuery, want: ScanWant, call: PeerCallContext): Promise<PeerScan>;
  rsid(scope: LookupScope, rsid: number, call: PeerCallContext): Promise<Map<string, PeerVariant>>;
  /** The variant a VRS 2.0 allele id names (its digest), as the peer's VRS index knows it. */
  vrs(scope: LookupScope, digest: string, call: PeerCallContext): Promise<Map<string, PeerVariant>>;
}

/**
 * `protocols`: what the peer announces (its health poll); an afb peer that announces afb-counts/1
 * is asked through it, any other through Beacon v2. Third-party peers are always asked Beacon v2.
 */
export function peerClient(peer: Peer, http: PeerHttp, maxBytes: number, protocols: () => readonly string[] = () => []): PeerClient {
  return peer.kind === 'afb' ? new AfbPeerClient(peer, http, maxBytes, protocols) : new BeaconPeerClient(peer, http, maxBytes);
}

/** Most variants asked on a peer's stream in one request; more go as an HTTP request of their own. */
export const STREAM_MAX_VARIANTS = 16;

/** Largest page a peer is asked for (an afb node's maxLimit default). */
export const MAX_PEER_PAGE = 1000;

/** Scans are the same Beacon v2 POST for both kinds of peer. */
abstract class BasePeerClient implements PeerClient {
  constructor(readonly peer: Peer, protected readonly http: PeerHttp, protected readonly maxBytes: number) {}

  abstract alleles(scope: LookupScope, queries: readonly AlleleQuery[], call: PeerCallContext): Promise<(PeerVariant | undefined)[]>;
  abstract rsid(scope: LookupScope, rsid: number, call: PeerCallContext): Promise<Map<string, PeerVariant>>;
  abstract vrs(scope: LookupScope, digest: string, call: PeerCallContext): Promise<Map<string, PeerVariant>>;

  /** POST /g_variants: at count granularity when no records are wanted (the peer sends only its total). */
  async scan(scope: LookupScope, query: ScanQuery, want: ScanWant, call: PeerCallContext): Promise<PeerScan> {
    const datasets = this.datasetsIn(scope);
    if (datasets === null) return { variants: [], total: 0 };
    const limit = Math.min(want.records, MAX_PEER_PAGE);
    const granularity = limit === 0 ? 'count' : 'record';
    const body = scanRequestBody(scope.assembly, query, limit, granularity, datasets);
    const answer = await this.get('POST', '/g_variants', call, body);
    const read = this.read(answer, scope, call);
    if (granularity === 'count') {
      if (read.total === undefined && read.exists === undefined) throw new PeerFailure('invalid_answer', 'a count answer without numTotalResults or exists');
      return { variants: [], total: read.total ?? (read.exists ? 1 : 0) };
    }
    const variants = [...byVariant(read.records.map((r) => relabel(r, this.peer))).values()];
    for (const v of variants) {
      const why = outsideScan(query, v);
      if (why) throw new PeerFailure('invalid_answer', why);
    }
    // Third-party Beacons need not sort their pages; the k-way merge needs each peer's in key order.
    variants.sort(compareVariants);
    if (variants.length > limit) variants.length = limit;
    // Sent (records refused one by one included) fewer than asked, or all it counts: the peer has no more.
    const sent = read.records.length + read.rejected.length;
    const total = Math.max(read.total ?? variants.length, variants.length);
    return { variants, total, complete: sent < limit || sent >= total };
  }

  /**
   * The peer's own ids of the scope's datasets: undefined when the scope names none (all of them),
   * null when it names none of this peer's (the peer is not asked). afb peers are sent the ids.
   */
  protected datasetsIn(scope: LookupScope): readonly string[] | undefined | null {
    if (!scope.datasetIds) return undefined;
    const own = scope.datasetIds.map((id) => ownDatasetId(this.peer, id)).filter((id): id is string => id !== undefined);
    return own.length > 0 ? own : null;
  }

  protected get(method: 'GET' | 'POST', path: string, call: PeerCallContext, body?: unknown): Promise<unknown> {
    return this.http.json(this.peer, { method, path, body, signal: call.signal, visited: call.visited, maxBytes: this.maxBytes });
  }

  protected readVariants(answer: unknown, scope: LookupScope, call: PeerCallContext): Map<string, PeerVariant> {
    return byVariant(this.read(answer, scope, call).records.map((r) => relabel(r, this.peer)));
  }

  /** Reads strictly; third-party peers override it to refuse impossible records one by one. */
  protected read(answer: unknown, scope: LookupScope, _call: PeerCallContext): VariantsAnswer {
    return asPeerAnswer(() => readVariantsResponse(answer, scope.assembly));
  }
}

/**
 * afb peers (nodes and brokers): a single variant as GET /g_variants/{id}, which a node answers
 * on its fast path (a third of the cost of a batch request there); many as one POST /batch.
 */
export class AfbPeerClient extends BasePeerClient {
  constructor(peer: Peer, http: PeerHttp, maxBytes: number, private readonly protocols: () => readonly string[]) {
    super(peer, http, maxBytes);
  }

  /** Does the peer speak afb-counts/1 (it said so in its last health poll)? */
  private get compact(): boolean {
    return this.protocols().includes(COUNTS_PROTOCOL);
  }

  allelesPooled(scope: LookupScope, queries: readonly AlleleQuery[], call: PeerCallContext): Promise<(VariantRecord | undefined)[]> | undefined {
    if (!this.protocols().includes(COUNTS_POOLED)) return undefined;
    return this.pooledAnswer(scope, queries, call);
  }

  private async pooledAnswer(scope: LookupScope, queries: readonly AlleleQuery[], call: PeerCallContext): Promise<(VariantRecord | undefined)[]> {
    const out: (VariantRecord | undefined)[] = new Array(queries.length).fill(undefined);
    const datasets = this.datasetsIn(scope);
    if (datasets === null) return out;
    const reader = await this.counts(scope, allelesBodyText(scope, queries, datasets, true, call), { op: 'alleles', queries: queries.length, pooled: true }, call);
    const peer = this.peer;
    for (const { q, record } of reader.variants) {
      if (!answersQuery(record, queries[q]!)) throw new PeerFailure('invalid_answer', `${COUNTS_PROTOCOL} variant ${q}: asked for ${queryKeys(queries)[q]}, answered ${variantKey(record.contig, record.trimmed)}`);
      // Named as relabel names a peer's datasets and missing peers (so a summary reads the same as through the per-node entries).
      for (const f of record.frequencies) {
        if (f.pooled) f.pooled = { contributors: f.pooled.contributors.map((d) => peerDatasetId(peer, d)), missing: f.pooled.missing.map((m) => `${peer.id}/${m}`) };
        else {
          f.origin ??= `${peer.url}#${f.datasetId}`;
          f.source = f.datasetId.includes(':') ? `${peer.id}/${f.source}` : `${peer.id}: ${f.source}`;
          f.datasetId = peerDatasetId(peer, f.datasetId);
        }
      }
      out[q] = record;
    }
    return out;
  }

  /** A gene the peer cannot resolve (no gene table, or not in it) is not a failure of the peer: it is skipped and named. */
  async scan(scope: LookupScope, query: ScanQuery, want: ScanWant, call: PeerCallContext): Promise<PeerScan> {
    try {
      return await (this.compact ? this.compactScan(scope, query, want, call) : super.scan(scope, query, want, call));
    } catch (e) {
      if (query.kind === 'gene' && e instanceof PeerFailure && e.httpStatus === 400 && e.message.includes('UNKNOWN_GENE')) {
        throw new PeerFailure('skipped_unsupported', `gene ${query.geneId}: ${e.message.replace(/^HTTP 400: /, '')}`);
      }
      throw e;
    }
  }

  async alleles(scope: LookupScope, queries: readonly AlleleQuery[], call: PeerCallContext): Promise<(PeerVariant | undefined)[]> {
    const out: (PeerVariant | undefined)[] = new Array(queries.length).fill(undefined);
    const datasets = this.datasetsIn(scope);
    if (datasets === null) return out;
    const keys = queryKeys(queries);
    if (this.compact) {
      const reader = await this.counts(scope, allelesBodyText(scope, queries, datasets, false, call), { op: 'alleles', queries: queries.length }, call);
      for (const { q, record } of reader.variants) {
        if (!answersQuery(record, queries[q]!)) throw new PeerFailure('invalid_answer', `${COUNTS_PROTOCOL} variant ${q}: asked for ${keys[q]}, answered ${variantKey(record.contig, record.trimmed)}`);
        out[q] = relabel(record, this.peer, keys[q]);
      }
      return out;
    }
    if (queries.length === 1) {
      const q = queries[0]!;
      const found = this.readVariants(await this.get('GET', variantIdPath(scope.assembly, q.contig, trimAlleles(q.start0, q.ref, q.alt), datasets), call), scope, call);
      const other = [...found.keys()].find((k) => k !== keys[0]);
      if (other) throw new PeerFailure('invalid_answer', `asked for ${keys[0]}, answered ${other}`);
      out[0] = found.get(keys[0]!);
      return out;
    }
    const answer = await this.get('POST', '/batch', call, batchRequestBody(scope.assembly, queries, datasets));
    const records = asPeerAnswer(() => readBatchResponse(answer, queries.length, scope.assembly));
    records.forEach((r, i) => {
      if (!r) return;
      const v = relabel(r, this.peer);
      if (v.key !== keys[i]) throw new PeerFailure('invalid_answer', `batch result ${i}: asked for ${keys[i]}, answered ${v.key}`);
      out[i] = v;
    });
    return out;
  }

  async rsid(scope: LookupScope, rsid: number, call: PeerCallContext): Promise<Map<string, PeerVariant>> {
    const datasets = this.datasetsIn(scope);
    if (datasets === null) return new Map();
    return this.readVariants(await this.get('GET', rsidPath(scope.assembly, rsid, datasets), call), scope, call);
  }

  async vrs(scope: LookupScope, digest: string, call: PeerCallContext): Promise<Map<string, PeerVariant>> {
    const datasets = this.datasetsIn(scope);
    if (datasets === null) return new Map();
    return this.readVariants(await this.get('GET', vrsPath(scope.assembly, digest, datasets), call), scope, call);
  }

  /** Through afb-counts/1: the keys of the first `want.keys` matches (streamed, checked in order and in the range). */
  private async compactScan(scope: LookupScope, query: ScanQuery, want: ScanWant, call: PeerCallContext): Promise<PeerScan> {
    const datasets = this.datasetsIn(scope);
    if (datasets === null) return { variants: [], total: 0 };
    const reader = await this.counts(scope, JSON.stringify(scanCountsBody(scope.assembly, query, want.keys, true, datasets, want.after)), { op: 'scan' }, call);
    const h = reader.header!;
    const lowerBound = h.lowerBound === true;
    if (reader.keys.length > want.keys) throw new PeerFailure('invalid_answer', `${COUNTS_PROTOCOL}: ${reader.keys.length} keys sent, ${want.keys} asked`);
    if (!lowerBound && reader.keys.length > h.total!) throw new PeerFailure('invalid_answer', `${COUNTS_PROTOCOL}: ${reader.keys.length} keys sent, more than its total ${h.total}`);
    const variants: PeerVariant[] = [];
    for (const k of reader.keys) {
      const v: PeerVariant = { key: variantKey(k.contig, k), assembly: scope.assembly, contig: k.contig, trimmed: { start0: k.start0, ref: k.ref, alt: k.alt }, display: { start0: k.start0, ref: k.ref, alt: k.alt }, rsids: [], frequencies: [] };
      const why = outsideScan(query, v);
      if (why) throw new PeerFailure('invalid_answer', why);
      const prev = variants[variants.length - 1];
      if (prev && compareVariants(prev, v) >= 0) throw new PeerFailure('invalid_answer', `${COUNTS_PROTOCOL}: key ${v.key} is not after ${prev.key} (keys must come in key order, each once)`);
      variants.push(v);
    }
    return { variants, total: h.total!, keysOnly: true, ...(lowerBound ? { lowerBound } : {}) };
  }

  /**
   * One afb-counts/1 exchange, read line by line as it comes; a cut, malformed or impossible answer
   * is invalid_answer. A few variants go on the peer's long-lived stream where it offers one (a
   * batch or a scan would hold up the lookups queued behind it: those are HTTP requests).
   */
  private async counts(scope: LookupScope, body: string, expect: { op: 'alleles' | 'scan'; queries?: number; pooled?: boolean }, call: PeerCallContext): Promise<CountsReader> {
    const peerCall = { method: 'POST' as const, path: COUNTS_PATH, bodyText: body, signal: call.signal, visited: call.visited, maxBytes: this.maxBytes };
    let reader: CountsReader;
    if (expect.op === 'alleles' && (expect.queries ?? 0) <= STREAM_MAX_VARIANTS && this.protocols().includes(COUNTS_STREAM)) {
      // Read with what earlier answers on the stream declared (a stream asked again is a new reader);
      // streamLines makes one before it resolves.
      let last: CountsReader | undefined;
      await this.http.streamLines(this.peer, peerCall, (declared) => {
        const r = (last = new CountsReader(scope.assembly, expect, declared));
        return (line) => asPeerAnswer(() => r.line(line));
      });
      reader = last!;
    } else {
      const r = (reader = new CountsReader(scope.assembly, expect));
      await this.http.lines(this.peer, peerCall, (line) => asPeerAnswer(() => r.line(line)));
    }
    asPeerAnswer(() => reader.finish());
    return reader;
  }
}

/**
 * An alleles request body as text. Without a dataset filter (which names each peer's own ids) every
 * peer of a fan-out is sent the same, so it is made once per fan-out (`call.shared`), not once per peer.
 */
function allelesBodyText(scope: LookupScope, queries: readonly AlleleQuery[], datasets: readonly string[] | undefined, pooled: boolean, call: PeerCallContext): string {
  const text = () => JSON.stringify(allelesCountsBody(scope.assembly, queries, datasets, pooled));
  if (datasets !== undefined || !call.shared) return text();
  return pooled ? (call.shared.pooledBody ??= text()) : (call.shared.allelesBody ??= text());
}

/** How the notes name the dialects the wire reader met. */
const DIALECTS: Record<string, string> = {
  'populations-for-frequencies': 'frequencyInPopulations[].populations read as frequencies (gdi-mini-node 0.9.1)',
};

/** How many sequence queries a third-party Beacon gets at once. */
const THIRD_PARTY_PARALLEL = 16;

/**
 * Third-party Beacon v2 peers (EGA beacon2-pi-api, gdi-mini-node, …): no batch, so one sequence
 * query per variant, a few at a time; rsIDs are not asked. The query goes as GET, or as POST where
 * the peer is configured so (`method`) or answers GET with 405 (gdi-mini-node serves POST only; the
 * client remembers it). Answers are read leniently: a record with impossible counts is refused
 * alone and named in the outcome's notes; documented dialects are read and noted.
 */
export class BeaconPeerClient extends BasePeerClient {
  private post: boolean;

  constructor(peer: Peer, http: PeerHttp, maxBytes: number) {
    super(peer, http, maxBytes);
    this.post = peer.method === 'POST' || peer.kind === 'gdi-mini-node';
  }

  async alleles(scope: LookupScope, queries: readonly AlleleQuery[], call: PeerCallContext): Promise<(PeerVariant | undefined)[]> {
    const out: (PeerVariant | undefined)[] = new Array(queries.length).fill(undefined);
    if (this.datasetsIn(scope) === null) return out;
    let next = 0;
    let matched = 0;
    const unmatched: string[] = [];
    const worker = async () => {
      while (next < queries.length) {
        const i = next++;
        const q = queries[i]!;
        const found = this.readVariants(await this.sequenceQuery(scope, q, call), scope, call);
        // Beacons disagree on coordinates (SPEC-NOTES §3): take the exact variant, else the same alleles one base off.
        const want = trimAlleles(q.start0, q.ref, q.alt);
        const key = variantKey(q.contig, want);
        const v =
          found.get(key) ??
          [...found.values()].find((x) => x.contig === q.contig && x.trimmed.ref === want.ref && x.trimmed.alt === want.alt && Math.abs(x.trimmed.start0 - want.start0) <= 1);
        if (v) {
          out[i] = { ...v, key };
          matched++;
        } else if (found.size > 0) unmatched.push(`asked for ${key}, answered ${[...found.keys()].slice(0, 3).join(', ')}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(THIRD_PARTY_PARALLEL, queries.length) }, worker));
    if (matched === 0 && unmatched.length > 0) call.unmatched = `records that are not the variant asked: ${unmatched.slice(0, 3).join('; ')}`;
    else if (unmatched.length > 0) call.notes?.push(`unmatched records: ${unmatched.slice(0, 3).join('; ')}`);
    return out;
  }

  /** One sequence query: GET, or POST when the peer takes only that (405 on GET once: POST from then on). */
  private async sequenceQuery(scope: LookupScope, q: AlleleQuery, call: PeerCallContext): Promise<unknown> {
    if (this.peer.kind === 'gdi-mini-node') return this.get('POST', '/g_variants', call, sequenceRequestBody(scope.assembly, q, 'record', miniNodeVariantType(q)));
    if (this.post) {
      if (this.peer.method !== 'POST') call.notes?.push('asked by POST (the peer answered GET with 405)');
      return this.get('POST', '/g_variants', call, sequenceRequestBody(scope.assembly, q));
    }
    try {
      return await this.get('GET', sequenceQueryPath(scope.assembly, q), call);
    } catch (e) {
      if (!(e instanceof PeerFailure && e.httpStatus === 405) || this.peer.method === 'GET') throw e;
      this.post = true;
      call.notes?.push('asked by POST (the peer answered GET with 405)');
      return this.get('POST', '/g_variants', call, sequenceRequestBody(scope.assembly, q));
    }
  }

  protected read(answer: unknown, scope: LookupScope, call: PeerCallContext): VariantsAnswer {
    const read = asPeerAnswer(() => readVariantsResponse(answer, scope.assembly, { lenient: true }));
    for (const d of read.dialects) call.notes?.push(`dialect: ${DIALECTS[d] ?? d}`);
    for (const r of read.rejected) call.notes?.push(`refused ${r}`);
    if (read.records.length === 0 && read.rejected.length > 0) throw new PeerFailure('invalid_answer', `every record was refused: ${read.rejected.slice(0, 3).join('; ')}`);
    return read;
  }

  /** rsIDs are not a Beacon v2 sequence query: a third-party peer is not asked, and says so (never a miss). */
  async rsid(): Promise<Map<string, PeerVariant>> {
    throw new PeerFailure('skipped_unsupported', 'rsID lookups are not asked of third-party Beacons');
  }

  /** VRS ids are not a Beacon v2 query either: a third-party peer is not asked, and says so. */
  async vrs(): Promise<Map<string, PeerVariant>> {
    throw new PeerFailure('skipped_unsupported', 'VRS id lookups are not asked of third-party Beacons');
  }

  /** gdi-mini-node answers single variants only (an empty answer to anything else): ranges and listings are not asked of it. */
  async scan(scope: LookupScope, query: ScanQuery, want: ScanWant, call: PeerCallContext): Promise<PeerScan> {
    if (this.peer.kind === 'gdi-mini-node') throw new PeerFailure('skipped_unsupported', 'gdi-mini-node answers single variants only; ranges and listings are not asked of it');
    if (query.kind === 'gene') {
      // A third-party Beacon's gene table is unknown: it is asked the gene's span from this broker's table, or not at all.
      if (!query.span) throw new PeerFailure('skipped_unsupported', `gene ${query.geneId}: this broker has no span for it (broker.genesFile), so a third-party Beacon is not asked`);
      const { kind: _k, geneId: _g, span, ...filters } = query;
      call.notes?.push(`gene ${query.geneId} asked as ${span.contig}:${span.start0}-${span.end0} (this broker's gene table)`);
      return super.scan(scope, { kind: 'range', contig: span.contig, start0: span.start0, end0: span.end0, ...filters }, want, call);
    }
    return super.scan(scope, query, want, call);
  }

  /** A third-party Beacon's dataset ids are not its own on the wire (they come from its sources): it is asked for all, and filtered here. */
  protected datasetsIn(scope: LookupScope): readonly string[] | undefined | null {
    return super.datasetsIn(scope) === null ? null : undefined;
  }
}

/**
 * gdi-mini-node's variant type of a query (its parquet-writer `_get_vt`, matched exactly on the
 * server, `SNP` when absent): SNP for one base against one, INDEL when the trimmed lengths differ.
 */
export function miniNodeVariantType(q: AlleleQuery): string {
  const t = trimAlleles(q.start0, q.ref, q.alt);
  if (t.ref.length === 1 && t.alt.length === 1) return 'SNP';
  return t.ref.length !== t.alt.length ? 'INDEL' : 'UNKNOWN';
}
