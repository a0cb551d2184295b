/** Shared by the reliability-ingest tests: read a store straight with SQL, independent of the lookup API. */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { startAfb } from '../helpers/cli';
import Database from 'better-sqlite3';
import { decodeCounts } from '../../src/store/codec';
import { loadingRows, openRawStore } from '../helpers/raw-store';
export { loadingRows, versionTables } from '../helpers/raw-store';

/** Every row of a dataset's current version plus its metadata (without timing), for equality checks. */
export function snapshot(db: string, dataset: string): { version: number | undefined; meta: unknown; rows: unknown[] } {
  const d = openRawStore(db);
  try {
    const cur = d.prepare('SELECT current FROM datasets WHERE id = ?').get(dataset) as { current: number } | undefined;
    if (!cur) return { version: undefined, meta: undefined, rows: [] };
    const m = d.prepare('SELECT meta FROM versions WHERE v = ?').get(cur.current) as { meta: string } | undefined;
    const meta = m ? (JSON.parse(m.meta) as Record<string, unknown>) : undefined;
    if (meta?.report) delete (meta.report as Record<string, unknown>).seconds;
    const rows = d
      .prepare(`SELECT contig, start0, ref, alt, anchor, rsid, other_ids, filter, hex(counts) AS counts FROM variants_${cur.current} ORDER BY contig, start0, ref, alt`)
      .all();
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

/** sqlite3's own view (the CLI tool, not better-sqlite3), e.g. `SELECT count(*) FROM versions`. */
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
  const d = openRawStore(db);
  try {
    const cur = d.prepare('SELECT current FROM datasets WHERE id = ?').get(dataset) as { current: number };
    const meta = JSON.parse((d.prepare('SELECT meta FROM versions WHERE v = ?').get(cur.current) as { meta: string }).meta) as {
      groups: { key: string; label: string }[];
      slots: { group: number; kind: string }[];
    };
    const row = d.prepare(`SELECT counts FROM variants_${cur.current} WHERE contig = ? AND start0 = ? AND ref = ? AND alt = ?`).get(contigCode, start0, ref, alt) as
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

/** A sites VCF header declaring INFO AC (Number=A) and AN (Number=1), then `extra` ##INFO lines. */
export function sitesHeader(...extra: string[]): string[] {
  return [
    '##fileformat=VCFv4.2',
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
    ...extra,
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
  ];
}

export interface StalledIngest {
  child: ChildProcess;
  /** The rest of the input: write more, end() it, or destroy() it. */
  feed: WriteStream;
  exit: Promise<{ code: number | null; stderr: string }>;
}

/**
 * `afb ingest --dataset d` of a FIFO in `dir`, fed a header, 60k records and `partial` (written
 * without blocking this thread, so the ingest reads at its own pace), returned once its new
 * version has 50k rows on disk: an ingest in the middle of loading, for as long as the test wants.
 */
export async function stalledIngest(dir: string, db: string, name: string, partial = ''): Promise<StalledIngest> {
  const fifo = join(dir, `${name}.vcf`);
  execFileSync('mkfifo', [fifo]);
  const child = startAfb(['ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', fifo]);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((r) => child.once('exit', (code) => r({ code, stderr })));
  const feed = createWriteStream(fifo);
  feed.on('error', () => undefined); // EPIPE once the ingest has stopped reading
  const lines: string[] = [];
  for (let i = 1; i <= 60_000; i++) lines.push(`1\t${i * 10}\t.\tA\tG\t.\tPASS\tAC=1;AN=10`);
  feed.write(sitesHeader('##INFO=<ID=XX,Number=1,Type=String,Description="Anything">').join('\n') + '\n' + lines.join('\n') + '\n' + partial);
  await until(() => loadingRows(db) >= 50_000, 'rows of the new version on disk');
  return { child, feed, exit };
}
