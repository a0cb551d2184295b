/**
 * DESIGN §3: imports go one way and each third-party library lives in one folder. This reads
 * every import line under src/ and fails on an edge that is not allowed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const SRC = join(__dirname, '..', 'src');

// Which src/ folders each folder may import (besides itself).
const ALLOWED: Record<string, string[]> = {
  domain: [],
  vcf: ['domain'],
  store: ['domain'],
  beacon: ['domain'],
  config: ['domain'],
  // Who is asking: tokens, OIDC JWTs, Passport visas. The pipeline never imports it: the server builds the resolver and hands it over.
  access: ['domain'],
  ingest: ['domain', 'vcf', 'store'],
  broker: ['domain', 'beacon', 'config'],
  // The request pipeline is framework-free: it sees the port (domain) and the wire format (beacon), no HTTP.
  pipeline: ['domain', 'beacon', 'annotate'],
  server: ['domain', 'beacon', 'config', 'pipeline', 'access'],
  // Federated annotation (DESIGN §12): VCF in, VCF or TSV out, over the VariantLookup port; no HTTP, no store.
  annotate: ['domain'],
  cli: ['domain', 'vcf', 'store', 'ingest', 'beacon', 'broker', 'pipeline', 'server', 'config', 'access', 'annotate'],
};

// Third-party packages and the one folder each may be imported from.
const FENCED: Record<string, string> = {
  '@gmod/tabix': 'vcf',
  '@gmod/bgzf-filehandle': 'vcf',
  'generic-filehandle2': 'vcf',
  'better-sqlite3': 'store',
  undici: 'broker',
  express: 'server',
  'prom-client': 'server',
  jose: 'access',
  yaml: 'ingest',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

test('src/ imports follow DESIGN §3 and third-party libraries stay fenced', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const folder = relative(SRC, file).split('/')[0]!;
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = relative(SRC, resolve(dirname(file), spec)).split('/')[0]!;
        if (target !== folder && !(ALLOWED[folder] ?? []).includes(target)) violations.push(`${relative(SRC, file)} imports ${target}/ (${spec})`);
      } else if (!spec.startsWith('node:')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        const home = FENCED[pkg];
        if (home && home !== folder) violations.push(`${relative(SRC, file)} imports ${pkg}, which belongs in ${home}/`);
        if (folder === 'domain') violations.push(`${relative(SRC, file)} imports ${pkg}; domain/ has no npm imports`);
      }
    }
  }
  expect(violations).toEqual([]);
});
