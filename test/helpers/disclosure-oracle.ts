/**
 * The disclosure oracle (DESIGN §11): what an attacker can derive about withheld counts from
 * everything it fetched. Observations (wire records from every door, TSV rows, "exists" answers)
 * are joined per cell (variant × dataset entry × population × count kind); a cell visible through
 * one door and withheld through another is a leak by itself. Then, per group of linked entries, an
 * integer program (HiGHS, wasm) holds every linear fact the counts obey and the attacker knows:
 *
 * - per group: ac = het + 2·hom (+ hemi) where the true counts satisfy it (half calls break it in
 *   real data; where they do, ac ≥ het + 2·hom + hemi), het ≤ an − ac, 0 ≤ cell ≤ an;
 * - per site and group: Σ over the ALT alleles of ac ≤ an;
 * - across groups: the sum relations the dataset's structure gives (Total = Σ panel groups,
 *   Total = XX + XY, ...), per kind, AN included; a small group's hidden AN ≤ 2k − 2;
 * - across entries: a broker's pooled population = Σ its contributors' same population, per kind;
 * - the rule itself. `rule` model: the attacker sees which layers of an entry are withheld and
 *   knows why a layer is withheld (some cell of it, or a reference count, is in 1..k−1, or a small
 *   group has a carrier, unless a contributor's markers explain it), and that a small group of an
 *   entry whose allele layer is visible has no carrier. `intervals` model (stronger than any real
 *   attacker): it is told which withheld cells are primary, each in 1..k−1.
 *
 * A withheld cell is determined when no feasible solution gives it a value other than its true one.
 * Bound propagation over the rows settles the cells it pins to one value (most are a small group's
 * zeros) without the solver; the solver is asked only for solutions showing the other cells open.
 */
import type { Highs } from 'highs';
const loadHighs = require('highs') as () => Promise<Highs>;

export type Kind = 'ac' | 'an' | 'nhomalt' | 'nhet' | 'nhemi';
const KINDS: Kind[] = ['ac', 'an', 'nhomalt', 'nhet', 'nhemi'];
const GENO: Kind[] = ['nhomalt', 'nhet', 'nhemi'];
const WIRE: Record<string, Kind> = {
  alleleCount: 'ac',
  alleleNumber: 'an',
  alleleCountHomozygous: 'nhomalt',
  alleleCountHeterozygous: 'nhet',
  alleleCountHemizygous: 'nhemi',
};
const TSV: Record<string, Kind> = { alleleCount: 'ac', alleleNumber: 'an', homozygous: 'nhomalt', heterozygous: 'nhet', hemizygous: 'nhemi' };

interface PopObs {
  values: Partial<Record<Kind, number>>;
  withheld: Set<Kind>;
  canonical?: string;
}

interface EntryObs {
  variant: string;
  site: string;
  entry: string;
  minCount?: number;
  contributors?: string[];
  pops: Map<string, PopObs>;
}

/** A cell's key: variant|entry|population|kind. */
export const cellKey = (variant: string, entry: string, pop: string, kind: Kind): string => `${variant}|${entry}|${pop}|${kind}`;

/** Everything an attacker fetched, joined per cell. */
export class Knowledge {
  readonly entries = new Map<string, EntryObs>();
  /** Cells seen with two values, or visible through one door and withheld through another. */
  readonly conflicts: string[] = [];
  /** Visible counts in 1..k-1 (none may exist). */
  readonly smallVisible: string[] = [];
  observations = 0;
  /** How a dataset id of the answers being added is named here (a node's `kg` is a broker's `n0:kg`: one entry). */
  rename: (datasetId: string) => string = (id) => id;

  private entryOf(variant: string, entryId: string): EntryObs {
    const entry = entryId.includes('(') ? entryId : this.rename(entryId);
    const key = `${variant}|${entry}`;
    let e = this.entries.get(key);
    if (!e) {
      const [contig, pos] = variant.split('-');
      e = { variant, site: `${contig}-${pos}`, entry, pops: new Map() };
      this.entries.set(key, e);
    }
    return e;
  }

