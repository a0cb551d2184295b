import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { AfbError } from '../domain/errors';
import { parseGeneLine, type GeneSpan } from '../domain/genes';

/**
 * The gene records of a GENCODE/Ensembl GTF or GFF3 file (plain or gzip/bgzip): only `gene` lines
 * are kept (id, symbol, span; domain/genes). A whole GENCODE GTF is read in about half a minute; a
 * file of its gene lines only (`zcat gencode.gtf.gz | awk '$3 == "gene"'`) in a second. A bad gene
 * line stops it, naming file and line.
 */
export async function readGeneFile(file: string, progress?: (genes: number) => void): Promise<GeneSpan[]> {
  let input: NodeJS.ReadableStream;
  try {
    const raw = createReadStream(file);
    await new Promise<void>((resolve, reject) => raw.once('open', () => resolve()).once('error', reject));
    input = /\.b?gz$/.test(file) ? raw.pipe(createGunzip()) : raw;
  } catch (e) {
    throw new AfbError('INVALID_OPTION', `gene table ${file}: cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const genes: GeneSpan[] = [];
  let n = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      n++;
      let g: GeneSpan | undefined;
      try {
        g = parseGeneLine(line);
      } catch (e) {
        throw new AfbError('INVALID_OPTION', `gene table ${file}:${n}: ${(e as Error).message}`);
      }
      if (g) {
        genes.push(g);
        if (progress && genes.length % 10_000 === 0) progress(genes.length);
      }
    }
  } catch (e) {
    if (e instanceof AfbError) throw e;
    throw new AfbError('INVALID_OPTION', `gene table ${file}:${n + 1}: cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (genes.length === 0) throw new AfbError('INVALID_OPTION', `gene table ${file}: no gene records (GTF/GFF3 lines whose third column is 'gene')`);
  return genes;
}
