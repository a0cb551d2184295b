import type { ProgressListener } from './options';

/**
 * A one-line progress bar on stderr, only when stderr is a terminal (logs and CI stay clean).
 * Redrawn at most 5 times a second.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { listener?: ProgressListener; done(): void } {
  if (!stream.isTTY) return { done() {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  const listener: ProgressListener = (p) => {
    const now = Date.now();
    if (p.step) {
      // Each step is drawn (they are few); the index build takes minutes at 100 M rows.
      const what = { index: 'building the rsID index', publish: 'publishing the new version', drop: 'dropping the previous version' }[p.step];
      stream.write(`\r${p.rows.toLocaleString('en')} rows loaded in ${Math.round((now - started) / 1000)} s; ${what}…\x1b[K`);
      drawn = true;
      return;
    }
    if (now - last < 200) return;
    last = now;
    const secs = (now - started) / 1000;
    const rate = secs > 0 ? Math.round(p.records / secs) : 0;
    const width = 30;
    let bar = '';
    let pct = '';
    // The index's record count is exact; compressed bytes read is the fallback.
    const fraction = p.totalRecords ? p.records / p.totalRecords : p.totalBytes ? p.bytesRead / p.totalBytes : undefined;
    if (fraction !== undefined) {
      const f = Math.min(1, fraction);
      const filled = Math.round(f * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
      pct = `${(f * 100).toFixed(1)}% `;
    }
    const name = p.file.length > 40 ? '…' + p.file.slice(-39) : p.file;
    const eta = fraction && fraction > 0.01 ? ` ETA ${Math.round((secs / fraction) * (1 - fraction))} s` : '';
    stream.write(`\r${bar}${pct}${p.records.toLocaleString('en')} records, ${p.rows.toLocaleString('en')} rows, ${rate.toLocaleString('en')} rec/s${eta}  ${name}\x1b[K`);
    drawn = true;
  };
  return {
    listener,
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