  private pop(e: EntryObs, code: string): PopObs {
    let p = e.pops.get(code);
    if (!p) e.pops.set(code, (p = { values: {}, withheld: new Set() }));
    return p;
  }

  private see(e: EntryObs, code: string, kind: Kind, value: number | 'withheld'): void {
    this.observations++;
    const p = this.pop(e, code);
    const key = cellKey(e.variant, e.entry, code, kind);
    if (value === 'withheld') {
      if (p.values[kind] !== undefined) this.conflicts.push(`${key}: visible ${p.values[kind]} and withheld`);
      p.withheld.add(kind);
      return;
    }
    if (p.withheld.has(kind)) this.conflicts.push(`${key}: withheld and visible ${value}`);
    if (p.values[kind] !== undefined && p.values[kind] !== value) this.conflicts.push(`${key}: ${p.values[kind]} and ${value}`);
    p.values[kind] = value;
    const k = e.minCount ?? 1;
    if (kind !== 'an' && value >= 1 && value <= k - 1) this.smallVisible.push(`${key}=${value}`);
  }

  /** Utility: dataset entries shown whole, and entries whose carrier counts are withheld. */
  entryCounts(): { shown: number; withheld: number } {
    let withheld = 0;
    for (const e of this.entries.values()) if ([...e.pops.values()].some((p) => p.withheld.has('ac'))) withheld++;
    return { shown: this.entries.size - withheld, withheld };
  }

  /** True when a cell's population was withheld as too small to publish (its AN hidden). */
  inSmallGroup(key: string): boolean {
    const [variant, entry, pop] = key.split('|');
    return this.entries.get(`${variant}|${entry}`)?.pops.get(pop!)?.withheld.has('an') ?? false;
  }

  /** One wire record (any door's JSON). */
  addRecord(r: any): void {
    for (const f of [...(r.frequencyInPopulations ?? []), ...(r.frequencyInPopulationsWithheld ?? [])]) {
      // A pooled entry is a sum over its contributors: a query scoped to some datasets gets another sum, another entry.
      const id = Array.isArray(f.contributors) ? `${f.datasetId}(${f.contributors.map(this.rename).sort().join(',')})` : f.datasetId;
      const e = this.entryOf(r.variantId, id);
      if (typeof f.minCount === 'number') e.minCount = Math.max(e.minCount ?? 1, f.minCount);
      if (Array.isArray(f.contributors)) e.contributors = f.contributors.map(this.rename);
      for (const p of f.frequencies ?? []) {
        if (p.populationCanonical) this.pop(e, p.population).canonical = p.populationCanonical;
        for (const [name, kind] of Object.entries(WIRE)) if (typeof p[name] === 'number') this.see(e, p.population, kind, p[name]);
        for (const name of p.countsWithheld ?? []) if (WIRE[name]) this.see(e, p.population, WIRE[name]!, 'withheld');
        // A frequency beside a hidden count would give it back.
        if (p.alleleCount === undefined && typeof p.alleleNumber === 'number' && p.alleleFrequency > 0) this.see(e, p.population, 'ac', Math.round(p.alleleFrequency * p.alleleNumber));
      }
      for (const p of f.populationsWithheld ?? []) {
        if (p.populationCanonical) this.pop(e, p.population).canonical = p.populationCanonical;
        if (typeof p.alleleNumber === 'number') this.see(e, p.population, 'an', p.alleleNumber);
        for (const name of p.countsWithheld ?? []) if (WIRE[name]) this.see(e, p.population, WIRE[name]!, 'withheld');
      }
    }
  }

