#!/usr/bin/env node
// scale-lookups.js — lookup latency on one store, for scripts/bench/scale.
//
//   node scale-lookups.js DB [--phase cold|warm] [--singles 2000] [--batch 10000] [--regions 20]
//
// Opens the store the way a node does (dist/store openStoreLookup, read-only) and times, in this
// process: single-variant findAlleles (random stored variants, one call each), a batch of 10,000
// random stored variants in one call, and a 1 Mb range (count + first page of 100 records, then
// every record of the range). Variants are drawn by seeking random positions of the current
// version's table (seed 7), so the lookups hit. 'cold' is meant to run right after the file was
// dropped from the page cache (done again here after drawing the sample): each kind of lookup is timed on its first
// calls, so the figures include reading pages from disk. Prints one JSON object.
'use strict';
const path = require('path');
const Database = require('better-sqlite3');
const { openStoreLookup } = require(path.join(__dirname, '..', '..', 'dist', 'store'));
const { versionFilePath } = require(path.join(__dirname, '..', '..', 'dist', 'store', 'version-file'));

const args = process.argv.slice(2);
const db = args[0];
const opt = (n, d) => { const i = args.indexOf('--' + n); return i >= 0 ? args[i + 1] : d; };
const phase = opt('phase', 'warm');
const SINGLES = +opt('singles', phase === 'cold' ? 200 : 2000);
const BATCH = +opt('batch', 10000);
const REGIONS = +opt('regions', phase === 'cold' ? 5 : 20);

let s = 7;
const rnd = () => { s = (s + 0x6D2B79F5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };

// The sample: random stored variants of the (single) dataset's current version, read with plain SQL.
const raw = new Database(db, { readonly: true });
const v = raw.prepare('SELECT current FROM datasets ORDER BY id LIMIT 1').pluck().get();
// The version's rows are in a file of their own beside the store (src/store/version-file.ts) unless the store predates them.
const vfile = raw.prepare('SELECT in_file FROM versions WHERE v = ?').pluck().get(v) === 1 ? versionFilePath(db, v) : undefined;
if (vfile) raw.prepare(`ATTACH DATABASE ? AS v${v}`).run(vfile);
const meta = JSON.parse(raw.prepare('SELECT meta FROM versions WHERE v = ?').pluck().get(v));
const contigs = Object.entries(meta.contigs);
const names = new Map(Array.from({ length: 22 }, (_, i) => [String(i + 1), i + 1]).concat([['X', 23], ['Y', 24], ['MT', 25]]));
const seek = raw.prepare(`SELECT start0, ref, alt, anchor FROM variants_${v} WHERE contig = ? AND start0 >= ? ORDER BY start0 LIMIT 1`);
const total = contigs.reduce((a, [, c]) => a + c.rows, 0);
const maxPos = new Map(contigs.map(([name]) => [name, raw.prepare(`SELECT max(start0) FROM variants_${v} WHERE contig = ?`).pluck().get(names.get(name))]));
function pickContig() { let r = rnd() * total; for (const [name, c] of contigs) { if ((r -= c.rows) < 0) return name; } return contigs[0][0]; }
function sample(n) {
  const out = [];
  while (out.length < n) {
    const contig = pickContig();
    const row = seek.get(names.get(contig), Math.floor(rnd() * maxPos.get(contig)));
    if (!row) continue;
    // the VCF form (anchored) as a client sends it, where the store knows the anchor base; else the trimmed form
    const a = row.anchor;
    out.push(a && (row.ref === '' || row.alt === '') ? { contig, start0: row.start0 - 1, ref: a + row.ref, alt: a + row.alt } : { contig, start0: row.start0, ref: row.ref, alt: row.alt });
  }
  return out;
}
const singles = sample(SINGLES);
const batch = sample(BATCH);
const regions = Array.from({ length: REGIONS }, () => { const q = sample(1)[0]; return { kind: 'range', contig: q.contig, start0: q.start0, end0: q.start0 + 1_000_000 }; });
raw.close();
// Drawing the sample read those pages: drop the file from the page cache again before a cold run.
// Both files: the store and the version's own file (where the rows are).
if (phase === 'cold') for (const f of [db, ...(vfile ? [vfile] : [])]) require('child_process').execFileSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);

const pct = (xs, p) => { const a = [...xs].sort((x, y) => x - y); return +a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))].toFixed(3); };
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

(async () => {
  const store = openStoreLookup(db);
  const scope = { assembly: meta.assembly };
  const single = [];
  let misses = 0;
  for (const q of singles) {
    const t0 = process.hrtime.bigint();
    const r = await store.lookup.findAlleles(scope, [q]);
    single.push(ms(t0));
    if (!r.records[0]) misses++;
  }
  const batchMs = [];
  for (let i = 0; i < (phase === 'cold' ? 1 : 3); i++) {
    const t0 = process.hrtime.bigint();
    const r = await store.lookup.findAlleles(scope, batch);
    batchMs.push(ms(t0));
    misses += r.records.filter((x) => !x).length;
  }
  const pageMs = [];
  const allMs = [];
  let regionRecords = 0;
  for (const q of regions) {
    let t0 = process.hrtime.bigint();
    const first = await store.lookup.scan(scope, q, { skip: 0, limit: 100 });
    pageMs.push(ms(t0));
    t0 = process.hrtime.bigint();
    const all = await store.lookup.scan(scope, q, { skip: 0, limit: first.total });
    allMs.push(ms(t0));
    regionRecords += all.records.length;
  }
  store.close();
  console.log(JSON.stringify({
    phase,
    misses,
    single: { n: single.length, p50Ms: pct(single, 50), p99Ms: pct(single, 99) },
    batch10k: { n: batchMs.length, ms: batchMs.map((x) => +x.toFixed(1)), variantsPerSecond: Math.round(BATCH / (Math.min(...batchMs) / 1000)) },
    region1Mb: { n: regions.length, meanRecords: Math.round(regionRecords / regions.length), firstPageP50Ms: pct(pageMs, 50), firstPageP99Ms: pct(pageMs, 99), allRecordsP50Ms: pct(allMs, 50), allRecordsP99Ms: pct(allMs, 99) },
  }));
})().catch((e) => { console.error(e); process.exit(1); });
