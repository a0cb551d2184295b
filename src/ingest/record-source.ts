import { AfbError } from '../domain/errors';
import { parseHeader, type VcfHeader } from '../vcf/header';
import { DEFAULT_MAX_LINE_BYTES, readLineChunks } from '../vcf/line-source';

export interface DataLines {
  firstLine: number;
  lines: string[];
}

/**
 * A VCF split into its header and its data lines (in chunks, with 1-based line numbers).
 * `header()` resolves once the #CHROM line has been read; `data` yields the rest.
 */
export async function* vcfChunks(
  file: string,
  onHeader: (header: VcfHeader) => void,
  onBytes?: (n: number) => void,
  maxLineBytes?: number,
): AsyncGenerator<DataLines> {
  const headerLines: string[] = [];
  let headerChars = 0;
  const maxHeader = maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let header: VcfHeader | undefined;
  for await (const chunk of readLineChunks(file, onBytes, maxLineBytes)) {
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
      onHeader(header);
    }
    yield { firstLine: chunk.firstLine + i, lines: i === 0 ? chunk.lines : chunk.lines.slice(i) };
  }
  if (!header) {
    if (headerLines.length === 0) throw new AfbError('INVALID_VCF', `${file}: the file is empty; a VCF starts with ##fileformat=VCFv4.x and has a #CHROM header line`);
    onHeader(parseHeader(headerLines, file));
  }
}
