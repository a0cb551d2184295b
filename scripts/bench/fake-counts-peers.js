#!/usr/bin/env node
// For the broker CPU floor (docs/benchmarks.md): N trivial afb-counts/1 peers in one process, ports BASE+1..BASE+N, each
// answering every alleles request with one dataset and one group for the variant asked. What a broker spends per peer
// answer against them is the exchange itself (HTTP, fan-out) plus a minimal read and merge.  Usage: fake-counts-peers.js N BASE
'use strict';
const http = require('http');
const [n, base] = [Number(process.argv[2]), Number(process.argv[3])];
for (let i = 1; i <= n; i++) {
  http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/api/service-info') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ id: `f${i}`, afb: { role: 'node', protocols: ['afb-counts/1'], datasetVersions: { s: '1' } } })); }
      if (req.url === '/api/info') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ response: { info: { afb: { datasets: [{ id: 's', name: 's', assemblyId: 'GRCh38', populations: [] }] } } } })); }
      const b = JSON.parse(Buffer.concat(chunks).toString());
      const v = b.variants[0];
      const body = `{"protocol":"afb-counts/1","op":"alleles","granularity":"record"}\n["D",0,"s","s","1","f${i}/s@1",0,null,null]\n["G",0,"Total","Total",null]\n["V",0,"${v[0]}",${v[1]},"${v[2]}","${v[3]}",[],[0,0,3,1000,0,3,null,null,0]]\n["E",1]\n`;
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  }).listen(base + i, '127.0.0.1');
}
