import type Database from 'better-sqlite3';
import { anchoredForm, trimmedEnd0, variantType, type Trimmed } from '../domain/alleles';
import type { RangeQuery } from '../domain/lookup';

/**
 * Keyset scans over the variants of one contig (DESIGN §6). Each dataset version is read in key
 * order (start0, ref, alt) by its own prepared statement, streamed with `iterate()`; the
 * versions are merged by key in JS, so a variant that several versions hold is one group. Nothing
 * is materialised: counts read the key columns only and keep nothing, pages keep only their rows.
 */

/** One row of the variants table as SQLite returns it; `contig` is the contig's code (contig-codes.ts). */
export interface StoredRow {
  v: number;
  contig: number;
  start0: number;
  ref: string;
  alt: string;
  anchor: string | null;
  rsid: number | null;
  other_ids: string | null;
  filter: number;
  counts: Buffer;
}

/** What deciding a match needs: the key and the anchor base. */
export type RowKey = Pick<StoredRow, 'start0' | 'ref' | 'alt' | 'anchor'>;

/** Key start0 values [from, to) of one contig. */
export interface KeyWindow {
  from: number;
  to: number;
}

/** Every key of a contig. */
export const WHOLE_CONTIG: KeyWindow = { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER };

/** Whether the variant with this key and anchor base (the first any version in scope stores) matches. */
export type KeyTest = (key: RowKey, anchor: string | null) => boolean;

/** How to read the matches of a query on one contig. */
export interface ScanPlan {
  /** The keys that can match. */
  window: KeyWindow;
  /** Absent: every key in the window matches. */
  test?: KeyTest;
  /** A part of `window` where every key matches (so a count of rows there is a count of matches). */
  sure?: KeyWindow;
}

/** The columns of a StoredRow. */
export const ROW_COLUMNS = 'v, contig, start0, ref, alt, anchor, rsid, other_ids, filter, counts';
const IN_WINDOW = 'v = ? AND contig = ? AND start0 >= ? AND start0 < ?';

/**
 * The reads of one dataset version. better-sqlite3 runs one iteration per statement at a time,
 * so each version being merged has statements of its own. While an iteration is open the
 * connection cannot write (it is read-only anyway) and the statement cannot be reused: every
 * iterator is closed in a `finally`.
 */
export class VersionReads {
  private readonly rowStmt: Database.Statement;
  private readonly keyStmt: Database.Statement;
  private readonly countStmt: Database.Statement;

  constructor(db: Database.Database, readonly v: number) {
    this.rowStmt = db.prepare(`SELECT ${ROW_COLUMNS} FROM variants WHERE ${IN_WINDOW} ORDER BY start0, ref, alt`);
    this.keyStmt = db.prepare(`SELECT start0, ref, alt, anchor FROM variants WHERE ${IN_WINDOW} ORDER BY start0, ref, alt`);
    this.countStmt = db.prepare(`SELECT COUNT(*) FROM variants WHERE ${IN_WINDOW}`).pluck();
  }

  rows(contig: number, w: KeyWindow): IterableIterator<StoredRow> {
    return this.rowStmt.iterate(this.v, contig, w.from, w.to) as IterableIterator<StoredRow>;
  }

  keys(contig: number, w: KeyWindow): IterableIterator<RowKey> {
    return this.keyStmt.iterate(this.v, contig, w.from, w.to) as IterableIterator<RowKey>;
  }

  count(contig: number, w: KeyWindow): number {
    return w.from >= w.to ? 0 : (this.countStmt.get(this.v, contig, w.from, w.to) as number);
  }
}

export function compareKeys(a: RowKey, b: RowKey): number {
  return a.start0 - b.start0 || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0) || (a.alt < b.alt ? -1 : a.alt > b.alt ? 1 : 0);
}

/**
 * Sorted iterators (one per version, no key twice in one) merged by key: each `next()` moves to
 * the next distinct key and fills `group` with its rows, in source order. `group` is reused:
 * copy it to keep it. Alleles are ASCII, so JS string order is SQLite's BINARY order.
 */
class KeyMerge<R extends RowKey> {
  readonly group: R[] = [];
  private readonly heads: (R | undefined)[];

  constructor(private readonly sources: Iterator<R>[]) {
    this.heads = sources.map((s) => s.next().value as R | undefined);
  }

  next(): boolean {
    this.group.length = 0;
    let min: R | undefined;
    for (const h of this.heads) if (h !== undefined && (min === undefined || compareKeys(h, min) < 0)) min = h;
    if (min === undefined) return false;
    for (let i = 0; i < this.heads.length; i++) {
      const h = this.heads[i];
      if (h !== undefined && (h === min || compareKeys(h, min) === 0)) {
        this.group.push(h);
        this.heads[i] = this.sources[i]!.next().value as R | undefined;
      }
    }
    return true;
  }
}

/** Open one iterator per version, run `fn` over their merge, and close them all whatever happens. */
function merged<R extends RowKey, T>(open: (() => Iterator<R>)[], fn: (m: KeyMerge<R>) => T): T {
  const its: Iterator<R>[] = [];
  try {
    for (const o of open) its.push(o());
    return fn(new KeyMerge(its));
  } finally {
    for (const it of its) it.return?.();
  }
}

function anchorOf(group: readonly RowKey[]): string | null {
  for (const r of group) if (r.anchor !== null) return r.anchor;
  return null;
}

