import type Database from 'better-sqlite3';
import { anchoredForm, trimmedEnd0, variantType, type Trimmed } from '../domain/alleles';
import type { RangeQuery } from '../domain/lookup';
import { rowColumns, variantsTable } from './version-table';

/**
 * Keyset scans over the variants of one contig (DESIGN §6). Each dataset version is read in key
 * order (start0, ref, alt) from a cursor key by its own prepared statement, streamed with
 * `iterate()`; the versions are merged by key in JS, so a variant that several versions hold is
 * one group. Nothing is materialised: only a page's rows are kept. Counting and skipping happen
 * in SQL wherever a row can be judged by itself: COUNT(*) and OFFSET over the primary key,
 * merged across versions by a UNION, with SQLite calling the JS match rule on each row. That is
 * always so for one version, and inside a range unless an alternate-allele filter needs the
 * group's anchor base. The rest (several versions at a range's edges, in brackets, under an
 * alternate-allele filter) is counted as the key columns stream by.
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
  /** The raw VRS digest of an insertion or deletion (vrs-column.ts), or null. */
  vrs: Buffer | null;
}

/** A variant's key on its contig: the trimmed form. */
export type Key = Pick<StoredRow, 'start0' | 'ref' | 'alt'>;

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
  /**
   * A part of `window` where a key matches exactly when `keyFilter` (if any) passes it: a test of
   * the key alone, so each version's row can be tested by itself there (in SQL). Without a
   * test, the whole window is sure.
   */
  sure?: KeyWindow;
  keyFilter?: (key: Key) => boolean;
}

const IN_WINDOW = 'contig = ? AND start0 >= ? AND start0 < ?';
// '' is the least string, so (start0, ref, alt) >= (from, '', '') is start0 >= from.
const FROM_CURSOR = 'contig = ? AND (start0, ref, alt) >= (?, ?, ?) AND start0 < ?';

/**
 * The streamed reads of one dataset version, from a cursor key to the end of a window, in key
 * order. better-sqlite3 runs one iteration per statement at a time, so each version being merged
 * has statements of its own; every iterator is closed in a `finally`.
 */
class VersionReads {
  private readonly rowStmt: Database.Statement;
  private readonly keyStmt: Database.Statement;

  constructor(db: Database.Database, readonly v: number) {
    const table = variantsTable(v);
    this.rowStmt = db.prepare(`SELECT ${rowColumns(v)} FROM ${table} WHERE ${FROM_CURSOR} ORDER BY start0, ref, alt`);
    this.keyStmt = db.prepare(`SELECT start0, ref, alt, anchor FROM ${table} WHERE ${FROM_CURSOR} ORDER BY start0, ref, alt`);
  }

  rows(contig: number, from: Key, to: number): IterableIterator<StoredRow> {
    return this.rowStmt.iterate(contig, from.start0, from.ref, from.alt, to) as IterableIterator<StoredRow>;
  }

  keys(contig: number, from: Key, to: number): IterableIterator<RowKey> {
    return this.keyStmt.iterate(contig, from.start0, from.ref, from.alt, to) as IterableIterator<RowKey>;
  }
}

/** The rule SQLite applies to a row while a KeySet statement runs (see Scanner). */
type Rule = (start0: number, ref: string, alt: string, anchor: string | null) => boolean;

/**
 * Counting and positioning in SQL over the distinct keys of some versions (each its own table) in a window, all of them
 * or those a rule passes. The rule is the JS function itself, which SQLite calls per row (`fn`,
 * registered by the Scanner): the rules stay in one place and SQLite walks the rows. A rule is
 * applied row by row, so over several versions it must not depend on the anchor (a group's
 * anchor is its first version's that has one). With ORDER BY, SQLite merges the k sorted
 * primary-key reads (MERGE (UNION)) instead of building a temporary index of the keys.
 */
class KeySet {
  private readonly countStmt: Database.Statement;
  private readonly keyAtStmt: Database.Statement;

  constructor(db: Database.Database, private readonly vs: readonly number[], fn: string | undefined) {
    const where = fn ? `${IN_WINDOW} AND ${fn}(start0, ref, alt, anchor)` : IN_WINDOW;
    const keys = vs.map((v) => `SELECT start0, ref, alt FROM ${variantsTable(v)} WHERE ${where}`).join(' UNION ');
    this.countStmt = db.prepare(vs.length === 1 ? `SELECT COUNT(*) FROM ${variantsTable(vs[0]!)} WHERE ${where}` : `SELECT COUNT(*) FROM (${keys} ORDER BY 1, 2, 3)`).pluck();
    this.keyAtStmt = db.prepare(`${keys} ORDER BY 1, 2, 3 LIMIT 1 OFFSET ?`);
  }

  count(contig: number, w: KeyWindow): number {
    return w.from >= w.to ? 0 : (this.countStmt.get(...this.params(contig, w)) as number);
  }