  /** A TSV body (any door): the `withheld` column names the empty cells that are withheld. */
  addTsv(text: string): void {
    const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const cols = lines[0]!.split('\t');
    const rows = lines.slice(1).map((l) => l.split('\t'));
    const col = (c: string[], n: string): string => c[cols.indexOf(n)] ?? '';
    // A pooled row's contributors are the variant's other entries in the same answer.
    const others = new Map<string, Set<string>>();
    for (const c of rows) if (col(c, 'datasetId') !== 'pooled') others.set(col(c, 'variantId'), (others.get(col(c, 'variantId')) ?? new Set()).add(this.rename(col(c, 'datasetId'))));
    for (const c of rows) {
      const at = (n: string): string => col(c, n);
      if (at('variantId') === '') continue;
      const id = at('datasetId') === 'pooled' ? `pooled(${[...(others.get(at('variantId')) ?? [])].sort().join(',')})` : at('datasetId');
      const e = this.entryOf(at('variantId'), id);
      const withheld = at('withheld').split(',').filter(Boolean);
      for (const [col, kind] of Object.entries(TSV)) {
        const v = at(col);
        if (v !== '') this.see(e, at('population'), kind, Number(v));
      }
      for (const name of withheld) if (WIRE[name]) this.see(e, at('population'), WIRE[name]!, 'withheld');
    }
  }
}

/** Sum relations among the groups of one dataset entry: parent = Σ children (exact) or parent ≥ Σ children. */
export interface Relation {
  parent: string;
  children: string[];
  exact: boolean;
}

export interface AuditOptions {
  /** The structure the attacker knows for a dataset entry id. */
  relations: (entry: string) => Relation[];
  /** True counts (cellKey → value) of every cell, from an open server. */
  truth: Map<string, number>;
  model: 'rule' | 'intervals';
  /** k when an entry does not say (it says whenever it withheld something). */
  k: number;
  /** Canonical pooling key of a contributor population (pooled entries only). */
  canonical?: (code: string, given?: string) => string;
}

export interface AuditResult {
  withheldCells: number;
  checked: number;
  determined: string[];
  determinedZero: string[];
  components: number;
  solves: number;
  /** Withheld cells settled (as determined) by propagation alone, without a solver call. */
  propagated: number;
}

let highsOnce: Promise<Highs> | undefined;

/** Per linked component, which withheld cells have a single feasible value. */
export async function audit(kn: Knowledge, o: AuditOptions): Promise<AuditResult> {
  const highs = await (highsOnce ??= loadHighs());
  const res: AuditResult = { withheldCells: 0, checked: 0, determined: [], determinedZero: [], components: 0, solves: 0, propagated: 0 };
  for (const comp of components(kn)) {
    res.components++;
    const m = new Model(o, comp);
    m.build(kn);
    if (m.hidden.length === 0) continue;
    res.withheldCells += m.hidden.length;
    let base = m.text();
    // The true table must be a solution, else an identity or a rule fact is wrong (and the audit meaningless).
    // Checked row by row here (the binaries follow from the table); the solver is asked only if that fails.
    if (!m.satisfiedAt(m.truth)) {
      res.solves++;
      const atTruth = m.hidden.map((h, i) => ` t${i}: ${h.v} = ${h.truth}\n`).join('');
      if (!feasible(highs, base, atTruth)) {
        throw new Error(`the true counts do not satisfy the model of ${comp.map((e) => `${e.variant}|${e.entry}`).join(', ')}: a wrong identity\n${base}\n${m.hidden.map((h) => `${h.v} ${h.key}=${h.truth}`).join('\n')}`);
      }
    }
    // Propagating the rows gives bounds every solution obeys: a cell whose bounds meet is determined
    // without a solver call; only the others need a solution that shows another value.
    const bounds = m.propagate();
    base = m.text();
    const open = new Set<Hidden>();
    for (const h of m.hidden) {
      const [lo, hi] = bounds.get(h.v)!;
      if (h.truth < lo || h.truth > hi) throw new Error(`propagation excluded the true value of ${h.key}=${h.truth} (${lo}..${hi}): a wrong identity`);
      if (lo < hi) open.add(h);
    }
    res.propagated += m.hidden.length - open.size;
    // Any solution whose value of a cell differs from the truth shows that cell undetermined: a few
    // objectives (all up, all down) settle most open cells at once; the rest are asked one by one.
    const settle = (cols: Record<string, { Primal: number }> | undefined): void => {
      for (const h of [...open]) if (cols && Math.round(cols[h.v]!.Primal) !== h.truth) open.delete(h);
    };
    for (const dir of ['Maximize', 'Minimize']) {
      if (open.size === 0) break;
      res.solves++;
      settle(solve(highs, m.text(dir, [...open].map((h) => h.v)), ''));
    }
    // Then objectives pulling each open cell the way its bounds leave room for (a cell at its lower
    // bound up, at its upper bound down, else either), with varied weights so that cells competing
    // for the same room take turns, until a round settles few.
    for (let round = 0; open.size > 4 && round < 12; round++) {
      const before = open.size;
      const terms = [...open].map((h, i) => {
        const [lo, hi] = bounds.get(h.v)!;
        const up = h.truth === lo ? true : h.truth === hi ? false : (i + round) % 2 === 0;
        return `${up ? '+' : '-'} ${1 + ((i * 7 + round * 13) % 5)} ${h.v}`;
      });
      res.solves++;
      settle(solve(highs, m.text('Maximize', terms), ''));
      if (before - open.size < 3) break;
    }
    for (const h of m.hidden) {
      res.checked++;
      const [lo, hi] = bounds.get(h.v)!;
      if (lo === hi) {
        (h.truth === 0 ? res.determinedZero : res.determined).push(`${h.key}=${h.truth}`);
        continue;
      }
      if (!open.has(h)) continue;
      // Only the directions the bounds leave room for.
      let cols: Record<string, { Primal: number }> | undefined;
      if (h.truth < hi) {
        res.solves++;
        cols = solve(highs, base, ` chk: ${h.v} >= ${h.truth + 1}\n`);
      }
      if (!cols && h.truth > lo) {
        res.solves++;
        cols = solve(highs, base, ` chk: ${h.v} <= ${h.truth - 1}\n`);
      }
      settle(cols);
      if (open.has(h)) (h.truth === 0 ? res.determinedZero : res.determined).push(`${h.key}=${h.truth}`);
    }
  }
  return res;
}

