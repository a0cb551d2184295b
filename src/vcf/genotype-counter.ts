import { AfbError } from '../domain/errors';
import type { Assembly } from '../domain/assemblies';
import { expectedPloidy, type Contig } from '../domain/contigs';
import { OVERALL_CODE, OVERALL_KEY, defaultGroupLabel } from '../domain/groups';
import type { CountKind } from '../domain/counts';
import { sexGroupNames, type PanelEntry, type Sex } from './panel';
import type { Slot } from './slots';
import { RecordError } from './record-error';

const KINDS: CountKind[] = ['ac', 'an', 'nhomalt', 'nhet', 'nhemi'];

export interface GenotypeGroup {
  key: string;
  code: string;
  label: string;
}

export interface GenotypeSetup {
  samples: readonly string[];
  panel?: Map<string, PanelEntry>;
  panelFile?: string;
  /** Consent list: only these samples are counted. */
  include?: Map<string, number>;
  includeFile?: string;
  assembly: Assembly;
}

/** Who is counted: the VCF samples, restricted to the panel and the --samples list. */
export interface SampleSelection {
  counted: number;
  notInPanel: number;
  excludedByList: number;
}

/**
 * Counts AC, AN, nhomalt, nhet and nhemi per group from GT, for each ALT. The overall group
 * holds every counted sample; panel groups (and XX/XY when the panel has a sex column) follow.
 */
export class GenotypeCounter {
  readonly groups: GenotypeGroup[];
  readonly slots: Slot[] = [];
  readonly selection: SampleSelection;
  /** The sample ids whose genotypes are counted (the panel's and --samples' choice), in VCF order. */
  readonly countedSamples: string[];
  /** Per VCF sample column: the group indexes it adds to (empty when not counted). */
  private readonly sampleGroups: number[][];
  private readonly sampleSex: (Sex | undefined)[];
  private readonly assembly: Assembly;
  /** Samples whose diploid call on a haploid region was heterozygous, so treated as missing. */
  hetOnHaploid = 0;

  constructor(setup: GenotypeSetup) {
    this.assembly = setup.assembly;
    const vcfSamples = new Set(setup.samples);
    if (setup.include) {
      for (const [id, line] of setup.include) {
        if (!vcfSamples.has(id)) {
          throw new AfbError('UNKNOWN_SAMPLE', `${setup.includeFile}:${line}: sample '${id}' is not in the VCF (it has ${setup.samples.length} samples, e.g. ${setup.samples.slice(0, 3).join(', ')})`);
        }
        if (setup.panel && !setup.panel.has(id)) {
          throw new AfbError('UNKNOWN_SAMPLE', `${setup.includeFile}:${line}: sample '${id}' is not in the panel ${setup.panelFile}, so it has no group`);
        }
      }
    }
    const groupKeys: string[] = [OVERALL_KEY];
    const groupIndex = new Map<string, number>([[OVERALL_KEY, 0]]);
    const addGroup = (key: string): number => {
      let i = groupIndex.get(key);
      if (i === undefined) {
        i = groupKeys.length;
        groupKeys.push(key);
        groupIndex.set(key, i);
      }
      return i;
    };
    const panelHasSex = setup.panel ? [...setup.panel.values()].some((p) => p.sex) : false;
    let notInPanel = 0;
    let excludedByList = 0;
    let counted = 0;
    // Groups in sorted order so that re-ingests with other sample subsets keep the same layout.
    const sexName = setup.panel ? sexGroupNames(setup.panel) : { XX: 'XX', XY: 'XY' };
    if (setup.panel) {
      const keys = [...new Set([...setup.panel.values()].map((p) => p.group))].sort();
      keys.forEach(addGroup);
      if (panelHasSex) {
        [sexName.XX, sexName.XY].forEach(addGroup);
        // Each population split by sex too (EUR_XX, EUR_XY; GoE FI_F, FI_M), as gnomAD's afr_XX: the sex-split counts go wherever a population does.
        const split = new Set([...setup.panel.values()].flatMap((p) => (p.sex ? [popSexKey(p.group, sexName[p.sex])] : [])));
        [...split].sort().forEach(addGroup);
      }
    }
    this.sampleGroups = setup.samples.map((id) => {
      if (setup.include && !setup.include.has(id)) {
        excludedByList++;
        return [];
      }
      if (setup.panel) {
        const p = setup.panel.get(id);
        if (!p) {
          notInPanel++;
          return [];
        }
        counted++;
        const gs = [0, groupIndex.get(p.group)!];
        if (p.sex) gs.push(groupIndex.get(sexName[p.sex])!, groupIndex.get(popSexKey(p.group, sexName[p.sex]))!);
        return gs;
      }
      counted++;
      return [0];
    });
    this.sampleSex = setup.samples.map((id) => setup.panel?.get(id)?.sex);
    this.countedSamples = setup.samples.filter((_, i) => this.sampleGroups[i]!.length > 0);
    this.selection = { counted, notInPanel, excludedByList };
    this.groups = groupKeys.map((key) => ({
      key,
      code: key === OVERALL_KEY ? OVERALL_CODE : key,
      label: key === OVERALL_KEY ? 'Total' : sexName.XX === 'F' && (key === 'F' || key === 'M') ? (key === 'F' ? 'Female (XX)' : 'Male (XY)') : defaultGroupLabel(key),
    }));
    groupKeys.forEach((_, g) => KINDS.forEach((kind) => this.slots.push({ group: g, kind })));
  }

