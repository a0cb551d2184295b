/**
 * Canonical population codes the broker pools by. Nodes name populations in their own
 * vocabularies (gnomAD `nfe`, 1000 Genomes `EUR`, ExAC `AFR`, GoE `FI_M`); a group pools with
 * another node's group only when both map to the same canonical code, or, unmapped, when their
 * codes are identical.
 */
const DEFAULTS: ReadonlyMap<string, string> = new Map(Object.entries({
  total: 'Total',
  afr: 'AFR',
  amr: 'AMR',
  asj: 'ASJ',
  eas: 'EAS',
  sas: 'SAS',
  eur: 'EUR',
  nfe: 'NFE',
  fin: 'FIN',
  mid: 'MID',
  ami: 'AMI',
  oth: 'OTH',
  remaining: 'OTH',
  xx: 'XX',
  female: 'XX',
  xy: 'XY',
  male: 'XY',
}));

const SEX: ReadonlyMap<string, string> = new Map(Object.entries({ m: 'XY', f: 'XX', male: 'XY', female: 'XX', xy: 'XY', xx: 'XX' }));

/**
 * The canonical code of a population: an explicit mapping first (operator's file, or the node's
 * own `canonical`), then the built-in vocabularies (`afr`/`AFR` -> AFR, `afr_XX`/`AFR_Female` ->
 * AFR_XX, GoE `FI_M` -> FI_M and `FI_XY` -> FI_M); undefined when nothing maps it.
 */
export function canonicalPopulation(code: string, explicit?: ReadonlyMap<string, string>): string | undefined {
  const mapped = explicit?.get(code) ?? explicit?.get(code.toLowerCase());
  if (mapped) return mapped;
  const lower = code.toLowerCase();
  const known = DEFAULTS.get(lower);
  if (known) return known;
  const parts = lower.split('_');
  if (parts.length === 2) {
    const [pop, sex] = parts as [string, string];
    const s = SEX.get(sex);
    const base = DEFAULTS.get(pop);
    if (s && base) return `${base}_${s}`;
    // GoE: two-letter country code and sex (FI_M, EE_F), kept in GoE's form (the GDI portal filters
    // on it); FI_XY / FI_XX pool with them.
    if (s && /^[a-z]{2}$/.test(pop)) return `${pop.toUpperCase()}_${s === 'XY' ? 'M' : 'F'}`;
  }
  return undefined;
}

/** The key two groups must share to be pooled. */
export function poolingKey(code: string, canonical: string | undefined, explicit?: ReadonlyMap<string, string>): string {
  const c = canonical ?? canonicalPopulation(code, explicit);
  return c !== undefined ? `canonical:${c}` : `code:${code}`;
}
