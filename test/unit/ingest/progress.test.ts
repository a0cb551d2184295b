/** The progress bar names the publish steps after the last row (the index build takes minutes at 100 M rows). */
import { terminalProgress } from '../../../src/ingest/progress';

function fakeTty(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = { isTTY: true, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

test('each publish step is drawn with the rows loaded, whatever the redraw interval', () => {
  const tty = fakeTty();
  const p = terminalProgress(tty.stream);
  const base = { bytesRead: 0, records: 1000, rows: 1234, file: 'x.vcf.gz' };
  p.listener!({ ...base, step: 'index' });
  p.listener!({ ...base, step: 'publish' });
  p.listener!({ ...base, step: 'drop' });
  expect(tty.text()).toMatch(/1,234 rows loaded in \d+ s; building the rsID index/);
  expect(tty.text()).toMatch(/publishing the new version/);
  expect(tty.text()).toMatch(/dropping the previous version/);
});

test('no terminal, no bar', () => {
  expect(terminalProgress({ isTTY: false } as unknown as NodeJS.WriteStream).listener).toBeUndefined();
});
