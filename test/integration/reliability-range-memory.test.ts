/**
 * Issue 16, defect 4: a range count must not load the range into memory. A real `afb serve` on a
 * store with 200,000 variants in one 2 Mb window answers four concurrent counts over that window
 * exactly, and its peak RSS (VmHWM, read from /proc: a memory bound, not a time) grows by less
 * than the rows would take as objects (the old reader built every row of the range, ~100 MB per
 * query here). The store tests show the mechanism: a count reads no record (store-scan-edges).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { tempDir } from '../helpers/fixtures';
import { startAfb } from '../helpers/cli';

const tmp = tempDir();
const N = 200_000;
let db: string;

beforeAll(async () => {
  const vcf = join(tmp.dir, 'dense.vcf');
  const lines = ['##fileformat=VCFv4.2', '##contig=<ID=1,length=249250621>', '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">', '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO'];
  const bases = ['A', 'C', 'G', 'T'];
  for (let i = 0; i < N; i++) lines.push(`1\t${1_000_001 + 10 * i}\t.\t${bases[i % 4]}\t${bases[(i + 1) % 4]}\t.\tPASS\tAC=${i % 50};AN=1000`);
  writeFileSync(vcf, lines.join('\n') + '\n');
  db = join(tmp.dir, 'dense.db');
  await ingestVcf({ db, dataset: 'dense', assembly: 'GRCh37', inputs: [vcf] });
}, 120_000);
afterAll(() => tmp.cleanup());

function peakRssKb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

test('four concurrent counts over 200,000 variants: exact, and the server does not hold the rows', async () => {
  // One process: the peak RSS read below is the serving process's own (under --workers N it would be the idle primary's).
  const child = startAfb(['serve', '--db', db, '--port', '0', '--workers', '1']);
  try {
    let out = '';
    let url: string | undefined;
    for await (const chunk of child.stdout!) {
      out += String(chunk);
      url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (url) break;
    }
    const warm = await fetch(`${url}/api/g_variants?referenceName=1&start=1000000&end=1000100&requestedGranularity=count`);
    expect(warm.status).toBe(200);
    const before = peakRssKb(child.pid!);
    const q = `${url}/api/g_variants?referenceName=1&start=1000000&end=3000000&requestedGranularity=count`;
    const answers = await Promise.all(Array.from({ length: 4 }, () => fetch(q).then((r) => r.json() as Promise<{ responseSummary: { numTotalResults: number } }>)));
    expect(answers.map((a) => a.responseSummary.numTotalResults)).toEqual([N, N, N, N]);
    const grewMb = (peakRssKb(child.pid!) - before) / 1024;
    expect(grewMb).toBeLessThan(48);
  } finally {
    child.kill('SIGTERM');
  }
}, 120_000);
