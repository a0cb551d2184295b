import { AfbError } from '../domain/errors';
import type { Contig } from '../domain/contigs';
import type { AlleleQuery, DatasetInfo, LookupTrace, VariantRecord } from '../domain/lookup';
import { infoLine, quoted, type AnnotationField } from './fields';
import { readRecord, type InputRecord } from './record';
import { newSummary, type AnnotateSummary } from './summary';
import { alleleValues, type AlleleValues } from './values';

/** Looks up one part's variants (through a VariantLookup, and for a door through disclosure control). */
export type FindPart = (queries: AlleleQuery[]) => Promise<{ records: (VariantRecord | undefined)[]; trace?: LookupTrace }>;

export interface AnnotateOptions {
  format: 'vcf' | 'tsv';
  fields: readonly AnnotationField[];
  /** INFO key prefix of the fields (for the withheld and missing keys). */
  prefix: string;
  /** Where the counts come from, for the header (a broker URL, a store file, a server's beaconId). */
  source: string;
  /** The input as error messages name it (a file name, `request body`). */
  input: string;
  /** The datasets in scope, listed in the header. */
  datasets: readonly DatasetInfo[];
  /** Contigs some dataset in scope holds (undefined: ask every contig). */
  held?: ReadonlySet<Contig>;
  /** Variants (ALT alleles) asked per lookup, at most (a record with more ALTs alone excepted): memory holds a few parts, never the file. */
  partSize: number;
  /** Parts looked up at once ahead of the one being written (a broker's peers answer in parallel). */
  inFlight: number;
  /** Stops the run when more ALT alleles than this are asked (an access level's batch limit). */
  maxAlleles?: number;
  maxAllelesWhy?: string;
  /** Called after each part is written. */
  onPart?: (summary: AnnotateSummary) => void;
  /** Header lines added after afb's own (the command line that made the file). */
  extraHeader?: readonly string[];
}

interface Part {
  records: InputRecord[];
  queries: AlleleQuery[];
}

interface LookedUp extends Part {
  found: (VariantRecord | undefined)[];
  trace?: LookupTrace;
}

/**
 * Annotates a VCF (DESIGN §12): every input record written back, in order, with pooled AC, AN, AF,
 * nhomalt and nhemi per population as Number=A INFO fields (a multi-allelic record keeps its line;
 * each field has one value per ALT, `.` for an ALT not found, symbolic, or withheld), or as TSV
 * (one row per ALT). Records are read in parts of `partSize` variants; up to `inFlight` parts are
 * looked up while the previous one is written, so memory stays flat and output streams. The header
 * is written after the first part is looked up, so it can say who answered. `summary` is filled
 * in as the run goes (the caller prints it at the end).
 */
