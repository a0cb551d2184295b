import { AfbError } from '../domain/errors';
import { parseHeader, type VcfHeader } from '../vcf/header';
import { DEFAULT_MAX_LINE_BYTES, readLineChunks, type LineRuns } from '../vcf/line-source';

export interface DataLines {
  firstLine: number;
  lines: string[];
}

/** Runs of data lines (numbered from 0, the first line after #CHROM) that a reader wants or skips. */
export type DataRuns = (dataLine: number) => { skip: boolean; lines: number };

/**
 * A VCF split into its header and its data lines (in chunks, with 1-based line numbers).
 * `onHeader` is called once the #CHROM line has been read, with the number of the first data
 * line; the chunks are the data lines after it. With `dataRuns`, the skipped runs of data lines
 * are left out (line-source.ts LineRuns): the header is always read whole.
 */
export async function* vcfChunks(
  file: string,
  onHeader: (header: VcfHeader, firstDataLine: number) => void,
  onBytes?: (n: number) => void,
  maxLineBytes?: number,
  dataRuns?: DataRuns,
): AsyncGenerator<DataLines> {
  const headerLines: string[] = [];
  let headerChars = 0;
  const maxHeader = maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let header: VcfHeader | undefined;
  let firstDataLine = 0;
  // Until the header is known, line by line: where the data starts is not known yet.
  const runs: LineRuns | undefined = dataRuns && ((lineNo) => (header ? dataRuns(lineNo - firstDataLine) : { skip: false, lines: 1 }));
  for await (const chunk of readLineChunks(file, onBytes, maxLineBytes, runs)) {
    let i = 0;
    if (!header) {
      while (i < chunk.lines.length && chunk.lines[i]!.startsWith('#')) {
        headerChars += chunk.lines[i]!.length + 1;
        // The header is kept whole until #CHROM: bounded like a line, so endless '##' lines stop too.
        if (headerChars > maxHeader) {
          throw new AfbError('INVALID_VCF', `${file}:${chunk.firstLine + i}: the header is longer than ${maxHeader} bytes (the --max-line-bytes limit) and has no #CHROM line yet`);
        }
        headerLines.push(chunk.lines[i++]!);
      }
      if (i === chunk.lines.length) continue;
      header = parseHeader(headerLines, file);
      firstDataLine = chunk.firstLine + i;
      onHeader(header, firstDataLine);
    }
    yield { firstLine: chunk.firstLine + i, lines: i === 0 ? chunk.lines : chunk.lines.slice(i) };
  }
  if (!header) {
    if (headerLines.length === 0) throw new AfbError('INVALID_VCF', `${file}: the file is empty; a VCF starts with ##fileformat=VCFv4.x and has a #CHROM header line`);
    onHeader(parseHeader(headerLines, file), headerLines.length + 1);
  }
}