/** Matching keys in `w`, counted as they stream by (key columns only; nothing kept). */
function streamedCount(sources: readonly VersionReads[], contig: number, w: KeyWindow, test: KeyTest | undefined): number {
  if (w.from >= w.to) return 0;
  return merged(
    sources.map((s) => () => s.keys(contig, w)),
    (m) => {
      let n = 0;
      while (m.next()) if (!test || test(m.group[0]!, anchorOf(m.group))) n++;
      return n;
    },
  );
}

/**
 * Exact number of matches of `plan` on one contig over the versions that hold it. One version:
 * `COUNT(*)` in SQL wherever every row matches (`knownRows` when the whole contig is asked), the
 * rest streamed; several: a streamed merge, since a variant held by two versions counts once.
 */
export function countMatches(sources: readonly VersionReads[], contig: number, plan: ScanPlan, knownRows?: number): number {
  if (sources.length === 0) return 0;
  if (sources.length > 1) return streamedCount(sources, contig, plan.window, plan.test);
  const only = sources[0]!;
  if (!plan.test) return knownRows ?? only.count(contig, plan.window);
  if (!plan.sure || plan.sure.from >= plan.sure.to) return streamedCount(sources, contig, plan.window, plan.test);
  const { window: w, sure: s } = plan;
  return (
    streamedCount(sources, contig, { from: w.from, to: s.from }, plan.test) +
    only.count(contig, s) +
    streamedCount(sources, contig, { from: s.to, to: w.to }, plan.test)
  );
}

/**
 * The matches of `plan` on one contig in key order, from the `skip`-th on (0-based), at most
 * `limit` of them: each as its rows, one per version holding it, in source order.
 */
export function readMatches(sources: readonly VersionReads[], contig: number, plan: ScanPlan, skip: number, limit: number): StoredRow[][] {
  const out: StoredRow[][] = [];
  if (limit <= 0 || sources.length === 0) return out;
  merged(
    sources.map((s) => () => s.rows(contig, plan.window)),
    (m) => {
      let passed = 0;
      while (out.length < limit && m.next()) {
        if (plan.test && !plan.test(m.group[0]!, anchorOf(m.group))) continue;
        if (passed++ < skip) continue;
        out.push([...m.group]);
      }
    },
  );
  return out;
}

/**
 * The plan of a range or bracket query. `maxSpan` is the longest reference span on the contig
 * over the versions in scope (VersionMeta.contigs): a variant overlapping [start0, end0) has its
 * key start0 at most maxSpan to the left of start0 (a long deletion reaching in), and at most
 * one to the right of its display start (the anchor base of an indel).
 */
export function planRange(q: RangeQuery, maxSpan: number): ScanPlan {
  const filtered = q.alt !== undefined || q.variantType !== undefined || q.minLength !== undefined || q.maxLength !== undefined;
  if (q.kind === 'bracket') {
    return { window: { from: q.startMin0, to: q.startMax0 + 2 }, test: (k, a) => matches(k, a, q) };
  }
  const plan: ScanPlan = { window: { from: q.start0 - maxSpan, to: q.end0 + 1 }, test: (k, a) => matches(k, a, q) };
  // Every key strictly inside (start0, end0) overlaps the range: its display start is at most its
  // key and at least key - 1 >= start0, and its display end is past its key. At key start0 an
  // anchored insertion ([start0 - 1, start0)) does not: the edges are tested row by row.
  if (!filtered) plan.sure = { from: q.start0 + 1, to: q.end0 };
  return plan;
}

/** Display span [start0, end0) of a variant: the anchored form, at least one base wide. */
function displaySpan(k: RowKey, anchor: string | null): [number, number] {
  const a = anchoredForm(k, anchor ?? undefined);
  return [a.start0, Math.max(a.start0 + a.ref.length, a.start0 + 1, trimmedEnd0(k))];
}

/**
 * Range: the display span overlaps [start0, end0). Bracket: the display start lies in
 * [startMin0, startMax0] and the end in [endMin0, endMax0], both inclusive. Then the filters.
 */
export function matches(k: RowKey, anchor: string | null, q: RangeQuery): boolean {
  const [s, e] = displaySpan(k, anchor);
  if (q.kind === 'range') {
    if (!(s < q.end0 && e > q.start0)) return false;
  } else if (!(s >= q.startMin0 && s <= q.startMax0 && e >= q.endMin0 && e <= q.endMax0)) return false;
  if (q.alt !== undefined) {
    // A range query names only the alternate allele: accept it trimmed or VCF-padded.
    const qa = q.alt.toUpperCase();
    if (qa !== k.alt && qa !== anchoredForm(k, anchor ?? undefined).alt) return false;
  }
  if (q.variantType !== undefined && !typeMatches(q.variantType, k)) return false;
  const len = Math.max(k.ref.length, k.alt.length);
  if (q.minLength !== undefined && len < q.minLength) return false;
  if (q.maxLength !== undefined && len > q.maxLength) return false;
  return true;
}

function typeMatches(wanted: string, t: Trimmed): boolean {
  const w = wanted.toUpperCase();
  const actual = variantType(t);
  if (w === 'SNV') return actual === 'SNP';
  if (w === 'INDEL') return actual === 'INS' || actual === 'DEL' || actual === 'INDEL';
  return w === actual;
}
