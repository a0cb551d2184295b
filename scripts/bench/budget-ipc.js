#!/usr/bin/env node
// What a request budget costs under --workers N: µs per budget question from a worker to the
// primary over the cluster IPC channel (one per budgeted request), sequential and 50 in flight.
// node scripts/bench/budget-ipc.js   (after npm run build)
const cluster = require('node:cluster');
const D = require('node:path').join(__dirname, '..', '..', 'dist');
const { serveBudget, budgetFromPrimary } = require(D + '/server/workers/shared-budget.js');
const policy = { levels: { anonymous: { granularity: 'record', minCount: 1, requestsPerMinute: 10_000_000 }, registered: { granularity: 'record', minCount: 1 }, controlled: { granularity: 'record', minCount: 1 } }, datasets: {} };
if (cluster.isPrimary) {
  serveBudget(policy);
  cluster.fork().on('exit', () => process.exit(0));
} else {
  const take = budgetFromPrimary(policy);
  (async () => {
    const n = 20000;
    for (let i = 0; i < 1000; i++) await take({ level: 'anonymous', clientId: 'ip:w', controlledDatasets: [] });
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await take({ level: 'anonymous', clientId: `ip:${i % 100}`, controlledDatasets: [] });
    const seq = Number(process.hrtime.bigint() - t) / 1e3 / n;
    t = process.hrtime.bigint();
    for (let i = 0; i < n / 50; i++) await Promise.all(Array.from({ length: 50 }, (_, j) => take({ level: 'anonymous', clientId: `ip:${j}`, controlledDatasets: [] })));
    const par = Number(process.hrtime.bigint() - t) / 1e3 / n;
    console.log(`sequential: ${seq.toFixed(1)} µs per question (round trip); 50 in flight: ${par.toFixed(1)} µs per question (throughput ${Math.round(1e6 / par)}/s)`);
    process.exit(0);
  })();
}
