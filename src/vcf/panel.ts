import { promises as fsp } from 'node:fs';
import { AfbError } from '../domain/errors';

export type Sex = 'XX' | 'XY';

export interface PanelEntry {
  group: string;
  sex?: Sex;
  /** True when the sex column wrote it in GoE's form, `M` or `F` (the sex groups are then named M and F). */
  goeSex?: boolean;
  line: number;
}

/**
 * The names of a panel's sex groups: GoE's `M` and `F` when every sex cell is written so (the GDI
 * portal filters on them) and no population group is named M or F; else `XY` and `XX`.
 */
export function sexGroupNames(panel: ReadonlyMap<string, PanelEntry>): Record<Sex, string> {
  const all = [...panel.values()];
  const withSex = all.filter((p) => p.sex);
  // A population group already named M or F keeps the sex groups XY and XX (two groups, never one).
  const clash = all.some((p) => p.group === 'M' || p.group === 'F');
  return withSex.length > 0 && !clash && withSex.every((p) => p.goeSex) ? { XX: 'F', XY: 'M' } : { XX: 'XX', XY: 'XY' };
}

/** `sample<TAB>group[<TAB>sex]`; sex as XX/XY, F/M, female/male or PLINK 2/1. A header line starting with 'sample' is skipped. */
export async function readPanel(file: string): Promise<Map<string, PanelEntry>> {
  const text = await readText(file, 'panel');
  const out = new Map<string, PanelEntry>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const cols = line.split('\t');
    if (i === 0 && /^sample/i.test(cols[0] ?? '')) return;
    if (cols.length < 2 || !cols[0] || !cols[1]) {
      throw new AfbError('INVALID_OPTION', `${file}:${i + 1}: a panel line is 'sample<TAB>group[<TAB>sex]'; got '${line.slice(0, 120)}'`);
    }
    let sex: Sex | undefined;
    if (cols[2] !== undefined && cols[2] !== '') {
      sex = parseSex(cols[2]);
      if (!sex) throw new AfbError('INVALID_OPTION', `${file}:${i + 1}: sex '${cols[2]}' is not one of XX, XY, F, M, female, male, 2, 1`);
    }
    if (out.has(cols[0])) throw new AfbError('INVALID_OPTION', `${file}:${i + 1}: sample '${cols[0]}' is listed twice (first on line ${out.get(cols[0])!.line})`);
    out.set(cols[0], { group: cols[1], sex, ...(sex && /^[MF]$/i.test(cols[2]!.trim()) ? { goeSex: true } : {}), line: i + 1 });
  });
  return out;
}

function parseSex(text: string): Sex | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'xx' || t === 'f' || t === 'female' || t === '2') return 'XX';
  if (t === 'xy' || t === 'm' || t === 'male' || t === '1') return 'XY';
  return undefined;
}

/** One sample id a line; returns id -> line number. */
export async function readSampleList(file: string): Promise<Map<string, number>> {
  const text = await readText(file, 'samples');
  const out = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const id = raw.replace(/\r$/, '').trim();
    if (id === '' || id.startsWith('#')) return;
    if (!out.has(id)) out.set(id, i + 1);
  });
  return out;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new AfbError('INVALID_OPTION', `--${what} ${file}: cannot read the file (${(e as Error).message})`, { cause: e });
  }
}
