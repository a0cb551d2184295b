import { AfbError } from '../domain/errors';

/** One ##INFO or ##FORMAT declaration. `number` is as written: 'A', 'R', 'G', '.', or a digit string. */
export interface FieldDecl {
  id: string;
  number: string;
  type: string;
  description: string;
}

export interface VcfHeader {
  fileformat?: string;
  infos: Map<string, FieldDecl>;
  formats: Map<string, FieldDecl>;
  filters: Map<string, string>;
  /** Contig names as declared by ##contig lines (may be empty: old VCFs have none). */
  contigs: string[];
  /** Sample names from the #CHROM line (empty for sites-only files). */
  samples: string[];
  /** Assembly hints from ##reference / ##assembly / ##contig assembly= (raw text). */
  assemblyHints: string[];
}

const FIXED_COLUMNS = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'];

/** Parse `<ID=AC,Number=A,Type=Integer,Description="...">` into key/value pairs (quotes honoured). */
export function parseStructuredValue(text: string): Record<string, string> {
  // No prototype: a key such as '__proto__' or 'constructor' is just a key.
  const out = Object.create(null) as Record<string, string>;
  const body = text.replace(/^</, '').replace(/>$/, '');
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    if (eq < 0) break;
    const key = body.slice(i, eq).trim();
    let j = eq + 1;
    let value = '';
    if (body[j] === '"') {
      j++;
      while (j < body.length && body[j] !== '"') {
        if (body[j] === '\\' && j + 1 < body.length) j++;
        value += body[j];
        j++;
      }
      j++; // closing quote
      const comma = body.indexOf(',', j);
      i = comma < 0 ? body.length : comma + 1;
    } else {
      const comma = body.indexOf(',', j);
      value = body.slice(j, comma < 0 ? body.length : comma);
      i = comma < 0 ? body.length : comma + 1;
    }
    out[key] = value;
  }
  return out;
}

/**
 * Parse the header lines (all lines starting with '#', the #CHROM line last).
 * `file` is only used in error messages.
 */
export function parseHeader(lines: readonly string[], file: string): VcfHeader {
  const h: VcfHeader = {
    infos: new Map(),
    formats: new Map(),
    filters: new Map(),
    contigs: [],
    samples: [],
    assemblyHints: [],
  };
  if (lines.length === 0) throw new AfbError('INVALID_VCF', `${file}: the file is empty; a VCF starts with ##fileformat=VCFv4.x and has a #CHROM header line`);
  lines.forEach((line, index) => {
    if (line.startsWith('##')) {
      const eq = line.indexOf('=');
      if (eq < 0) return;
      const key = line.slice(2, eq);
      const value = line.slice(eq + 1);
      if (key === 'fileformat') h.fileformat = value;
      else if (key === 'INFO' || key === 'FORMAT') {
        const kv = parseStructuredValue(value);
        if (!kv.ID) throw new AfbError('INVALID_VCF', `${file}:${index + 1}: ##${key} line has no ID: ${line.slice(0, 200)}`);
        const decl: FieldDecl = { id: kv.ID, number: kv.Number ?? '.', type: kv.Type ?? 'String', description: kv.Description ?? '' };
        (key === 'INFO' ? h.infos : h.formats).set(decl.id, decl);
      } else if (key === 'FILTER') {
        const kv = parseStructuredValue(value);
        if (kv.ID) h.filters.set(kv.ID, kv.Description ?? '');
      } else if (key === 'contig') {
        const kv = parseStructuredValue(value);
        if (kv.ID) h.contigs.push(kv.ID);
        if (kv.assembly) h.assemblyHints.push(kv.assembly);
      } else if (key === 'reference' || key === 'assembly') {
        h.assemblyHints.push(value);
      }
    }
  });
  const last = lines[lines.length - 1]!;
  if (!last.startsWith('#CHROM')) {
    throw new AfbError(
      'INVALID_VCF',
      `${file}:${lines.length + 1}: missing #CHROM header line before the first record; expected '#CHROM\\tPOS\\tID\\tREF\\tALT\\tQUAL\\tFILTER\\tINFO[\\tFORMAT\\tsample...]'`,
    );
  }
  const cols = last.split('\t');
  if (cols.length < 8 || FIXED_COLUMNS.some((c, i) => cols[i] !== c)) {
    throw new AfbError(
      'INVALID_VCF',
      `${file}:${lines.length}: the #CHROM line must be tab-separated with columns ${FIXED_COLUMNS.join(' ')}; got: ${last.slice(0, 200)}`,
    );
  }
  if (cols.length > 8) {
    if (cols[8] !== 'FORMAT') throw new AfbError('INVALID_VCF', `${file}:${lines.length}: column 9 of the #CHROM line must be FORMAT; got '${cols[8]}'`);
    h.samples = cols.slice(9);
    // bcftools refuses these too: a sample named twice would be counted twice.
    const seen = new Map<string, number>();
    h.samples.forEach((name, i) => {
      const first = seen.get(name);
      if (first !== undefined) {
        throw new AfbError('INVALID_VCF', `${file}:${lines.length}: sample '${name.slice(0, 100)}' appears twice in the #CHROM line (columns ${first + 10} and ${i + 10}); sample names must be unique`);
      }
      seen.set(name, i);
    });
  }
  return h;
}