  /** The key `offset` places (0-based) into the window; undefined past its end. */
  keyAt(contig: number, w: KeyWindow, offset: number): Key | undefined {
    return this.keyAtStmt.get(...this.params(contig, w), offset) as Key | undefined;
  }

  private params(contig: number, w: KeyWindow): number[] {
    return this.vs.flatMap(() => [contig, w.from, w.to]);
  }
}

export function compareKeys(a: Key, b: Key): number {
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

const startOf = (start0: number): Key => ({ start0, ref: '', alt: '' });

let scanners = 0;

/**
 * Keyset scans of one contig over the versions in scope (given as version numbers, in the order
 * their rows appear in a group). Call inside a read transaction.
 */
export class Scanner {
  private readonly versions = new Map<number, VersionReads>();
  private readonly keySets = new Map<string, KeySet>();
  /** Distinct keys of whole contigs over several versions, by `versions/contig`: a version never changes, so neither do they. */
  private readonly wholeContigCounts = new Map<string, number>();
  /** The SQL function that applies `rule`; a name of its own, so that two scanners on one connection do not replace each other's. */
  private readonly fn = `afb_rule_${++scanners}`;
  private rule: Rule | undefined;

  constructor(private readonly db: Database.Database) {
    db.function(this.fn, { directOnly: true }, (start0, ref, alt, anchor) => (this.rule!(start0 as number, ref as string, alt as string, anchor as string | null) ? 1 : 0));
  }

  /** Drop what is kept for versions that are no longer current. */
  keepOnly(live: ReadonlySet<number>): void {
    for (const v of this.versions.keys()) if (!live.has(v)) this.versions.delete(v);
    const dead = (k: string): boolean => k.split('/')[0]!.split(',').some((v) => !live.has(Number(v)));
    for (const k of this.wholeContigCounts.keys()) if (dead(k)) this.wholeContigCounts.delete(k);
    // Their tables are dropped: a statement over one would fail to re-prepare.
    for (const k of this.keySets.keys()) if (dead(k)) this.keySets.delete(k);
  }

  /**
   * Exact number of matches, in SQL where it can be: where every key matches, or matches by its
   * key alone (the plan's sure part), COUNT(*) of the versions' keys (their union when there
   * are several); `knownRows`, when given, is the count of the whole window of one version;
   * anywhere for one version, COUNT(*) under the test. Only the keys of several versions that
   * need the whole test (a range's edges, brackets, an alternate-allele filter) are counted as
   * they stream by (a variant held by two versions counts once), keeping nothing. Whole contigs
   * of several versions (bare listings) are counted once per set of versions.
   */
  count(vs: readonly number[], contig: number, plan: ScanPlan, knownRows?: number): number {
    if (vs.length === 0) return 0;
    const { window: w, test } = plan;
    if (!test) {
      if (knownRows !== undefined) return knownRows;
      if (w.from !== WHOLE_CONTIG.from || w.to !== WHOLE_CONTIG.to) return this.sureCount(vs, contig, w, undefined);
      const key = `${vs.join(',')}/${contig}`;
      let n = this.wholeContigCounts.get(key);
      if (n === undefined) this.wholeContigCounts.set(key, (n = this.sureCount(vs, contig, w, undefined)));
      return n;
    }
    const sure = plan.sure;
    if (!sure || sure.from >= sure.to) return this.testedCount(vs, contig, w, test);
    return (
      this.testedCount(vs, contig, { from: w.from, to: sure.from }, test) +
      this.sureCount(vs, contig, sure, plan.keyFilter) +
      this.testedCount(vs, contig, { from: sure.to, to: w.to }, test)
    );
  }

  /**
   * The matches in key order from the `skip`-th on (0-based), at most `limit`: each as its rows,
   * one per version holding it. Where it can, the key at the skip is found in SQL (OFFSET) and
   * the read starts there; only the page's rows are kept.
   */
  read(vs: readonly number[], contig: number, plan: ScanPlan, skip: number, limit: number, after?: Key): StoredRow[][] {
    const out: StoredRow[][] = [];
    if (limit <= 0 || vs.length === 0) return out;
    const { window: w, test } = plan;
    // After a cursor key: read from it (the keyset) and pass over matches from there; no counting before it.
    const start = after ? { from: after, skip } : this.position(vs, contig, plan, skip);
    if (!start) return out;
    let rest = start.skip;
    merged(
      vs.map((v) => () => this.reads(v).rows(contig, start.from, w.to)),
      (m) => {
        while (out.length < limit && m.next()) {
          if (after && compareKeys(m.group[0]!, after) <= 0) continue;
          if (test && !test(m.group[0]!, anchorOf(m.group))) continue;
          if (rest > 0) rest--;
          else out.push([...m.group]);
        }
      },
    );
    return out;
  }

  /** Where a read that passes over `skip` matches starts: a cursor key and the matches still to pass there; undefined when there are no more. */
  private position(vs: readonly number[], contig: number, plan: ScanPlan, skip: number): { from: Key; skip: number } | undefined {
    const { window: w, test } = plan;
    const whole = { from: startOf(w.from), skip };
    if (skip === 0) return whole;
    if (!test) return this.positionIn(vs, contig, w, undefined, skip);
    const sure = plan.sure;
    if (!sure || sure.from >= sure.to) {
      if (vs.length > 1) return whole; // several versions: the merge passes over the skipped matches
      const at = this.withRule(groupRule(test), () => this.keySet(vs, true).keyAt(contig, w, skip));
      return at && { from: at, skip: 0 };
    }
    const before = this.testedCount(vs, contig, { from: w.from, to: sure.from }, test);
    if (skip < before) return whole;
    return this.positionIn(vs, contig, sure, plan.keyFilter, skip - before);
  }

  /** The start of a read passing over `skip` matches from the beginning of a sure window. */
  private positionIn(vs: readonly number[], contig: number, sure: KeyWindow, keyFilter: ScanPlan['keyFilter'], skip: number): { from: Key; skip: number } {
    const at = this.withRule(keyRule(keyFilter), () => this.keySet(vs, keyFilter !== undefined).keyAt(contig, sure, skip));
    if (at) return { from: at, skip: 0 };
    return { from: startOf(sure.to), skip: skip - this.sureCount(vs, contig, sure, keyFilter) };
  }

  /** Distinct keys in a sure window that `keyFilter` (if any) passes, in SQL. */
  private sureCount(vs: readonly number[], contig: number, w: KeyWindow, keyFilter: ScanPlan['keyFilter']): number {
    return this.withRule(keyRule(keyFilter), () => this.keySet(vs, keyFilter !== undefined).count(contig, w));
  }

  /** Matching keys in `w`: in SQL for one version (its rows are its groups), else counted as they stream by. */
  private testedCount(vs: readonly number[], contig: number, w: KeyWindow, test: KeyTest): number {
    if (w.from >= w.to) return 0;
    if (vs.length === 1) return this.withRule(groupRule(test), () => this.keySet(vs, true).count(contig, w));
    return merged(
      vs.map((v) => () => this.reads(v).keys(contig, startOf(w.from), w.to)),
      (m) => {
        let n = 0;
        while (m.next()) if (test(m.group[0]!, anchorOf(m.group))) n++;
        return n;
      },
    );
  }

  private withRule<T>(rule: Rule | undefined, fn: () => T): T {
    this.rule = rule;
    try {
      return fn();
    } finally {
      this.rule = undefined;
    }
  }

  private reads(v: number): VersionReads {
    let r = this.versions.get(v);
    if (!r) this.versions.set(v, (r = new VersionReads(this.db, v)));
    return r;
  }

  /** Statements over the tables of `vs`, kept by `versions/rule`. */
  private keySet(vs: readonly number[], ruled: boolean): KeySet {
    const id = `${vs.join(',')}/${ruled ? 'rule' : ''}`;
    let u = this.keySets.get(id);
    if (!u) this.keySets.set(id, (u = new KeySet(this.db, vs, ruled ? this.fn : undefined)));
    return u;
  }
}

/** A test as a row rule (one version: a row is its group, its anchor the group's). */
function groupRule(test: KeyTest): Rule {
  return (start0, ref, alt, anchor) => test({ start0, ref, alt, anchor }, anchor);
}

function keyRule(keyFilter: ScanPlan['keyFilter']): Rule | undefined {
  return keyFilter && ((start0, ref, alt) => keyFilter({ start0, ref, alt }));
}

/**
 * The plan of a range or bracket query. `maxSpan` is the longest reference span on the contig
 * over the versions in scope (VersionMeta.contigs): a variant overlapping [start0, end0) has its
 * key start0 at most maxSpan to the left of start0 (a long deletion reaching in), and at most
 * one to the right of its display start (the anchor base of an indel).
 */
export function planRange(q: RangeQuery, maxSpan: number): ScanPlan {
  const test: KeyTest = (k, a) => matches(k, a, q);
  if (q.kind === 'bracket') return { window: { from: q.startMin0, to: q.startMax0 + 2 }, test };
  const plan: ScanPlan = { window: { from: q.start0 - maxSpan, to: q.end0 + 1 }, test };
  // Every key strictly inside (start0, end0) overlaps the range: its display start is at most its
  // key and at least key - 1 >= start0, and its display end is past its key. At key start0 an
  // anchored insertion ([start0 - 1, start0)) does not: the edges are tested row by row. Inside,
  // the filters decide, and all but the alternate allele (which may be written padded with the
  // anchor base) look at the key alone.
  if (q.alt === undefined) {
    plan.sure = { from: q.start0 + 1, to: q.end0 };
    if (q.variantType !== undefined || q.minLength !== undefined || q.maxLength !== undefined) plan.keyFilter = (k) => filtersMatch(k, null, q);
  }
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
  return filtersMatch(k, anchor, q);
}

/** The alternate allele (trimmed or VCF-padded, so the anchor counts), variantType and length filters. */
function filtersMatch(k: Key, anchor: string | null, q: RangeQuery): boolean {
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
