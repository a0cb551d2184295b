#!/usr/bin/env node
// Load clients for scripts/bench/bounded. Usage:
//   load-clients.js batches URL IDS_FILE SECONDS CONCURRENCY   10,000-variant batches back to back; prints how many finished
//   load-clients.js stalled URL IDS_FILE COUNT SECONDS         COUNT clients that send a batch and never read; holds them SECONDS
'use strict';
const { readFileSync } = require('node:fs');
const net = require('node:net');

const [mode, url, idsFile, a, b] = process.argv.slice(2);
const ids = readFileSync(idsFile, 'utf8').trim().split('\n');
const body = JSON.stringify({ variants: Array.from({ length: 10000 }, (_, i) => ids[i % ids.length]) });

async function batches(seconds, concurrency) {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const res = await fetch(`${url}/api/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        done++;
      }
    }),
  );
  console.log(JSON.stringify({ batches: done, seconds }));
}

async function stalled(count, seconds) {
  const u = new URL(url);
  const socks = Array.from({ length: count }, () => {
    const s = net.connect(Number(u.port), u.hostname);
    s.write(`POST /api/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    s.pause();
    s.on('error', () => {});
    return s;
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (const s of socks) s.destroy();
}

if (mode === 'batches') batches(Number(a), Number(b));
else if (mode === 'stalled') stalled(Number(a), Number(b));
else {
  console.error('usage: load-clients.js batches|stalled URL IDS_FILE N N');
  process.exit(2);
}