  /**
   * `cols` are the tab-split record columns (FORMAT at 8, samples from 9).
   * Returns one Float64Array per ALT aligned with `slots`.
   */
  count(cols: readonly string[], contig: Contig, start0: number, nAlts: number): Float64Array[] {
    const nGroups = this.groups.length;
    const nk = KINDS.length;
    const out: Float64Array[] = [];
    for (let a = 0; a < nAlts; a++) out.push(new Float64Array(nGroups * nk));
    const format = cols[8];
    if (format === undefined) throw new RecordError('missing_genotypes', 'FORMAT', 'genotype mode needs FORMAT and sample columns');
    const gtIndex = format.split(':').indexOf('GT');
    if (gtIndex < 0) throw new RecordError('missing_genotypes', 'FORMAT', `FORMAT '${format}' has no GT`);
    const an = new Float64Array(nGroups);
    const sexChrom = contig === 'X' || contig === 'Y';
    for (let s = 0; s < this.sampleGroups.length; s++) {
      const gs = this.sampleGroups[s]!;
      if (gs.length === 0) continue;
      const cell = cols[9 + s]!;
      let gt: string;
      if (gtIndex === 0) {
        const colon = cell.indexOf(':');
        gt = colon < 0 ? cell : cell.slice(0, colon);
      } else {
        gt = cell.split(':')[gtIndex] ?? '.';
      }
      let alleles = parseGt(gt, nAlts, 9 + s);
      const sex = this.sampleSex[s];
      if (sex && sexChrom) {
        const ploidy = expectedPloidy(contig, start0, this.assembly, sex);
        if (ploidy === 0) continue;
        if (ploidy === 1 && alleles.length === 2) {
          const [x, y] = alleles as [number, number];
          if (x === y || y < 0) alleles = [x];
          else if (x < 0) alleles = [y];
          else {
            this.hetOnHaploid++;
            continue;
          }
        }
      }
      let called = 0;
      for (const al of alleles) if (al >= 0) called++;
      for (const g of gs) an[g]! += called;
      for (const g of gs) {
        const base = g * nk;
        for (const al of alleles) if (al > 0) out[al - 1]![base]! += 1;
        if (alleles.length === 1) {
          const al = alleles[0]!;
          if (al > 0 && sexChrom) out[al - 1]![base + 4]! += 1;
        } else if (alleles.length === 2) {
          const [x, y] = alleles as [number, number];
          if (x >= 0 && y >= 0) {
            if (x === y) {
              if (x > 0) out[x - 1]![base + 2]! += 1;
            } else {
              if (x > 0) out[x - 1]![base + 3]! += 1;
              if (y > 0) out[y - 1]![base + 3]! += 1;
            }
          }
        }
      }
    }
    for (let a = 0; a < nAlts; a++) {
      for (let g = 0; g < nGroups; g++) {
        out[a]![g * nk + 1] = an[g]!;
        // Hemizygous calls only exist on X/Y outside PAR; elsewhere the count is not applicable.
        if (!sexChrom) out[a]![g * nk + 4] = NaN;
      }
    }
    return out;
  }
}

/** Allele indexes of a GT string (`0|1`, `1/2`, `./1`, `1`); -1 for a missing allele. */
function parseGt(gt: string, nAlts: number, column: number): number[] {
  if (gt === '.' || gt === './.' || gt === '.|.') return gt === '.' ? [-1] : [-1, -1];
  const out: number[] = [];
  let cur = 0;
  let digits = 0;
  let missing = false;
  for (let i = 0; i <= gt.length; i++) {
    const c = i < gt.length ? gt.charCodeAt(i) : 47;
    if (c === 47 || c === 124) {
      if (missing) out.push(-1);
      else if (digits === 0) throw new RecordError('invalid_genotype', `GT (column ${column + 1})`, `GT '${gt}' is not a genotype like 0/1, 1|0, ./1 or 1`);
      else {
        if (cur > nAlts) throw new RecordError('invalid_genotype', `GT (column ${column + 1})`, `GT '${gt}' refers to allele ${cur} but the record has ${nAlts} ALT allele(s)`);
        out.push(cur);
      }
      cur = 0;
      digits = 0;
      missing = false;
    } else if (c === 46) {
      missing = true;
    } else if (c >= 48 && c <= 57 && !missing) {
      cur = cur * 10 + (c - 48);
      digits++;
    } else {
      throw new RecordError('invalid_genotype', `GT (column ${column + 1})`, `GT '${gt}' is not a genotype like 0/1, 1|0, ./1 or 1`);
    }
  }
  return out;
}

/** The key of a population's sex-split group: `EUR` + `XX` -> `EUR_XX` (domain/derived sexOf reads it back). */
function popSexKey(group: string, sex: string): string {
  return `${group}_${sex}`;
}
