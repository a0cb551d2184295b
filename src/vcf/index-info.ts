import { existsSync } from 'node:fs';
import { TabixIndexedFile } from '@gmod/tabix';
import { isUrl } from './line-source';

/**
 * Records per the .tbi/.csi next to a local BGZF file (htslib keeps a mapped-record count per
 * contig in the index), or undefined when there is no index or it cannot be read. Ingest streams
 * the file once and needs no index; it uses this for the progress bar and to notice a stale index.
 */
export async function indexedRecordCount(file: string): Promise<number | undefined> {
  if (isUrl(file)) return undefined;
  const tbi = existsSync(file + '.tbi') ? file + '.tbi' : undefined;
  const csi = !tbi && existsSync(file + '.csi') ? file + '.csi' : undefined;
  if (!tbi && !csi) return undefined;
  try {
    const f = new TabixIndexedFile({ path: file, ...(tbi ? { tbiPath: tbi } : { csiPath: csi }) });
    let total = 0;
    for (const name of await f.getReferenceSequenceNames()) {
      const n = await f.lineCount(name);
      if (n < 0) return undefined;
      total += n;
    }
    return total;
  } catch {
    return undefined;
  }
}
