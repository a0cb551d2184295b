#!/usr/bin/env node
// For scripts/bench/broker: the broker's own CPU per peer answer, in-process. The N nodes run in
// ANOTHER process (nodes-one-process.js, ports BASE+1..BASE+N, already listening); this process is
// only the broker's lookup (FederatedLookup, answer cache off), so process.cpuUsage() counts the
// broker alone: HTTP exchange, reading and validating each answer, merging and pooling. Single
// lookups of random stored variants, one after another, for each way of asking peers (PROTOCOLS, default
// auto,requests,beacon: afb-counts/1 with single lookups on its stream, afb-counts/1 by HTTP requests, Beacon v2).
//   Usage: [CONCURRENCY=1] broker-cpu.js IDS_FILE N BASE [LOOKUPS=2000]
// Prints one JSON line per protocol: {protocol, peers, lookups, cpuUsPerLookup, cpuUsPerPeerAnswer, p50Ms, p99Ms}.
'use strict';
const { join } = require('node:path');
const dist = join(__dirname, '..', '..', 'dist');
const { FederatedLookup } = require(join(dist, 'broker'));
const { loadBrokerConfig } = require(join(dist, 'config', 'broker-config'));
const { timedLookups } = require('./timed-lookups');
const { readQueries } = require('./bench-ids');

const [idsFile, n, base, lookups] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 2000)];
const queries = readQueries(idsFile);
const peers = Array.from({ length: n }, (_, i) => ({ id: `n${i + 1}`, name: `n${i + 1}`, url: `http://127.0.0.1:${base + i + 1}/api`, assemblies: ['GRCh38'], timeoutMs: process.env.BATCH ? 60_000 : 5000, kind: 'afb' }));

async function measure(peerProtocol) {
  const config = { ...loadBrokerConfig({}, {}), cacheTtlMs: 0, deadlineMs: 10_000, peerProtocol };
  const lookup = new FederatedLookup({ id: 'bench-broker', peers, config });
  lookup.start();
  await lookup.describe();
  const scope = { assembly: 'GRCh38' };
  let seen = 0;
  const one = async (i) => {
    const r = await lookup.findAlleles(scope, [queries[i % queries.length]]);
    const ok = r.trace.peers.filter((p) => p.status === 'ok').length;
    if (ok !== n) throw new Error(`${peerProtocol}: ${ok} of ${n} peers answered: ${JSON.stringify(r.trace.peers.find((p) => p.status !== 'ok'))}`);
    seen += ok;
  };
  for (let i = 0; i < 300; i++) await one(i);
  const { used, p50Ms, p99Ms } = await timedLookups(one, lookups);
  await lookup.close();
  const us = used.user + used.system;
  if (process.env.SPLIT) console.error(peerProtocol, "user", Math.round(used.user / lookups / n), "system", Math.round(used.system / lookups / n), "µs per peer answer");
  return { protocol: lookupProtocol(peerProtocol), peers: n, lookups, cpuUsPerLookup: Math.round(us / lookups), cpuUsPerPeerAnswer: +(us / lookups / n).toFixed(1), p50Ms, p99Ms, peerAnswers: seen };
}

/** What the broker asks its peers through, by peerProtocol: auto (afb-counts/1, single lookups on its stream), requests (afb-counts/1, an HTTP request each), beacon. */
function lookupProtocol(p) {
  return { auto: 'afb-counts/1+stream', requests: 'afb-counts/1', beacon: 'beacon-v2' }[p];
}

/** One batch of every id in the file through the broker's lookup: wall time and broker CPU, the first (cold) and a second call. */
async function batch(peerProtocol) {
  const config = { ...loadBrokerConfig({}, {}), cacheTtlMs: 0, deadlineMs: 60_000, maxResponseBytes: 512 * 1024 * 1024, peerProtocol };
  const lookup = new FederatedLookup({ id: 'bench-broker', peers, config });
  lookup.start();
  await lookup.describe();
  const out = { protocol: lookupProtocol(peerProtocol), peers: n, variants: queries.length };
  for (const run of ['cold', 'second']) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    const r = await lookup.findAlleles({ assembly: 'GRCh38' }, queries);
    const used = process.cpuUsage(cpu);
    out[`${run}Ms`] = Math.round(performance.now() - t);
    out[`${run}CpuMs`] = Math.round((used.user + used.system) / 1000);
    out.found = r.records.filter(Boolean).length;
  }
  await lookup.close();
  return out;
}

(async () => {
  const what = process.env.BATCH ? batch : measure;
  for (const p of (process.env.PROTOCOLS ?? 'auto,requests,beacon').split(',')) console.log(JSON.stringify(await what(p)));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
