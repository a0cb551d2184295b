import { AfbError } from '../domain/errors';
import { parseHeader, type VcfHeader } from '../vcf/header';
import { DEFAULT_MAX_LINE_BYTES, readLineChunks, type LineChunk } from '../vcf/line-source';

export interface DataLines {
  firstLine: number;
  lines: string[];
}

/**
 * A VCF split into its header and its data lines (in chunks, with 1-based line numbers).
 * `onHeader` is called once the #CHROM line has been read, with the number of the first data
 * line; the chunks yielded are the data lines after it. The lines are read from `file`, or
 * taken from `fed` (a parser thread fed blocks of the file: parse-runner.ts).
 */
export async function* vcfChunks(
  file: string,
  onHeader: (header: VcfHeader, firstDataLine: number) => void,
  onBytes?: (n: number) => void,
  maxLineBytes?: number,
  fed?: AsyncIterable<LineChunk>,
): AsyncGenerator<DataLines> {
  const headerLines: string[] = [];
  let headerChars = 0;
  const maxHeader = maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let header: VcfHeader | undefined;
  for await (const chunk of fed ?? readLineChunks(file, onBytes, maxLineBytes)) {
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
      // The header is lines 1..n of the file, so its data starts at n + 1 (a fed thread may not see that line).
      onHeader(header, headerLines.length + 1);
    }
    yield { firstLine: chunk.firstLine + i, lines: i === 0 ? chunk.lines : chunk.lines.slice(i) };
  }
  if (!header) {
    if (headerLines.length === 0) throw new AfbError('INVALID_VCF', `${file}: the file is empty; a VCF starts with ##fileformat=VCFv4.x and has a #CHROM header line`);
    onHeader(parseHeader(headerLines, file), headerLines.length + 1);
  }
}
