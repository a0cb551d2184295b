/**
 * Inputs: an http(s) URL streams like a local file; a .tbi beside a BGZF file gives the record
 * count (progress, stale-index warning); the progress bar is drawn only on a terminal.
 */
import { createReadStream, statSync, copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ingestVcf } from '../../src/ingest';
import { openStoreLookup } from '../../src/store';
import { pos1ToStart0 } from '../../src/domain/coordinates';
import { readTruth, realFile, tempDir } from '../helpers/fixtures';
import { compareWithTruth } from '../helpers/store-check';
import { AFB } from '../helpers/cli';
import { findAll } from './reliability-ingest-helpers';

const tmp = tempDir();
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const file = realFile(decodeURIComponent(req.url!.slice(1)));
    try {
      res.writeHead(200, { 'content-length': statSync(file).size });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});

async function compare(db: string, truthRel: string): Promise<string[]> {
  const truth = readTruth(truthRel);
  const store = openStoreLookup(db);
  try {
    const records = await findAll(
      store.lookup,
      { assembly: 'GRCh37' },
      truth.rows.map((r) => ({ contig: r.CHROM!, start0: pos1ToStart0(Number(r.POS)), ref: r.REF!, alt: r.ALT! })),
    );
    return compareWithTruth(truth, records, 'd');
  } finally {
    store.close();
  }
}

test('an http URL (BGZF) ingests exactly like the local file', async () => {
  const db = join(tmp.dir, 'url.db');
  await ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', inputs: [base + 'pysam-1kg-indels/15.sites.pop.vcf.gz'] });
  expect(await compare(db, 'pysam-1kg-indels/15.sites.pop.split.tsv')).toEqual([]);
});

test('a URL that answers 404 is a clear error', async () => {
  await expect(ingestVcf({ db: join(tmp.dir, 'u404.db'), dataset: 'd', assembly: 'GRCh37', inputs: [base + 'nothing.vcf.gz'] })).rejects.toThrow(/HTTP 404/);
});

test('a stale .tbi is reported; a matching one is silent', async () => {
  const good = await ingestVcf({ db: join(tmp.dir, 'i1.db'), dataset: 'd', assembly: 'GRCh37', inputs: [realFile('pyvcf-1kg/1kg.bgz.vcf.gz')] , panel: realFile('pyvcf-1kg/1kg.panel.txt') });
  expect(good.warnings).toBeUndefined();
  const vcf = join(tmp.dir, 'stale.vcf.gz');
  copyFileSync(realFile('pysam-1kg-indels/15.sites.pop.vcf.gz'), vcf);
  copyFileSync(realFile('pyvcf-1kg/1kg.sites.pop.vcf.gz.tbi'), vcf + '.tbi');
  const stale = await ingestVcf({ db: join(tmp.dir, 'i2.db'), dataset: 'd', assembly: 'GRCh37', inputs: [vcf] });
  expect(stale.warnings?.[0]).toMatch(/index lists 381 records but the file has 296/);
});

test('the progress bar is drawn on a terminal (stderr) and the report stays clean JSON on stdout', () => {
  const db = join(tmp.dir, 'tty.db');
  const vcf = realFile('variantannotation/chr22.vcf.gz');
  // `script` runs the CLI on a pseudo-terminal, as an operator's shell would.
  const out = execFileSync('script', ['-qfec', `${process.execPath} ${AFB} ingest --db ${db} --dataset d --assembly GRCh37 ${vcf}`, '/dev/null'], { encoding: 'utf8' });
  expect(out).toMatch(/\[#+\.*\] *\d+\.\d% [\d,]+ records/);
  const piped = execFileSync(process.execPath, [AFB, 'ingest', '--db', db, '--dataset', 'd', '--assembly', 'GRCh37', vcf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(JSON.parse(piped).records).toBe(10376);
});
