import { TabixIndexedFile } from '@gmod/tabix';
import { exists, openFilehandle } from './file-handle';

/**
 * Records per the .tbi/.csi next to a BGZF file, local or at an http(s) URL (htslib keeps a
 * mapped-record count per contig in the index), or undefined when there is no index or it cannot
 * be read. Ingest streams the file once and needs no index; it uses this for the progress bar
 * and to notice a stale index.
 */
export async function indexedRecordCount(file: string): Promise<number | undefined> {
  try {
    const tbi = (await exists(file + '.tbi')) ? file + '.tbi' : undefined;
    const csi = !tbi && (await exists(file + '.csi')) ? file + '.csi' : undefined;
    if (!tbi && !csi) return undefined;
    const f = new TabixIndexedFile({
      filehandle: openFilehandle(file),
      ...(tbi ? { tbiFilehandle: openFilehandle(tbi) } : { csiFilehandle: openFilehandle(csi!) }),
    });
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
