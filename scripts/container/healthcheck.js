#!/usr/bin/env node
// The image's HEALTHCHECK: GET /health on the port afb listens on, exit 0 on a 200. The port is
// AFB_PORT when set, else every TCP port listening in the container's own network namespace (so
// `serve --port 9000` and a broker on its default 8090 need no extra setting).
'use strict';
const { readFileSync } = require('node:fs');

function listeningPorts() {
  const ports = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A') ports.add(parseInt(f[1].split(':').pop(), 16)); // state 0A = LISTEN
    }
  }
  return [...ports];
}

async function healthy(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function main() {
  const ports = process.env.AFB_PORT ? [Number(process.env.AFB_PORT)] : listeningPorts();
  for (const port of ports) {
    if (await healthy(port)) {
      process.stdout.write(`healthy on port ${port}\n`);
      return 0;
    }
  }
  process.stdout.write(`no /health answer on ${ports.length ? ports.join(', ') : 'any port (nothing listening)'}\n`);
  return 1;
}

main().then((code) => process.exit(code));
