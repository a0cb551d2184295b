#!/usr/bin/env node
// `npm start`: a local federation from data/ — three nodes ("countries") made from one real
// genotype VCF with disjoint sample lists, and a broker over them, all on loopback. Stores are
// built on first start (and again when data/ changes). Ctrl-C stops everything.
//
// Environment: AFB_DEMO_DIR (state, default .demo/), AFB_DEMO_PORT (the broker's port, default
// 8080; nodes take the next three; 0 = any free ports), AFB_DEMO_HOST (default 127.0.0.1).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { createHash, randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, statSync, writeFileSync, openSync } = require('node:fs');
const { createServer } = require('node:net');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const AFB = join(ROOT, 'bin', 'afb.js');
const DATA = join(ROOT, 'data', '1kg');
const DIR = resolve(process.env.AFB_DEMO_DIR || join(ROOT, '.demo'));
const HOST = process.env.AFB_DEMO_HOST || '127.0.0.1';
// Callable regions (illustrative, data/1kg/copyright): Finland covers the whole demo stretch,
// Estonia only its first part, Japan declares nothing, so the page shows "0 of N" vs "not covered".
const COUNTRIES = [
  { id: 'fi', name: 'Finland', country: 'FI', samples: 'samples-fi.txt', callable: 'callable-fi.bed' },
  { id: 'ee', name: 'Estonia', country: 'EE', samples: 'samples-ee.txt', callable: 'callable-ee.bed' },
  { id: 'ja', name: 'Japan', country: 'JP', samples: 'samples-ja.txt' },
];
const GENES = join(ROOT, 'data', 'genes', 'gencode-v19.gtf');
const GNOMAD = join(ROOT, 'data', 'gnomad', 'gno-r2-chr1-excerpt.vcf.gz');

const children = [];
let stopping = false;

