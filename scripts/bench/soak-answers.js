#!/usr/bin/env node
// soak-answers.js — the answers scripts/bench/soak compares before and after its load:
//
//   node soak-answers.js BROKER_URL IDS_FILE > answers.json
//
// Asks the broker for 100 single variants (GET /api/g_variants/<id>), 3 batches of 50
// (POST /api/batch), 3 regions (GET /api/g_variants?referenceName&start&end) and the annotation
// of a VCF of 50 stored variants (POST /api/annotate, the VCF answer as text), and prints the
// answers with what legitimately changes between two equal answers removed: timings, the
// dataset version and ingest time (a re-ingest of the same file makes a new version of the same
// counts), the meta block and info (per-peer latencies). The counts, records, ids, populations and
// peer statuses stay, so a lost, doubled or stale answer shows.
'use strict';
const fs = require('fs');
const [base, idsFile] = process.argv.slice(2);
const ids = fs.readFileSync(idsFile, 'utf8').trim().split('\n');
const pick = (n, from) => Array.from({ length: n }, (_, i) => ids[(from + i * 97) % ids.length]);
const VOLATILE = new Set(['meta', 'info', 'version', 'createdAt', 'updateDateTime', 'latencyMs', 'origin', 'elapsedMs']);
function clean(x) {
  if (Array.isArray(x)) return x.map(clean);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).filter(([k]) => !VOLATILE.has(k)).map(([k, v]) => [k, clean(v)]));
  if (typeof x === 'string') return x.replace(/@[0-9T:.\-Z]+/g, '@*').replace(/\d{4}-\d\d-\d\dT[0-9:.]+Z?/g, '*');
  return x;
}
// An annotated VCF: the same string rules, line by line, and the dataset version its header names
// (##afb_dataset=<...,Version="3",...>: a re-ingest makes a new version of the same counts).
function cleanText(s) {
  return s.split('\n').map((l) => clean(l).replace(/,Version="[^"]*"/, ',Version="*"')).join('\n');
}
async function get(path, init) {
  const r = await fetch(base + path, init);
  return { status: r.status, body: clean(await r.json()) };
}
(async () => {
  const out = {};
  for (const id of pick(100, 0)) out[`single ${id}`] = await get(`/api/g_variants/${id}`);
  for (let b = 0; b < 3; b++) {
    const variants = pick(50, 1000 + b * 50);
    out[`batch ${b}`] = await get('/api/batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assemblyId: 'GRCh38', variants }) });
  }
  for (const id of pick(3, 5000)) {
    const [chr, pos] = id.split('-');
    out[`region ${chr}:${pos}`] = await get(`/api/g_variants?assemblyId=GRCh38&referenceName=${chr}&start=${pos - 1}&end=${+pos + 20000}&limit=20`);
  }
  const vcf = ['##fileformat=VCFv4.2', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO'];
  for (const id of pick(50, 7000)) {
    const [chr, pos, ref, alt] = id.split('-');
    vcf.push(['chr' + chr, pos, '.', ref, alt, '.', '.', '.'].join('\t'));
  }
  const r = await fetch(`${base}/api/annotate?assemblyId=GRCh38`, { method: 'POST', headers: { 'content-type': 'text/x-vcf' }, body: vcf.join('\n') + '\n' });
  out['annotate 50'] = { status: r.status, body: cleanText(await r.text()).split('\n') };
  console.log(JSON.stringify(out, null, 1));
})().catch((e) => { console.error(e); process.exit(1); });
