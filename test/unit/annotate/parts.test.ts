/**
 * Parts: a lookup is never asked more than partSize variants (a peer refuses a batch over its
 * limit, and `afb annotate --batch-size 10000` was refused by a broker with the default limit
 * when a multi-allelic record crossed it); every record still comes back, in order.
 */
import { annotateVcf, newSummary } from '../../../src/annotate';
import type { AlleleQuery } from '../../../src/domain/lookup';

async function* chunks(lines: string[]): AsyncGenerator<string[]> {
  yield lines;
}

test('a multi-allelic record that would cross partSize starts the next part; records stay in order', async () => {
  const alts = ['G', 'G', 'G,T', 'G', 'G,T,C,AT', 'G'];
  const lines = ['##fileformat=VCFv4.2', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO', ...alts.map((a, i) => `1\t${100 + i}\t.\tA\t${a}\t.\t.\t.`)];
  const asked: number[] = [];
  const find = async (queries: AlleleQuery[]) => {
    asked.push(queries.length);
    return { records: queries.map(() => undefined) };
  };
  let out = '';
  for await (const t of annotateVcf(chunks(lines), find, { format: 'vcf', fields: [], prefix: 'AFB_', source: 's', input: 'in', datasets: [], partSize: 3, inFlight: 2 }, newSummary())) out += t;
  // [G, G] (G,T would make 4), [G,T, G], [G,T,C,AT] (alone: more ALTs than a part holds), [G]
  expect(asked).toEqual([2, 3, 4, 1]);
  expect(out.split('\n').filter((l) => l.startsWith('1\t')).map((l) => l.split('\t')[1])).toEqual(['100', '101', '102', '103', '104', '105']);
});