function feasible(highs: Highs, base: string, extra: string): boolean {
  return solve(highs, base, extra) !== undefined;
}

/** The primal values of a feasible solution, or undefined when infeasible. */
function solve(highs: Highs, base: string, extra: string): Record<string, { Primal: number }> | undefined {
  const r = highs.solve(base.replace('\\EXTRA\n', extra), { time_limit: 20, output_flag: false } as never);
  if (r.Status === 'Optimal') return r.Columns as unknown as Record<string, { Primal: number }>;
  if (r.Status === 'Infeasible') return undefined;
  throw new Error(`solver status ${r.Status}`);
}

/** Entries linked by identities: the ALT alleles of one site in one dataset; a pooled entry and its contributors. */
function components(kn: Knowledge): EntryObs[][] {
  const parent = new Map<EntryObs, EntryObs>();
  const find = (e: EntryObs): EntryObs => {
    let r = e;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: EntryObs, b: EntryObs): void => void parent.set(find(a), find(b));
  const all = [...kn.entries.values()];
  all.forEach((e) => parent.set(e, e));
  const bySite = new Map<string, EntryObs>();
  for (const e of all) {
    const k = `${e.site}|${e.entry}`;
    if (bySite.has(k)) union(e, bySite.get(k)!);
    else bySite.set(k, e);
    for (const c of e.contributors ?? []) {
      const x = kn.entries.get(`${e.variant}|${c}`);
      if (x) union(e, x);
    }
  }
  const out = new Map<EntryObs, EntryObs[]>();
  for (const e of all) {
    const r = find(e);
    if (!out.has(r)) out.set(r, []);
    out.get(r)!.push(e);
  }
  return [...out.values()];
}

interface Hidden {
  key: string;
  v: string;
  truth: number;
}

