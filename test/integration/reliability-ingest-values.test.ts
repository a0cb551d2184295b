/**
 * Issue 16, D12/D13/D14: values and names the parser used to take the wrong way. Each bad input
 * is refused naming file, line and field (or the sample), and the published dataset stays as it was.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ingestVcf } from '../../src/ingest';
import type { IngestOptions } from '../../src/ingest';
import { tempDir } from '../helpers/fixtures';
import { canonicalCodes, groupLabels, rowCounts, sitesHeader, snapshot } from './reliability-ingest-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SITES_HEADER = sitesHeader('##INFO=<ID=AF_x,Number=A,Type=Float,Description="Allele frequency in x">');
const GOOD = '1\t100\trs1\tA\tG\t.\tPASS\tAC=3;AN=10;AF_x=0.5';

let n = 0;
function file(lines: string[]): string {
  const p = join(tmp.dir, `f${++n}.vcf`);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

function run(db: string, inputs: string[], extra: Partial<IngestOptions> = {}): Promise<unknown> {
  return ingestVcf({ db, dataset: 'd', assembly: 'GRCh37', runner: 'inline', inputs, ...extra });
}

/** Publish a good version, then check that `bad` fails with `message` and leaves it as it was. */
async function refusedAndUnchanged(bad: string[], message: RegExp, extra: Partial<IngestOptions> = {}): Promise<void> {
  const db = join(tmp.dir, `v${++n}.db`);
  await run(db, [file([...SITES_HEADER, GOOD])]);
  const before = snapshot(db, 'd');
  await expect(run(db, [file(bad)], extra)).rejects.toThrow(message);
  expect(snapshot(db, 'd')).toEqual(before);
}

describe('D12: integer fields take plain decimal integers only', () => {
  test.each([
    ['AC=0x10', 'AC'],
    ['AC=1e1', 'AC'],
    ['AC=+3', 'AC'],
    ['AC=3.0', 'AC'],
    ['AC= 3', 'AC'],
    ['AC=0b11', 'AC'],
    ['AC=Infinity', 'AC'],
  ])('%s is refused with file:line:field', async (ac, field) => {
    const line = `1\t200\t.\tC\tT\t.\tPASS\t${ac};AN=20`;
    await refusedAndUnchanged([...SITES_HEADER, GOOD.replace('100', '50'), line], new RegExp(`f\\d+\\.vcf:7: ${field}: INFO ${ac.replace(/[+.]/g, '\\$&')} is not an integer`));
  });

  test('AN=0x14 on a multi-ALT record is refused too (the slow path)', async () => {
    await refusedAndUnchanged([...SITES_HEADER, '1\t200\t.\tC\tT,G\t.\tPASS\tAC=1,2;AN=0x14'], /:6: AN: INFO AN=0x14 is not an integer/);
  });

  test.each(['0x1', 'Infinity', '1/2', '.5e', 'NaN'])('Float AF_x=%s is refused', async (af) => {
    await refusedAndUnchanged([...SITES_HEADER, `1\t200\t.\tC\tT\t.\tPASS\tAC=1;AN=10;AF_x=${af}`], /:6: AF_x: INFO AF_x=.* is not a (decimal number|frequency)/);
  });

  test('plain decimal and scientific floats are fine for Float fields', async () => {
    const db = join(tmp.dir, 'floats.db');
    await run(db, [file([...SITES_HEADER, '1\t200\t.\tC\tT\t.\tPASS\tAC=1;AN=10;AF_x=1e-3', '1\t300\t.\tC\tT\t.\tPASS\tAC=1;AN=10;AF_x=.25', '1\t400\t.\tC\tT\t.\tPASS\tAC=1;AN=10;AF_x=2.5E-1'])]);
    expect(rowCounts(db, 'd', 1, 199, 'C', 'T')?.get('x')?.get('af')).toBe(0.001);
    expect(rowCounts(db, 'd', 1, 299, 'C', 'T')?.get('x')?.get('af')).toBe(0.25);
    expect(rowCounts(db, 'd', 1, 399, 'C', 'T')?.get('x')?.get('af')).toBe(0.25);
  });
});

