#!/usr/bin/env node
// heap-snapshot-diff.js — what grew between two V8 heap snapshots of one process (e.g. taken by
// scripts/bench/broker-heap --snapshots): objects by type and constructor, count and self size,
// second minus first, largest growth first; then every Map whose hash table is over 20 kB, with
// the variable or property that holds it (a cache that grows shows here by name).
//
//   node scripts/bench/heap-snapshot-diff.js A.heapsnapshot B.heapsnapshot [top=30]
'use strict';
const fs = require('fs');

function load(file) {
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  const m = s.snapshot.meta;
  const nf = m.node_fields.length, ef = m.edge_fields.length;
  const at = (name) => m.node_fields.indexOf(name);
  return { s, m, nf, ef, iT: at('type'), iN: at('name'), iS: at('self_size'), iE: at('edge_count'), types: m.node_types[0], etypes: m.edge_types[0] };
}

function byConstructor({ s, nf, iT, iN, iS, types }) {
  const out = new Map();
  for (let i = 0; i < s.nodes.length; i += nf) {
    const type = types[s.nodes[i + iT]];
    const name = /string/.test(type) ? '(string)' : type === 'code' ? '(code)' : type === 'number' ? '(number)' : String(s.strings[s.nodes[i + iN]]).slice(0, 60);
    const e = out.get(`${type}\t${name}`) ?? [0, 0];
    e[0]++;
    e[1] += s.nodes[i + iS];
    out.set(`${type}\t${name}`, e);
  }
  return out;
}

function bigMaps({ s, m, nf, ef, iT, iN, iS, iE, types, etypes }) {
  const N = s.nodes.length / nf;
  const eT = m.edge_fields.indexOf('type'), eN = m.edge_fields.indexOf('name_or_index'), eTo = m.edge_fields.indexOf('to_node');
  const first = new Uint32Array(N + 1);
  for (let i = 0, e = 0; i < N; i++) { first[i] = e; e += s.nodes[i * nf + iE] * ef; }
  first[N] = s.edges.length;
  const edgeName = (e) => { const t = etypes[s.edges[e + eT]]; return `${t}:${t === 'element' || t === 'hidden' ? s.edges[e + eN] : s.strings[s.edges[e + eN]]}`; };
  const name = (i) => `${types[s.nodes[i * nf + iT]]}:${String(s.strings[s.nodes[i * nf + iN]]).slice(0, 40)}`;
  const retainers = new Map();
  for (let i = 0; i < N; i++) for (let e = first[i]; e < first[i + 1]; e += ef) {
    const en = edgeName(e);
    if (en.startsWith('weak')) continue;
    const to = s.edges[e + eTo] / nf;
    if (!retainers.has(to)) retainers.set(to, []);
    retainers.get(to).push([i, en]);
  }
  const out = [];
  for (let i = 0; i < N; i++) {
    if (name(i) !== 'object:Map') continue;
    let table = 0;
    for (let e = first[i]; e < first[i + 1]; e += ef) if (edgeName(e) === 'internal:table') table = s.nodes[(s.edges[e + eTo] / nf) * nf + iS];
    if (table < 20000) continue;
    const path = [];
    for (let cur = i, d = 0; d < 6 && retainers.has(cur); d++) {
      const r = retainers.get(cur);
      const [p, en] = r.find(([, n]) => n.startsWith('context:') || n.startsWith('property:')) ?? r[0];
      path.push(`${en} <- ${name(p)}`);
      cur = p;
      if (en.startsWith('context:') || (en.startsWith('property:') && !en.startsWith('property:<'))) break;
    }
    out.push(`${table}\t${path.join(' | ')}`);
  }
  return out;
}

const [fa, fb, top = '30'] = process.argv.slice(2);
const A = load(fa), B = load(fb);
const a = byConstructor(A), b = byConstructor(B);
const rows = [];
for (const [k, [c, sz]] of b) { const [c0, s0] = a.get(k) ?? [0, 0]; rows.push([k, c0, c, c - c0, s0, sz, sz - s0]); }
for (const [k, [c0, s0]] of a) if (!b.has(k)) rows.push([k, c0, 0, -c0, s0, 0, -s0]);
rows.sort((x, y) => y[6] - x[6]);
const total = (m) => [...m.values()].reduce((t, [c, s]) => [t[0] + c, t[1] + s], [0, 0]);
console.log(`objects, bytes: first ${total(a).join(', ')}; second ${total(b).join(', ')}`);
console.log('type\tname\tcount1\tcount2\tdCount\tbytes1\tbytes2\tdBytes');
for (const r of rows.slice(0, Number(top))) console.log(r.join('\t'));
console.log('\nMaps over 20 kB (hash table bytes, held by), first snapshot:');
for (const l of bigMaps(A)) console.log(l);
console.log('second snapshot:');
for (const l of bigMaps(B)) console.log(l);