/** One component's integer program, as CPLEX LP text. */
class Model {
  private n = 0;
  private readonly vars = new Map<string, string>();
  private readonly rows: string[] = [];
  private readonly ints: string[] = [];
  private readonly bins: string[] = [];
  /** The rows and bounds as data, for propagation and for checking the true table without the solver. */
  private readonly facts: { terms: [number, string][]; op: '=' | '>=' | '<='; rhs: number }[] = [];
  private readonly range = new Map<string, [number, number]>();
  /** The true value of every withheld cell's variable (hidden AN included). */
  readonly truth = new Map<string, number>();
  private readonly options: { b: string; terms: [number, string][]; bounded: boolean; k: number }[] = [];
  readonly hidden: Hidden[] = [];
  private static readonly M = 1_000_000;

  constructor(
    private readonly o: AuditOptions,
    private readonly comp: EntryObs[],
  ) {}

  private k(e: EntryObs): number {
    return e.minCount ?? this.o.k;
  }

  /** The variable of a cell (created on first use): fixed when visible, bounded when withheld. */
  private cell(e: EntryObs, pop: string, kind: Kind): string | undefined {
    const key = cellKey(e.variant, e.entry, pop, kind);
    const seen = this.vars.get(key);
    if (seen) return seen;
    const p = e.pops.get(pop);
    if (!p || (p.values[kind] === undefined && !p.withheld.has(kind))) return undefined;
    const v = `x${this.n++}`;
    this.vars.set(key, v);
    this.ints.push(v);
    if (p.values[kind] !== undefined) {
      this.range.set(v, [p.values[kind]!, p.values[kind]!]);
    } else {
      const truth = this.o.truth.get(key) ?? this.pooledTruth(e, pop, kind);
      if (truth === undefined) throw new Error(`no true value for withheld ${key}`);
      this.range.set(v, [0, Model.M]);
      // AN is not a carrier count (it stays exact, DESIGN §9): a small group's AN is a variable, not audited.
      this.truth.set(v, truth);
      if (kind !== 'an') this.hidden.push({ key, v, truth });
    }
    return v;
  }

  /** A pooled entry's true value: the sum of its contributors' (the truth lists only the whole federation's pooled rows). */
  private pooledTruth(e: EntryObs, pop: string, kind: Kind): number | undefined {
    if (!e.contributors || !this.kn) return undefined;
    const canon = this.o.canonical ?? ((c: string, g?: string) => g ?? c);
    const key = canon(pop, e.pops.get(pop)?.canonical);
    let sum = 0;
    for (const c of e.contributors) {
      const x = this.kn.entries.get(`${e.variant}|${c}`);
      for (const [code, q] of x?.pops ?? []) {
        if (canon(code, q.canonical) !== key) continue;
        const t = this.o.truth.get(cellKey(e.variant, c, code, kind));
        if (t === undefined) return undefined;
        sum += t;
      }
    }
    return sum;
  }

  private row(terms: [number, string | undefined][], op: '=' | '>=' | '<=', rhs: number): void {
    const t = terms.filter((x): x is [number, string] => x[1] !== undefined);
    if (t.length === 0) return;
    this.facts.push({ terms: t, op, rhs });
    this.rows.push(` r${this.rows.length}: ${t.map(([c, v]) => `${c >= 0 ? '+' : '-'} ${Math.abs(c)} ${v}`).join(' ')} ${op} ${rhs}`);
  }