export async function* annotateVcf(lines: AsyncIterable<string[]>, find: FindPart, o: AnnotateOptions, summary: AnnotateSummary = newSummary()): AsyncGenerator<string> {
  const started = performance.now();
  const header: string[] = [];
  let columns: string | undefined;
  let lineNo = 0;
  const pending: Promise<LookedUp>[] = [];
  let part: Part = { records: [], queries: [] };
  let headerWritten = false;
  const source = o.input;

  const lookup = (p: Part): Promise<LookedUp> => {
    const done = p.queries.length === 0 ? Promise.resolve({ ...p, found: [] }) : find(p.queries).then((r) => ({ ...p, found: r.records, trace: r.trace }));
    // Awaited in order later; a rejection meanwhile must not count as unhandled.
    done.catch(() => undefined);
    return done;
  };
  const write = (p: LookedUp): string => {
    let out = '';
    if (!headerWritten) {
      out += headerText(header, columns, o, p);
      headerWritten = true;
    }
    out += writePart(p, o, summary);
    summary.seconds = (performance.now() - started) / 1000;
    summary.allelesPerSecond = summary.seconds > 0 ? summary.alleles / summary.seconds : 0;
    o.onPart?.(summary);
    return out;
  };

  for await (const chunk of lines) {
    for (const line of chunk) {
      lineNo++;
      if (columns === undefined) {
        if (line.startsWith('##')) header.push(line);
        else if (line.startsWith('#')) columns = line;
        else if (line.trim() === '') continue;
        else throw new AfbError('INVALID_VCF', `${source}:${lineNo}: a record before the #CHROM header line; a VCF starts with ## meta lines and one #CHROM POS ID REF ALT ... line`);
        continue;
      }
      if (line === '') continue;
      const rec = readRecord(line, lineNo, source, o.held);
      let asked = 0;
      for (const a of rec.asks) if (typeof a !== 'string') asked++;
      // A part never holds more than partSize variants (a peer refuses a batch over its limit): a
      // multi-allelic record that would cross it starts the next part.
      if (part.queries.length > 0 && part.queries.length + asked > o.partSize) {
        pending.push(lookup(part));
        part = { records: [], queries: [] };
        if (pending.length >= o.inFlight) yield write(await pending.shift()!);
      }
      part.records.push(rec);
      for (const a of rec.asks) if (typeof a !== 'string') part.queries.push(a);
      summary.records++;
      summary.alleles += rec.alts.length;
      if (o.maxAlleles !== undefined && summary.alleles > o.maxAlleles) throw new AfbError('PAYLOAD_TOO_LARGE', `${source}:${lineNo}: more than ${o.maxAlleles} ALT alleles${o.maxAllelesWhy ? ` (${o.maxAllelesWhy})` : ''}; split the file`);
      if (part.queries.length >= o.partSize || part.records.length >= 4 * o.partSize) {
        pending.push(lookup(part));
        part = { records: [], queries: [] };
        if (pending.length >= o.inFlight) yield write(await pending.shift()!);
      }
    }
  }
  if (columns === undefined) throw new AfbError('INVALID_VCF', `${source}: no #CHROM header line (${lineNo} lines read); a VCF has ## meta lines, then #CHROM POS ID REF ALT QUAL FILTER INFO`);
  if (part.records.length > 0 || pending.length === 0) pending.push(lookup(part));
  while (pending.length > 0) yield write(await pending.shift()!);
}

function headerText(meta: readonly string[], columns: string | undefined, o: AnnotateOptions, first: LookedUp): string {
  const ours = new Set([...o.fields.map((f) => f.id), `${o.prefix}withheld`, `${o.prefix}missing`]);
  const kept = meta.filter((l) => {
    const m = /^##INFO=<ID=([^,>]+)/.exec(l);
    return !(m && ours.has(m[1]!)) && !l.startsWith('##afb_');
  });
  if (!kept.some((l) => l.startsWith('##fileformat='))) kept.unshift('##fileformat=VCFv4.2');
  const contributors = [...new Set(first.found.flatMap((r) => (r ? alleleValuesContributors(r) : [])))];
  const peers = (first.trace?.peers ?? []).map((p) => `${p.peer}:${p.status}`);
  const lines = [
    ...kept,
    ...o.fields.map(infoLine),
    `##INFO=<ID=${o.prefix}withheld,Number=A,Type=String,Description="afb fields of this ALT withheld by disclosure control (small counts), |-separated; they are written as missing (.), never as numbers">`,
    `##INFO=<ID=${o.prefix}missing,Number=.,Type=String,Description="afb peers that should have answered for this record and did not (timeout, error, down): its pooled counts lack them">`,
    `##afb_annotate=<Source="${quoted(o.source)}",MultiAllelic="Number=A: one value per ALT, . where the ALT is symbolic, not found or withheld; records kept as written",Date="${new Date().toISOString()}">`,
    ...o.datasets.map((d) => `##afb_dataset=<ID=${d.id},Name="${quoted(d.name)}",Assembly=${d.assembly},Version="${quoted(d.version)}",Variants=${d.variantCount}>`),
    `##afb_answered=<Part="first ${first.queries.length} variants",Contributors="${quoted(contributors.join(',') || 'none')}"${peers.length > 0 ? `,Peers="${quoted(peers.join(','))}"` : ''}>`,
    ...(o.extraHeader ?? []),
  ];
  if (o.format === 'tsv') {
    return `${lines.map((l) => `${l}\n`).join('')}#CHROM\tPOS\tID\tREF\tALT\t${o.fields.map((f) => f.id).join('\t')}\t${o.prefix}withheld\t${o.prefix}missing\n`;
  }
  const cols = columns!.split('\t');
  const standard = '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO';
  return `${lines.join('\n')}\n${cols.length >= 8 ? columns : standard}\n`;
}

