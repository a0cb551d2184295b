#!/usr/bin/env node
// For scripts/bench/broker: the floor of a broker's exchange with N stream peers on this machine. One
// afb-counts/1 stream per peer (canned-stream-peers.js, ports BASE+1..BASE+N); per lookup, one request
// line written to every stream and each answer read to its end line, nothing parsed, merged or
// written back. Its CPU per peer answer is what any broker asking N peers one lookup at a time pays
// before it does anything with the answers (the write and read system calls, the event loop).
//   Usage: [CONCURRENCY=1] stream-exchange-floor.js IDS_FILE N BASE [LOOKUPS=2000]
// Prints one JSON line: {peers, lookups, cpuUsPerPeerAnswer, userUs, systemUs, p50Ms, p99Ms}.
'use strict';
const http = require('node:http');
const { timedLookups } = require('./timed-lookups');
const { readQueries } = require('./bench-ids');
const [idsFile, n, base, lookups] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 2000)];
const lines = readQueries(idsFile).map((q) => JSON.stringify({ op: 'alleles', assemblyId: 'GRCh38', variants: [[q.contig, q.start0, q.ref, q.alt]] }) + '\n');

/** One upgraded stream; `ask(line)` resolves when its answer's end line has come. */
function open(port) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/afb-counts/1', headers: { Connection: 'Upgrade', Upgrade: 'afb-counts/1' } });
    req.on('error', reject);
    req.on('upgrade', (_res, socket) => {
      socket.setNoDelay(true);
      const waiting = [];
      // The last 4 characters of the last chunk: an end line's start cut between two chunks is still found.
      let carry = '';
      socket.on('data', (chunk) => {
        // An answer ends with its ["E",n] line; count the ends in the chunk.
        const text = carry + chunk.toString('latin1');
        let at = 0;
        while ((at = text.indexOf('["E",', at)) !== -1) {
          at += 5;
          waiting.shift()();
        }
        carry = text.slice(-4);
      });
      resolve({ ask: (line) => new Promise((done) => { waiting.push(done); socket.write(line); }), close: () => socket.destroy() });
    });
    req.end();
  });
}

(async () => {
  const streams = await Promise.all(Array.from({ length: n }, (_, i) => open(base + i + 1)));
  const one = (i) => Promise.all(streams.map((s) => s.ask(lines[i % lines.length])));
  for (let i = 0; i < 300; i++) await one(i);
  const { used, inFlight, p50Ms, p99Ms } = await timedLookups(one, lookups);
  streams.forEach((s) => s.close());
  const per = (us) => +(us / lookups / n).toFixed(1);
  console.log(JSON.stringify({ peers: n, lookups, concurrency: inFlight, cpuUsPerPeerAnswer: per(used.user + used.system), userUs: per(used.user), systemUs: per(used.system), p50Ms, p99Ms }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