  /**
   * Bounds every feasible solution obeys, by propagating the rows (each variable's range narrowed
   * by what the others' ranges leave, until nothing moves). Outer bounds only: a cell whose range
   * closes to one value is determined; one left open still needs a solution showing another value.
   */
  propagate(): Map<string, [number, number]> {
    const lo = new Map<string, number>();
    const hi = new Map<string, number>();
    for (const [v, [a, b]] of this.range) {
      lo.set(v, a);
      hi.set(v, b);
    }
    for (const b of this.bins) {
      lo.set(b, 0);
      hi.set(b, 1);
    }
    // Every row as Σ c·x ≤ rhs.
    const le: { terms: [number, string][]; rhs: number }[] = [];
    for (const f of this.facts) {
      if (f.op !== '>=') le.push({ terms: f.terms, rhs: f.rhs });
      if (f.op !== '<=') le.push({ terms: f.terms.map(([c, v]): [number, string] => [-c, v]), rhs: -f.rhs });
    }
    const eps = 1e-9;
    for (let pass = 0, moved = true; moved && pass < 200; pass++) {
      moved = false;
      for (const r of le) {
        // Each term's least value; a bound narrowed within the row leaves `min` low, which is still sound.
        const least = r.terms.map(([c, v]) => (c > 0 ? c * lo.get(v)! : c * hi.get(v)!));
        const min = least.reduce((a, b) => a + b, 0);
        r.terms.forEach(([c, v], i) => {
          const room = (r.rhs - (min - least[i]!)) / c;
          if (c > 0) {
            const nb = Math.floor(room + eps);
            if (nb < hi.get(v)!) {
              hi.set(v, nb);
              moved = true;
            }
          } else {
            const nb = Math.ceil(room - eps);
            if (nb > lo.get(v)!) {
              lo.set(v, nb);
              moved = true;
            }
          }
          if (lo.get(v)! > hi.get(v)!) throw new Error(`the rows contradict each other at ${v}: a wrong identity`);
        });
      }
    }
    // The solver is given the narrowed bounds too (a big-M model solves much faster inside tight ones).
    for (const [v] of this.range) this.range.set(v, [lo.get(v)!, hi.get(v)!]);
    return new Map(this.range);
  }

  /** The binaries' values at the true table: an option holds when its expression is in range. */
  satisfiedAt(values: Map<string, number>): boolean {
    const val = new Map(values);
    for (const [v, [a, b]] of this.range) if (a === b) val.set(v, a);
    for (const d of this.options) {
      const x = d.terms.reduce((s, [c, v]) => s + c * val.get(v)!, 0);
      val.set(d.b, x >= 1 && (!d.bounded || x <= d.k - 1) ? 1 : 0);
    }
    return this.facts.every((f) => {
      const x = f.terms.reduce((s, [c, v]) => s + c * val.get(v)!, 0);
      return f.op === '=' ? x === f.rhs : f.op === '<=' ? x <= f.rhs : x >= f.rhs;
    });
  }

  private truthOf(e: EntryObs, pop: string, kind: Kind): number | undefined {
    const p = e.pops.get(pop);
    return p?.values[kind] ?? this.o.truth.get(cellKey(e.variant, e.entry, pop, kind));
  }

  private kn?: Knowledge;

  build(kn: Knowledge): void {
    this.kn = kn;
    for (const e of this.comp) this.groupFacts(e);
    this.siteFacts();
    for (const e of this.comp) this.relationFacts(e);
    for (const e of this.comp) if (e.contributors) this.poolFacts(kn, e);
    for (const e of this.comp) (this.o.model === 'rule' ? this.ruleFacts(kn, e) : this.intervalFacts(e));
  }

  private groupFacts(e: EntryObs): void {
    for (const [code, p] of e.pops) {
      const [ac, an, hom, het, hemi] = KINDS.map((k) => this.cell(e, code, k));
      // A hidden AN is a group too small to publish (n < k), except in a pooled row, where it is a sum with a hidden part.
      if (an && p.withheld.has('an') && !e.contributors) this.row([[1, an]], '<=', 2 * this.k(e) - 2);
      if (ac && an) this.row([[1, ac], [-1, an]], '<=', 0);
      for (const g of [hom, het, hemi]) if (g && an) this.row([[1, g], [-1, an]], '<=', 0);
      if (ac && (hom || het || hemi)) {
        const t = (k: Kind): number => this.truthOf(e, code, k) ?? 0;
        const exact = t('ac') === t('nhet') + 2 * t('nhomalt') + t('nhemi');
        this.row([[1, ac], [-1, het], [-2, hom], [-1, hemi]], exact ? '=' : '>=', 0);
      }
      if (het && an && ac) this.row([[1, het], [-1, an], [1, ac]], '<=', 0);
      // Every record answered was found: its overall group has a carrier, when that is true.
      if (code === 'Total' && ac && (this.truthOf(e, code, 'ac') ?? 0) >= 1) this.row([[1, ac]], '>=', 1);
    }
  }

