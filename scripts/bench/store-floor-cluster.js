#!/usr/bin/env node
// For scripts/bench/serve: the floor of any server that reads the store per request. A bare node:http
// cluster of WORKERS (like the bench's limit cluster) whose every request reads the variant it names
// (GET .../<chrom>-<pos>-<ref>-<alt>) with afb's own store reader (openStoreLookup: one read transaction,
// a point probe per current version), then answers the same fixed body as the limit. No access rules,
// no Beacon rendering, no logs: what afb does per request beyond this is what afb / limit has to pay for.
//   Usage: store-floor-cluster.js BODY_FILE PORT DB [WORKERS=2]
'use strict';
const cluster = require('node:cluster');
const { join } = require('node:path');
const [bodyFile, port, db, workers] = [process.argv[2], Number(process.argv[3]), process.argv[4], Number(process.argv[5] ?? 2)];
if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers)) w.kill();
    process.exit(0);
  });
} else {
  const body = require('node:fs').readFileSync(bodyFile);
  const { openStoreLookup } = require(join(__dirname, '..', '..', 'dist', 'store'));
  const { lookup } = openStoreLookup(db);
  const { queryOf } = require('./bench-ids');
  require('node:http')
    .createServer((req, res) => {
      if (req.url === '/health') return res.end('ok');
      lookup.findAlleles({ assembly: 'GRCh38' }, [queryOf(req.url.slice(req.url.lastIndexOf('/') + 1))]).then(
        (found) => {
          if (!found.records[0]) throw new Error(`not found: ${req.url}`);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
          res.end(body);
        },
        (e) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
    })
    .listen(port, '127.0.0.1');
}