function alleleValuesContributors(r: VariantRecord): string[] {
  return alleleValues(r, []).contributors;
}

/** One looked-up part as VCF lines or TSV rows; the summary counted. */
function writePart(p: LookedUp, o: AnnotateOptions, s: AnnotateSummary): string {
  // Lines gathered and joined once (a part is thousands of lines of ~1 kB).
  const lines: string[] = [];
  let q = 0;
  const ours = new Set([...o.fields.map((f) => f.id), `${o.prefix}withheld`, `${o.prefix}missing`]);
  const fields = o.fields;
  const per: (AlleleValues | undefined)[] = [];
  for (const rec of p.records) {
    per.length = rec.asks.length;
    let missing: string[] = [];
    let anyWithheld = false;
    for (let i = 0; i < rec.asks.length; i++) {
      const a = rec.asks[i]!;
      per[i] = undefined;
      if (typeof a === 'string') {
        s.skipped[a] = (s.skipped[a] ?? 0) + 1;
        continue;
      }
      const found = p.found[q++];
      if (!found) {
        s.notFound++;
        continue;
      }
      const v = alleleValues(found, fields);
      per[i] = v;
      s.annotated++;
      if (v.withheld.length > 0) {
        s.withheldAlleles++;
        anyWithheld = true;
      }
      if (v.missing.length > 0) {
        s.missingPeerAlleles++;
        missing = missing.length === 0 ? [...new Set(v.missing)] : [...new Set([...missing, ...v.missing])];
      }
      for (const c of v.contributors) s.contributors[c] = (s.contributors[c] ?? 0) + 1;
    }
    if (o.format === 'tsv') {
      rec.alts.forEach((alt, i) => {
        const v = per[i];
        const cells = fields.map((_, k) => v?.values[k] ?? '.');
        lines.push(`${rec.fixed[0]}\t${rec.fixed[1]}\t${rec.fixed[2]}\t${rec.fixed[3]}\t${alt}\t${cells.join('\t')}\t${v && v.withheld.length > 0 ? v.withheld.join('|') : '.'}\t${missing.join(',') || '.'}\n`);
      });
      continue;
    }
    // INFO key=value pairs of the fields some ALT has a value for (one value per ALT, '.' where it has
    // none), joined at once: a flat string per record (one built by += keeps a tree of pieces alive until the part is written).
    const added: string[] = [];
    if (per.length === 1) {
      const values = per[0]?.values;
      if (values) {
        for (let k = 0; k < fields.length; k++) {
          const x = values[k];
          if (x !== undefined) added.push(`${fields[k]!.id}=${x}`);
        }
      }
    } else {
      for (let k = 0; k < fields.length; k++) {
        if (!per.some((v) => v?.values[k] !== undefined)) continue;
        added.push(`${fields[k]!.id}=${per.map((v) => v?.values[k] ?? '.').join(',')}`);
      }
    }
    if (anyWithheld) added.push(`${o.prefix}withheld=${per.map((v) => (v && v.withheld.length > 0 ? v.withheld.join('|') : '.')).join(',')}`);
    if (missing.length > 0) added.push(`${o.prefix}missing=${missing.join(',')}`);
    let info = rec.info;
    if (info !== '.' && added.length > 0) {
      // Fields of an earlier annotation with the same keys are replaced, not repeated.
      const keep = info.split(';').filter((kv) => !ours.has(kv.split('=', 1)[0]!));
      info = keep.join(';');
    }
    if (added.length > 0) info = info === '.' || info === '' ? added.join(';') : `${info};${added.join(';')}`;
    const f = rec.fixed;
    lines.push(`${f[0]}\t${f[1]}\t${f[2]}\t${f[3]}\t${f[4]}\t${f[5]}\t${f[6]}\t${info}${rec.rest}\n`);
  }
  if (p.trace) {
    for (const peer of p.trace.peers ?? []) {
      const t = (s.peers[peer.peer] ??= {});
      t[peer.status] = (t[peer.status] ?? 0) + 1;
    }
    for (const w of p.trace.warnings ?? []) if (!s.warnings.includes(w) && s.warnings.length < 20) s.warnings.push(w);
  }
  return lines.join('');
}
