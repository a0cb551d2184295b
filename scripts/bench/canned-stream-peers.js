#!/usr/bin/env node
// For scripts/bench/broker: N afb peers in ONE process (ports BASE+1..BASE+N) that answer afb-counts/1
// alleles requests (on the stream and by POST) at once, with canned counts of the synthetic store's
// shape (one dataset, 9 groups, AC/AN/nhomalt) for the variant asked: peers that cost next to
// nothing, so that a broker's lookup over them shows what the broker and the exchange cost alone.
// With the real nodes in one process (nodes-one-process.js) their own work, one request after
// another on one core, is part of every lookup's time.  Usage: canned-stream-peers.js N BASE
'use strict';
const http = require('node:http');
const [n, base] = [Number(process.argv[2]), Number(process.argv[3])];
const GROUPS = ['Total', 'afr', 'amr', 'asj', 'eas', 'fin', 'mid', 'nfe', 'sas'];
const HEADER = '{"protocol":"afb-counts/1","op":"alleles","granularity":"record"}\n';
const entry = JSON.stringify([0, ...GROUPS.flatMap((_, g) => [g, 3, 10000 + g, 1, null, null, null, 0])]);

for (let i = 1; i <= n; i++) {
  const declarations = `["D",0,"synth","synthetic gnomAD-like","1","canned-${i}/synth@1",0,null,null,0]\n` + GROUPS.map((g, k) => `["G",${k},"${g}","${g}",null]\n`).join('');
  /** One answer's lines; `declare`: with the D and G lines (every POST; the first answer on a stream). */
  const answer = (line, declare) => {
    const vs = JSON.parse(line).variants;
    let out = HEADER + (declare ? declarations : '');
    vs.forEach((v, q) => (out += `["V",${q},${JSON.stringify(String(v[0]))},${v[1]},${JSON.stringify(v[2])},${JSON.stringify(v[3])},[],${entry}]\n`));
    return out + `["E",${vs.length}]\n`;
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const json = (body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/api/service-info') return json({ id: `canned-${i}`, afb: { role: 'node', protocols: ['afb-counts/1', 'afb-counts/1+stream'], datasetVersions: { synth: '1' } } });
      if (req.url === '/api/info') return json({ response: { info: { afb: { datasets: [{ id: 'synth', name: 'synthetic gnomAD-like', assemblyId: 'GRCh38', populations: GROUPS.map((g) => ({ code: g, label: g })) }] } } } });
      const body = answer(Buffer.concat(chunks).toString(), true);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.on('upgrade', (req, socket) => {
    socket.setNoDelay(true);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: afb-counts/1\r\nConnection: Upgrade\r\n\r\n');
    let rest = '';
    let declared = false;
    socket.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      let out = '';
      for (const line of lines) {
        out += answer(line, !declared);
        declared = true;
      }
      if (out) socket.write(out);
    });
    socket.on('error', () => {});
  });
  server.listen(base + i, '127.0.0.1');
}
