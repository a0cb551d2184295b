#!/usr/bin/env node
// CPU of one `GET /api/g_variants/<id>` through the request pipeline, in-process (no HTTP): the
// server's own pipeline (appContext: identify, budget, parse, lookup, disclosure, render, the
// audit line to the log) called as the fast path calls it, one stored variant at a time, N calls
// after 3,000 to warm up, timed with process.cpuUsage; three rounds. Log lines go to stdout (send
// it to /dev/null). DIST (env) picks another build's dist/, to compare two builds alternately.
//   node scripts/bench/pipeline-cpu.js DB IDS [N=20000] [GRANULARITY] > /dev/null
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const dist = process.env.DIST ?? join(__dirname, '..', '..', 'dist');
const { openNodeLookup } = require(join(dist, 'store'));
const { appContext } = require(join(dist, 'server'));
const { loadServerConfig } = require(join(dist, 'config', 'server-config'));
const [db, idsFile, n, granularity] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 20000), process.argv[5]];
const ids = readFileSync(idsFile, 'utf8').trim().split('\n');
const store = openNodeLookup(db);
const ctx = appContext({ lookup: store.lookup, config: loadServerConfig(undefined, {}, {}), role: 'node', version: 'bench' });
const query = granularity ? { requestedGranularity: granularity } : {};

async function round(calls) {
  let bytes = 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const reply = await ctx.pipeline({ endpoint: 'g_variant', method: 'GET', id: ids[(i * 7919) % ids.length], query, headers: { clientIp: '127.0.0.1', requestId: 'bench' } });
    bytes += reply.body.length;
  }
  const u = process.cpuUsage(t0);
  return { cpuUsPerCall: +((u.user + u.system) / calls).toFixed(1), bytesPerAnswer: Math.round(bytes / calls) };
}

(async () => {
  await round(3000);
  const rounds = [];
  for (let r = 0; r < 3; r++) rounds.push(await round(n));
  process.stderr.write(JSON.stringify({ dist, calls: n, granularity: granularity ?? 'record', rounds }) + '\n');
  store.close();
  process.exit(0);
})();
