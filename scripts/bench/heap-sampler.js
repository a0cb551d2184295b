// heap-sampler.js — preloaded into a process the soak watches (NODE_OPTIONS="--require <this>"):
// every AFB_HEAP_SAMPLE_MS (default 10000) it forces a full GC and appends one line to
// AFB_HEAP_SAMPLES:  epoch_s  pid  role  rss  heapTotal  heapUsed  external  arrayBuffers
// rssBeforeGc  heapUsedBeforeGc  (bytes; role: primary, or worker under --workers, as the processes
// of one server share the file; the last two are what the process held just before the forced GC).
// heapUsed right after a full GC is what the live JavaScript objects hold: it separates a leak
// (grows) from V8 and the allocator keeping freed memory (RSS grows, heapUsed after GC does not).
// Bench-only: nothing in src/ knows about it. The timer is unref'd so it never keeps a process up.
'use strict';
const file = process.env.AFB_HEAP_SAMPLES;
if (file) {
  const fs = require('fs');
  const v8 = require('v8');
  // gc() without --expose-gc on the command line (NODE_OPTIONS does not take it on Node 20).
  v8.setFlagsFromString('--expose-gc');
  const gc = require('vm').runInNewContext('gc');
  // A cluster worker is forked with an IPC channel (NODE_UNIQUE_ID is gone from env by the time a
  // --require runs); the servers are otherwise started without one.
  const role = typeof process.send === 'function' ? 'worker' : 'primary';
  const every = Number(process.env.AFB_HEAP_SAMPLE_MS) || 10000;
  setInterval(() => {
    const before = process.memoryUsage();
    gc();
    const m = process.memoryUsage();
    fs.appendFileSync(file, `${(Date.now() / 1000).toFixed(1)}\t${process.pid}\t${role}\t${m.rss}\t${m.heapTotal}\t${m.heapUsed}\t${m.external}\t${m.arrayBuffers}\t${before.rss}\t${before.heapUsed}\n`);
  }, every).unref();
}