  /** Σ over a site's ALT alleles of ac ≤ an, per dataset and group. */
  private siteFacts(): void {
    const bySite = new Map<string, EntryObs[]>();
    for (const e of this.comp) {
      const k = `${e.site}|${e.entry}`;
      bySite.set(k, [...(bySite.get(k) ?? []), e]);
    }
    for (const alts of bySite.values()) {
      if (alts.length < 2) continue;
      for (const code of alts[0]!.pops.keys()) {
        const an = this.cell(alts[0]!, code, 'an');
        this.row([...alts.map((e): [number, string | undefined] => [1, this.cell(e, code, 'ac')]), [-1, an]], '<=', 0);
      }
    }
  }

  private relationFacts(e: EntryObs): void {
    for (const r of this.o.relations(e.entry)) {
      if (!e.pops.has(r.parent) || r.children.some((c) => !e.pops.has(c))) continue;
      for (const kind of KINDS) {
        const parent = this.cell(e, r.parent, kind);
        const kids = r.children.map((c) => this.cell(e, c, kind));
        if (!parent || kids.some((x) => !x)) continue;
        this.row([[1, parent], ...kids.map((x): [number, string | undefined] => [-1, x])], r.exact ? '=' : '>=', 0);
      }
    }
  }

  private poolFacts(kn: Knowledge, pooled: EntryObs): void {
    const canon = this.o.canonical ?? ((c: string, g?: string) => g ?? c);
    const parts = pooled.contributors!.map((c) => kn.entries.get(`${pooled.variant}|${c}`)).filter((x): x is EntryObs => x !== undefined);
    if (parts.length !== pooled.contributors!.length) throw new Error(`pooled ${pooled.variant}: a contributor's entry was never seen`);
    for (const [code, p] of pooled.pops) {
      const key = canon(code, p.canonical);
      for (const kind of KINDS) {
        const terms: [number, string | undefined][] = [[1, this.cell(pooled, code, kind)]];
        let complete = terms[0]![1] !== undefined;
        for (const e of parts) {
          for (const [c, q] of e.pops) {
            if (canon(c, q.canonical) !== key) continue;
            const x = this.cell(e, c, kind);
            if (!x) complete = false;
            terms.push([-1, x]);
          }
        }
        if (complete) this.row(terms, '=', 0);
      }
    }
  }

  /** The attacker knows the rule: why each withheld layer of this entry is withheld. */
  private ruleFacts(kn: Knowledge, e: EntryObs): void {
    const k = this.k(e);
    const small = [...e.pops].filter(([, p]) => p.withheld.has('an'));
    const big = [...e.pops].filter(([, p]) => !p.withheld.has('an'));
    const allelesHidden = big.some(([, p]) => p.withheld.has('ac'));
    const genoHidden = big.some(([, p]) => GENO.some((g) => p.withheld.has(g)));
    const parts = (e.contributors ?? []).map((c) => kn.entries.get(`${e.variant}|${c}`)!);
    // A pooled layer is withheld whenever a contributor withheld any of its counts (layer or small group).
    const inheritedA = parts.some((x) => [...x.pops.values()].some((p) => p.withheld.has('ac')));
    const inheritedG = inheritedA || parts.some((x) => [...x.pops.values()].some((p) => GENO.some((g) => p.withheld.has(g))));
    // Visible allele counts mean no trigger fired: the small groups have no carrier.
    if (!e.contributors && !allelesHidden && big.some(([, p]) => p.values.ac !== undefined)) for (const [code] of small) this.row([[1, this.cell(e, code, 'ac')]], '=', 0);
    if (allelesHidden && !inheritedA) {
      const options: [[number, string | undefined][], number, boolean][] = [];
      for (const [code] of big) {
        const ac = this.cell(e, code, 'ac');
        const an = this.cell(e, code, 'an');
        options.push([[[1, ac]], 0, true]);
        options.push([[[1, an], [-1, ac]], 0, true]);
        for (const g of GENO) options.push([[[1, this.cell(e, code, g)]], 0, true]);
      }
      for (const [code] of small) options.push([[[1, this.cell(e, code, 'ac')]], 0, false]);
      this.disjunction(options, k);
    }
    if (genoHidden && !allelesHidden && !inheritedG) {
      const options: [[number, string | undefined][], number, boolean][] = [];
      for (const [code, p] of big) for (const g of GENO) if (p.withheld.has(g)) options.push([[[1, this.cell(e, code, g)]], 0, true]);
      this.disjunction(options, k);
    }
  }

