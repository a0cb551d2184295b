import { readFileSync } from 'node:fs';
import { AfbError } from '../domain/errors';

/** `group<TAB>canonical code[<TAB>label]`, e.g. `nfe<TAB>EUR<TAB>Non-Finnish European`. */
export function readPopulationsFile(file: string): Map<string, { canonical: string; label?: string }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AfbError('INVALID_OPTION', `--populations ${file}: cannot read (${(e as Error).message})`, { cause: e });
  }
  const out = new Map<string, { canonical: string; label?: string }>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const [group, canonical, label] = line.split('\t');
    if (!group || !canonical) throw new AfbError('INVALID_OPTION', `${file}:${i + 1}: expected 'group<TAB>canonical code[<TAB>label]', got '${line.slice(0, 100)}'`);
    out.set(group, { canonical, label: label || undefined });
  });
  return out;
}
