import { resolveContig, type Contig } from './contigs';

/** One gene of a gene table: its stable id (unversioned), its symbol and its span, 0-based half-open. */
export interface GeneSpan {
  /** Ensembl gene id without the version (`ENSG00000223972`), or the file's own id where it has no Ensembl id. */
  id: string;
  /** HGNC symbol (`gene_name` in GENCODE GTF, `Name`/`gene_name` in GFF3). */
  name: string;
  contig: Contig;
  start0: number;
  end0: number;
}

/**
 * One line of a GENCODE/Ensembl GTF or GFF3 file read as a gene, or undefined for any other line
 * (comments, transcripts, exons: only `gene` records are needed). Only columns 1, 3, 4, 5 and the
 * id and name attributes are read. A gene line without a usable id, contig or span throws an
 * Error whose message names the problem (the caller adds file and line).
 */
export function parseGeneLine(line: string): GeneSpan | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const cols = line.split('\t');
  if (cols.length < 9) throw new Error(`expected 9 tab-separated columns (GTF/GFF3), found ${cols.length}`);
  if (cols[2] !== 'gene') return undefined;
  const contig = resolveContig(cols[0]!)?.contig;
  if (!contig) throw new Error(`seqid '${cols[0]}' is not a contig name`);
  const start = Number(cols[3]);
  const end = Number(cols[4]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 1 || end < start) {
    throw new Error(`start '${cols[3]}' and end '${cols[4]}' are not a 1-based inclusive span`);
  }
  const attrs = attributes(cols[8]!);
  const rawId = attrs.get('gene_id') ?? attrs.get('ID')?.replace(/^gene:/, '');
  if (!rawId) throw new Error('a gene record without gene_id (GTF) or ID (GFF3)');
  const id = /^ENS[A-Z]*G\d+\.\d+(_PAR_Y)?$/.test(rawId) ? rawId.replace(/\.\d+/, '') : rawId;
  const name = attrs.get('gene_name') ?? attrs.get('Name') ?? id;
  return { id, name, contig, start0: start - 1, end0: end };
}

/** GTF `key "value"; key "value";` or GFF3 `key=value;key=value` (percent-decoded). */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const gtf = /^([A-Za-z_][\w.]*)\s+"?([^"]*)"?$/.exec(p);
    if (gtf && !p.includes('=')) {
      if (!out.has(gtf[1]!)) out.set(gtf[1]!, gtf[2]!);
      continue;
    }
    const eq = p.indexOf('=');
    if (eq > 0 && !out.has(p.slice(0, eq))) out.set(p.slice(0, eq), decodeURIComponent(p.slice(eq + 1)));
  }
  return out;
}

/** Gene ids and symbols looked up as people type them: case-insensitive, an Ensembl id with or without its version. */
export function geneKey(text: string): string {
  const t = text.trim().toUpperCase();
  return /^ENS[A-Z]*G\d+\.\d+$/.test(t) ? t.replace(/\.\d+$/, '') : t;
}

/**
 * A gene table in memory: by id and by symbol. A symbol that names genes on two contigs (a few do,
 * e.g. PAR genes on X and Y) resolves to the first loaded; its Ensembl id picks either.
 */
export class GeneIndex {
  private readonly byKey = new Map<string, GeneSpan>();

  constructor(genes: Iterable<GeneSpan>) {
    for (const g of genes) this.add(g);
  }

  add(g: GeneSpan): void {
    for (const k of [geneKey(g.id), geneKey(g.name)]) if (!this.byKey.has(k)) this.byKey.set(k, g);
  }

  find(geneId: string): GeneSpan | undefined {
    return this.byKey.get(geneKey(geneId));
  }

  get size(): number {
    return this.byKey.size;
  }
}
