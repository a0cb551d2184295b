#!/usr/bin/env node
// For scripts/bench/annotate: what the two largest per-variant costs of a federated annotation are
// made of, each measured alone in a loop (so: lower bounds of what they cost inside the servers).
//   1. a node's store read, as a batch reads it: 1,000 stored variants at a time in a snapshot, in
//      parts of 100 (pipeline/batch.ts BATCH_PART), through the node's lookup (openNodeLookup);
//   2. one afb-counts/1 V line of the store's shape (one dataset, 9 groups): written by a node
//      (CountsWriter.variant) and read by the broker (CountsReader.line, of which JSON.parse).
// Usage: annotate-floor.js DB IDS_FILE   (IDS_FILE: 1-based chrom-pos-ref-alt ids of stored variants, e.g. $BENCH_DIR/ids.txt)
'use strict';
const { join } = require('node:path');
const dist = join(__dirname, '..', '..', 'dist');
const { openNodeLookup } = require(join(dist, 'store', 'node-lookup'));
const { CountsReader, CountsWriter } = require(join(dist, 'beacon', 'counts-lines'));
const { readQueries } = require('./bench-ids');

const [db, idsFile] = process.argv.slice(2);
const ids = readQueries(idsFile);
const scope = { assembly: 'GRCh38' };
const us = (t0, n) => Number(process.hrtime.bigint() - t0) / n / 1000;

async function storeReads() {
  const { lookup, close } = openNodeLookup(db);
  const batches = 40;
  const t0 = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let found = 0;
  for (let b = 0; b < batches; b++) {
    const from = (b * 1000) % Math.max(1, ids.length - 1000);
    const snap = await lookup.snapshot();
    for (let i = 0; i < 1000; i += 100) found += (await snap.findAlleles(scope, ids.slice(from + i, from + i + 100))).records.filter(Boolean).length;
    snap.release();
  }
  const c = process.cpuUsage(cpu);
  close();
  return { storeReadUs: +us(t0, batches * 1000).toFixed(2), storeReadCpuUs: +((c.user + c.system) / batches / 1000).toFixed(2), found };
}

/** The lines a node sends for `n` variants of the store's shape, read back by a broker's reader and written again by a node's writer. */
async function codec(n) {
  const { lookup, close } = openNodeLookup(db);
  const sample = (await lookup.findAlleles(scope, ids.slice(0, 1))).records[0];
  close();
  if (!sample) throw new Error('the first id is not in the store');
  const w = new CountsWriter();
  const head = [w.header({ op: 'alleles', granularity: 'record' }), ...w.variant(0, sample).split('\n').filter((l) => l && !l.startsWith('["V"'))];
  const v = JSON.parse(w.variant(0, sample).trim().split('\n').pop());
  const lines = Array.from({ length: n }, (_, q) => JSON.stringify(['V', q, ...v.slice(2)]));
  let t0 = process.hrtime.bigint();
  for (const l of lines) JSON.parse(l);
  const parseUs = us(t0, n);
  const r = new CountsReader('GRCh38', { op: 'alleles', queries: n });
  for (const h of head) r.line(h.trim());
  t0 = process.hrtime.bigint();
  for (const l of lines) r.line(l);
  const readUs = us(t0, n);
  const out = new CountsWriter();
  t0 = process.hrtime.bigint();
  for (const { q, record } of r.variants) out.variant(q, record);
  const writeUs = us(t0, n);
  return { lineBytes: lines[0].length, jsonParseUs: +parseUs.toFixed(2), readLineUs: +readUs.toFixed(2), writeLineUs: +writeUs.toFixed(2) };
}

(async () => {
  for (let rep = 0; rep < 3; rep++) console.log(JSON.stringify({ ...(await storeReads()), ...(await codec(100_000)) }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
