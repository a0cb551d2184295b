#!/usr/bin/env node
// For scripts/bench/broker: N afb nodes (each its own store handle, beacon id and HTTP server) in ONE
// process, ports BASE+1..BASE+N. Separates the broker's own cost from the cost of waking N node
// processes on a small machine.  Usage: nodes-one-process.js DB N BASE
'use strict';
const { join } = require('node:path');
const dist = join(__dirname, '..', '..', 'dist');
const { openStoreLookup } = require(join(dist, 'store'));
const { loadServerConfig } = require(join(dist, 'config', 'server-config'));
const { startServer } = require(join(dist, 'server'));

const [db, n, base] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
(async () => {
  const running = [];
  for (let i = 1; i <= n; i++) {
    const store = openStoreLookup(db);
    const config = { ...loadServerConfig(undefined, {}), port: base + i, logLevel: 'warn', beaconId: `bench-node-${i}`, shutdownGraceMs: 500 };
    running.push({ server: await startServer({ lookup: store.lookup, config, role: 'node', version: 'bench' }), store });
  }
  const stop = async () => {
    await Promise.all(running.map((r) => r.server.close()));
    for (const r of running) r.store.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
})();