describe('D13: duplicate sample names in the header', () => {
  test('are refused naming the sample and both columns', async () => {
    const bad = [
      '##fileformat=VCFv4.2',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS1',
      '1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t0/1',
    ];
    await refusedAndUnchanged(bad, /f\d+\.vcf:3: sample 'S1' appears twice in the #CHROM line \(columns 10 and 12\)/);
  });
});

/** A one-record genotype VCF at 1:100 A>G and its panel: sample -> [group, GT]. */
function genotypes(name: string, samples: Record<string, [string, string]>): { vcf: string; panel: string } {
  const ids = Object.keys(samples);
  const vcf = file([
    '##fileformat=VCFv4.2',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ['#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT', ...ids].join('\t'),
    ['1\t100\t.\tA\tG\t.\tPASS\t.\tGT', ...ids.map((id) => samples[id]![1])].join('\t'),
  ]);
  const panel = join(tmp.dir, `${name}-panel.tsv`);
  writeFileSync(panel, ids.map((id) => `${id}\t${samples[id]![0]}\n`).join(''));
  return { vcf, panel };
}

describe("D14: group names that are Object.prototype's keys", () => {
  const NAMES = ['__proto__', 'constructor', 'toString'];

  test('panel groups __proto__, constructor, toString get exact counts and their own labels', async () => {
    const { vcf, panel } = genotypes('proto', { A1: ['__proto__', '0/1'], A2: ['__proto__', '1/1'], B1: ['constructor', '0/0'], C1: ['toString', '0/1'] });
    const populations = join(tmp.dir, 'proto-pops.tsv');
    writeFileSync(populations, '__proto__\tEUR\tProto people\nconstructor\tAFR\n');
    const db = join(tmp.dir, 'proto.db');
    await run(db, [vcf], { panel, populations });
    const counts = rowCounts(db, 'd', 1, 99, 'A', 'G')!;
    expect(Object.fromEntries(counts.get('__proto__')!)).toEqual({ ac: 3, an: 4, nhomalt: 1, nhet: 1, nhemi: undefined });
    expect(Object.fromEntries(counts.get('constructor')!)).toEqual({ ac: 0, an: 2, nhomalt: 0, nhet: 0, nhemi: undefined });
    expect(Object.fromEntries(counts.get('toString')!)).toEqual({ ac: 1, an: 2, nhomalt: 0, nhet: 1, nhemi: undefined });
    expect(Object.fromEntries(counts.get('')!)).toEqual({ ac: 4, an: 8, nhomalt: 1, nhet: 2, nhemi: undefined });
    // --populations names them too (a Map, so '__proto__' is an ordinary key)
    expect(new Map(groupLabels(db, 'd')).get('__proto__')).toBe('Proto people');
    expect(canonicalCodes(db, 'd')).toEqual([['', undefined], ['__proto__', 'EUR'], ['constructor', 'AFR'], ['toString', undefined]]);
  });

  // domain/groups.ts once labelled 'constructor' "function Object() { [native code] }" (a plain-object lookup).
  test('groups without a label get their key as label, not an Object.prototype member', async () => {
    const { vcf, panel } = genotypes('proto-2', { A1: ['constructor', '0/1'], B1: ['toString', '0/0'] });
    const db = join(tmp.dir, 'proto-labels.db');
    await run(db, [vcf], { panel });
    const labels = new Map(groupLabels(db, 'd'));
    expect(labels.get('constructor')).toBe('constructor');
    expect(labels.get('toString')).toBe('toString');
  });

  test('INFO-derived groups and --fields keys named like Object.prototype keys', async () => {
    const header = sitesHeader(
      ...NAMES.flatMap((g) => [
        `##INFO=<ID=AC_${g},Number=A,Type=Integer,Description="Allele count">`,
        `##INFO=<ID=AN_${g},Number=1,Type=Integer,Description="Allele number">`,
      ]),
    );
    const vcf = file([...header, '1\t100\t.\tA\tG\t.\tPASS\tAC=6;AN=30;AC___proto__=1;AN___proto__=10;AC_constructor=2;AN_constructor=10;AC_toString=3;AN_toString=10']);
    const db = join(tmp.dir, 'proto-sites.db');
    await run(db, [vcf]);
    const counts = rowCounts(db, 'd', 1, 99, 'A', 'G')!;
    NAMES.forEach((g, i) => expect(Object.fromEntries(counts.get(g)!)).toEqual({ ac: i + 1, an: 10 }));
    const fields = join(tmp.dir, 'proto-fields.json');
    writeFileSync(fields, JSON.stringify({ groups: [{ key: '', ac: 'AC', an: 'AN' }, ...NAMES.map((g) => ({ key: g, ac: `AC_${g}`, an: `AN_${g}` }))] }));
    await run(db, [vcf], { fields });
    const mapped = rowCounts(db, 'd', 1, 99, 'A', 'G')!;
    NAMES.forEach((g, i) => expect(Object.fromEntries(mapped.get(g)!)).toEqual({ ac: i + 1, an: 10 }));
  });
});

test("D14: a contig named 'constructor' or '__proto__' is counted and listed like any other", async () => {
  const vcf = file([...SITES_HEADER, 'constructor\t100\t.\tA\tG\t.\tPASS\tAC=1;AN=10', '__proto__\t100\t.\tA\tG\t.\tPASS\tAC=2;AN=10']);
  const db = join(tmp.dir, 'proto-contigs.db');
  const report = (await run(db, [vcf])) as { contigs: Record<string, number> };
  expect(Object.entries(report.contigs)).toEqual([['constructor', 1], ['__proto__', 1]]);
  const meta = snapshot(db, 'd').meta as { contigs: Record<string, unknown> };
  expect(Object.entries(meta.contigs)).toEqual([['constructor', { rows: 1, maxSpan: 1 }], ['__proto__', { rows: 1, maxSpan: 1 }]]);
});
