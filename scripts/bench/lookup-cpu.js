#!/usr/bin/env node
// CPU of one single-variant lookup in the node's store reader, in-process (no HTTP, no pipeline):
// `openNodeLookup(DB).findAlleles` of one stored variant at a time, N lookups after 20,000 to warm
// up, timed with process.cpuUsage. IDS: a file of 1-based ids (chr-pos-ref-alt), e.g. the ids.txt the
// serve and soak benchmarks write. DIST (env) picks another build's dist/ to compare two builds
// alternately on stores each built itself.
//   node scripts/bench/lookup-cpu.js DB IDS [N=100000]
'use strict';
const { join } = require('node:path');
const dist = process.env.DIST ?? join(__dirname, '..', '..', 'dist');
const { openNodeLookup } = require(join(dist, 'store'));
const { readQueries } = require('./bench-ids');
const [db, idsFile, n] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 100000)];
const ids = readQueries(idsFile);
(async () => {
  const { lookup, close } = openNodeLookup(db);
  const scope = { assembly: 'GRCh38' };
  for (let i = 0; i < 20000; i++) await lookup.findAlleles(scope, [ids[i % ids.length]]);
  const t0 = process.cpuUsage();
  let hits = 0;
  for (let i = 0; i < n; i++) if ((await lookup.findAlleles(scope, [ids[(i * 7) % ids.length]])).records[0]) hits++;
  const u = process.cpuUsage(t0);
  console.log(JSON.stringify({ dist, lookups: n, hits, cpuUsPerLookup: +((u.user + u.system) / n).toFixed(2) }));
  close();
})();
