/** Shared by the reliability-ingest tests: read a store straight with SQL, independent of the lookup API. */
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { decodeCounts } from '../../src/store/codec';

/** Every row of a dataset's current version plus its metadata (without timing), for equality checks. */
export function snapshot(db: string, dataset: string): { version: number | undefined; meta: unknown; rows: unknown[] } {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const cur = d.prepare('SELECT current FROM datasets WHERE id = ?').get(dataset) as { current: number } | undefined;
    if (!cur) return { version: undefined, meta: undefined, rows: [] };
    const m = d.prepare('SELECT meta FROM versions WHERE v = ?').get(cur.current) as { meta: string } | undefined;
    const meta = m ? (JSON.parse(m.meta) as Record<string, unknown>) : undefined;
    if (meta?.report) delete (meta.report as Record<string, unknown>).seconds;
    const rows = d
      .prepare('SELECT contig, start0, ref, alt, anchor, rsid, other_ids, filter, hex(counts) AS counts FROM variants WHERE v = ? ORDER BY contig, start0, ref, alt')
      .all(cur.current);
    return { version: cur.current, meta, rows };
  } finally {
    d.close();
  }
}

/** What a server would see: every dataset's current version has its metadata (the 500 of D1 otherwise). */
export function consistencyProblems(db: string): string[] {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const bad = d.prepare(`SELECT id, current FROM datasets WHERE current NOT IN (SELECT v FROM versions WHERE state = 'current')`).all() as { id: string; current: number }[];
    return bad.map((b) => `${b.id}: version ${b.current} has no current metadata`);
  } finally {
    d.close();
  }
}

/** sqlite3's own view (the CLI tool, not better-sqlite3), e.g. `SELECT count(*) FROM variants`. */
export function sqlite(db: string, sql: string): string {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
}

/** Poll until `cond` holds (no fixed sleeps); fails after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Decoded counts of one stored row of a dataset's current version, by group key (a Map: keys may be '__proto__'). */
export function rowCounts(db: string, dataset: string, contigCode: number, start0: number, ref: string, alt: string): Map<string, Map<string, number | undefined>> | undefined {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const cur = d.prepare('SELECT current FROM datasets WHERE id = ?').get(dataset) as { current: number };
    const meta = JSON.parse((d.prepare('SELECT meta FROM versions WHERE v = ?').get(cur.current) as { meta: string }).meta) as {
      groups: { key: string; label: string }[];
      slots: { group: number; kind: string }[];
    };
    const row = d.prepare('SELECT counts FROM variants WHERE v = ? AND contig = ? AND start0 = ? AND ref = ? AND alt = ?').get(cur.current, contigCode, start0, ref, alt) as
      | { counts: Buffer }
      | undefined;
    if (!row) return undefined;
    const values = decodeCounts(row.counts, meta.slots.map((s) => s.kind === 'af'));
    const out = new Map<string, Map<string, number | undefined>>();
    meta.slots.forEach((s, i) => {
      const key = meta.groups[s.group]!.key;
      if (!out.has(key)) out.set(key, new Map());
      out.get(key)!.set(s.kind, values[i]);
    });
    return out;
  } finally {
    d.close();
  }
}

/** Group keys and labels of a dataset's current version. */
export function groupLabels(db: string, dataset: string): [string, string][] {
  return groupDefs(db, dataset).map((g) => [g.key, g.label]);
}

/** Group keys and canonical codes of a dataset's current version. */
export function canonicalCodes(db: string, dataset: string): [string, string | undefined][] {
  return groupDefs(db, dataset).map((g) => [g.key, g.canonical]);
}

function groupDefs(db: string, dataset: string): { key: string; label: string; canonical?: string }[] {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const cur = d.prepare('SELECT current FROM datasets WHERE id = ?').get(dataset) as { current: number };
    const meta = JSON.parse((d.prepare('SELECT meta FROM versions WHERE v = ?').get(cur.current) as { meta: string }).meta) as { groups: { key: string; label: string; canonical?: string }[] };
    return meta.groups;
  } finally {
    d.close();
  }
}