function log(msg) {
  process.stderr.write(`[demo] ${msg}\n`);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer().once('error', rej).listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function build() {
  if (existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) return;
  log('building (tsc)…');
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

/** Ingest a country's store unless it is newer than every input. */
function ingest(c) {
  const db = join(DIR, `${c.id}.db`);
  const inputs = ['1kg.vcf.gz', '1kg.panel.txt', c.samples].map((f) => join(DATA, f));
  const callable = c.callable ? join(DATA, c.callable) : undefined;
  const all = [...inputs, GENES, GNOMAD, ...(callable ? [callable] : [])];
  if (existsSync(db) && all.every((f) => statSync(f).mtimeMs < statSync(db).mtimeMs)) return db;
  log(`ingesting ${c.name} (${c.samples})…`);
  const run = (args, what) => {
    const r = spawnSync(process.execPath, [AFB, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${what} of ${c.name} failed:\n${r.stderr}`);
  };
  run(['ingest', '--db', db, '--dataset', '1kg', '--assembly', 'GRCh37', '--name', `1000 Genomes 2010, ${c.name} share`,
    '--panel', inputs[1], '--samples', inputs[2], ...(callable ? ['--callable', callable] : []), inputs[0]], 'ingest');
  // Finland also serves a gnomAD excerpt inside DDX11L1, the gene the demo's gene table holds (data/genes/README.md).
  if (c.id === 'fi') run(['ingest', '--db', db, '--dataset', 'gnomad-r2', '--assembly', 'GRCh37', '--name', 'gnomAD r2.0 exomes excerpt', GNOMAD], 'gnomAD ingest');
  run(['genes', '--db', db, '--assembly', 'GRCh37', GENES], 'gene table');
  return db;
}

function start(name, args, env) {
  const out = openSync(join(DIR, `${name}.log`), 'w');
  const child = spawn(process.execPath, [AFB, ...args], { env: { ...process.env, AFB_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', out, out] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} stopped unexpectedly (${signal || code}); its log: ${join(DIR, `${name}.log`)}`);
      void stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitHealthy(url, name) {
  for (let i = 0; i < 150; i++) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not come up at ${url}; see ${join(DIR, `${name}.log`)}`);
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map(({ child }) => new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', r);
    child.kill('SIGTERM');
  })));
  log('stopped');
  process.exit(code);
}

const sha256 = (t) => createHash('sha256').update(t, 'utf8').digest('hex');
const newToken = (prefix) => `${prefix}-${randomBytes(18).toString('base64url')}`;

/**
 * Access control as a real federation would run it (docs/configuration.md#access): anonymous
 * callers under k = 5 (UK Biobank/TogoVar preset), registered callers exact. Fresh tokens each
 * start; the config files hold only their SHA-256. The nodes know the broker by its own peer token
 * (registered there: the broker pools exact counts and applies its own policy to its users); the
 * broker knows a demo researcher by the token printed at the end.
 */
function accessConfigs() {
  const brokerPeerToken = newToken('afb-demo-peer');
  const researcherToken = newToken('afb-demo-researcher');
  const levels = { anonymous: { preset: 'ukbiobank', requestsPerMinute: 120, maxBatch: 1000, maxRangeBases: 250000 }, registered: { minCount: 1 } };
  const node = { access: { levels, tokens: [{ id: 'demo-broker', sha256: sha256(brokerPeerToken), level: 'registered' }] } };
  const broker = { access: { levels, tokens: [{ id: 'demo-researcher', sha256: sha256(researcherToken), level: 'registered' }] } };
  writeFileSync(join(DIR, 'node.json'), JSON.stringify(node, null, 2) + '\n');
  writeFileSync(join(DIR, 'broker.json'), JSON.stringify(broker, null, 2) + '\n');
  return { brokerPeerToken, researcherToken };
}

async function main() {
  mkdirSync(DIR, { recursive: true });
  const tokens = accessConfigs();
  build();
  const dbs = COUNTRIES.map(ingest);
  const base = Number(process.env.AFB_DEMO_PORT ?? 8080);
  const brokerPort = base === 0 ? await freePort() : base;
  const nodePorts = [];
  for (let i = 0; i < COUNTRIES.length; i++) nodePorts.push(base === 0 ? await freePort() : base + 1 + i);
  const peers = COUNTRIES.map((c, i) => ({ id: c.id, name: c.name, country: c.country, url: `http://${HOST}:${nodePorts[i]}/api`, assemblies: ['GRCh37'], timeoutMs: 2000, token: tokens.brokerPeerToken }));
  writeFileSync(join(DIR, 'peers.json'), JSON.stringify({ peers }, null, 2) + '\n');
  COUNTRIES.forEach((c, i) => start(`node-${c.id}`, ['serve', '--db', dbs[i], '--port', String(nodePorts[i]), '--host', HOST, '--config', join(DIR, 'node.json')], {
    AFB_BEACON_ID: `org.afb.demo.${c.id}`,
    AFB_BEACON_NAME: `afb demo node: ${c.name}`,
    AFB_ORG_NAME: `${c.name} (demo)`,
  }));
  start('broker', ['broker', '--peers', join(DIR, 'peers.json'), '--port', String(brokerPort), '--host', HOST, '--config', join(DIR, 'broker.json')], {
    AFB_BEACON_ID: 'org.afb.demo.broker',
    AFB_BEACON_NAME: 'afb demo federation (Finland, Estonia, Japan)',
    AFB_BROKER_HEALTH_INTERVAL_MS: '5000',
    AFB_BROKER_COOLDOWN_MS: '10000',
  });
  await Promise.all([...peers.map((p, i) => waitHealthy(`http://${HOST}:${nodePorts[i]}`, `node-${COUNTRIES[i].id}`)), waitHealthy(`http://${HOST}:${brokerPort}`, 'broker')]);
  const page = `http://${HOST}:${brokerPort}/`;
  process.stdout.write(`afb demo federation is up:\n  page (broker): ${page}\n${peers.map((p) => `  node ${p.name}: ${p.url.replace(/\/api$/, '/')}`).join('\n')}\n  logs: ${DIR}\n` +
    `Access: anonymous callers see counts under k = 5 (UK Biobank preset); a registered caller sees exact counts.\n` +
    `  registered token (paste it into the page, or send Authorization: Bearer ...): ${tokens.researcherToken}\n` +
    `  e.g. curl -H 'Authorization: Bearer ${tokens.researcherToken}' ${page}api/g_variants/2-10297-G-T\n` +
    `Try on the page: 2-30000-A-G (covered in Finland: "0 of N"; not covered in Estonia), DDX11L1 (a gene search).\n` +
    `Ctrl-C stops everything.\n`);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((e) => {
  log(e.message);
  void stop(1);
});
