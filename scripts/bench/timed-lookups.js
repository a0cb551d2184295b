// For broker-cpu.js and stream-exchange-floor.js: `lookups` lookups, CONCURRENCY (default 1: one after
// another) in flight at a time, each timed; the k-th is `one(k * 7919)`, spreading them over the ids.
'use strict';

/** Resolves with the CPU this process used (process.cpuUsage) and the lookups' times (ms), p50 and p99. */
async function timedLookups(one, lookups) {
  const inFlight = Number(process.env.CONCURRENCY ?? 1);
  const times = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < lookups; i += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, lookups - i) }, async (_, j) => {
      const t = performance.now();
      await one((i + j) * 7919);
      times.push(performance.now() - t);
    }));
  }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  const at = (q) => +times[Math.floor(lookups * q)].toFixed(2);
  return { used, inFlight, p50Ms: at(0.5), p99Ms: at(0.99) };
}

module.exports = { timedLookups };