  /** At least one option holds: expression in 1..k-1 (bounded) or ≥ 1 (unbounded). */
  private disjunction(options: [[number, string | undefined][], number, boolean][], k: number): void {
    const bs: string[] = [];
    for (const [terms, , bounded] of options) {
      if (terms.some(([, v]) => v === undefined)) continue;
      const b = `b${this.bins.length}`;
      this.bins.push(b);
      bs.push(b);
      this.options.push({ b, terms: terms as [number, string][], bounded, k });
      this.row([...terms, [-1, b]], '>=', 0);
      if (bounded) this.row([...terms, [Model.M, b]], '<=', k - 1 + Model.M);
    }
    if (bs.length > 0) this.row(bs.map((b): [number, string] => [1, b]), '>=', 1);
  }

  /** The stronger model: each withheld cell whose true value is in 1..k-1 is known to be there. */
  private intervalFacts(e: EntryObs): void {
    const k = this.k(e);
    for (const [code, p] of e.pops) {
      for (const kind of p.withheld) {
        if (kind === 'an') continue;
        const t = this.truthOf(e, code, kind)!;
        if (t >= 1 && t <= k - 1) {
          this.row([[1, this.cell(e, code, kind)]], '>=', 1);
          this.row([[1, this.cell(e, code, kind)]], '<=', k - 1);
        }
      }
      const an = this.truthOf(e, code, 'an');
      const ac = this.truthOf(e, code, 'ac');
      if (p.withheld.has('ac') && an !== undefined && ac !== undefined && an - ac >= 1 && an - ac <= k - 1) {
        this.row([[1, this.cell(e, code, 'an')], [-1, this.cell(e, code, 'ac')]], '<=', k - 1);
        this.row([[1, this.cell(e, code, 'an')], [-1, this.cell(e, code, 'ac')]], '>=', 1);
      }
    }
  }

  text(direction = 'Minimize', objective: string[] = ['x0']): string {
    const general = this.ints.length > 0 ? `General\n ${this.ints.join(' ')}\n` : '';
    const binary = this.bins.length > 0 ? `Binary\n ${this.bins.join(' ')}\n` : '';
    const obj = direction === 'Minimize' && objective.length === 1 ? `0 ${objective[0]}` : objective.map((v) => (/^[+-] /.test(v) ? v : `+ ${v}`)).join(' ');
    return `${direction}\n obj: ${obj}\nSubject To\n${this.rows.join('\n')}\n\\EXTRA\nBounds\n${[...this.range].map(([v, [a, b]]) => (a === b ? ` ${v} = ${a}` : ` ${a} <= ${v} <= ${b}`)).join('\n')}\n${general}${binary}End\n`;
  }
}

/** The true value of every cell of records fetched without disclosure control (an open server). */
export function truthOf(records: any[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    for (const f of r.frequencyInPopulations ?? []) {
      const id = Array.isArray(f.contributors) ? `${f.datasetId}(${[...f.contributors].sort().join(',')})` : f.datasetId;
      for (const p of f.frequencies ?? []) {
        for (const [name, kind] of Object.entries(WIRE)) if (typeof p[name] === 'number') out.set(cellKey(r.variantId, id, p.population, kind), p[name]);
      }
    }
  }
  return out;
}
