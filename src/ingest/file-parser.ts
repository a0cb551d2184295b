import { isAfSlots } from '../store/slots';
import { sampleDigests } from './update-gate';
import { AfbError } from '../domain/errors';
import { parseAssembly } from '../domain/assemblies';
import { leftAlign } from '../domain/alleles';
import { start0ToPos1 } from '../domain/coordinates';
import type { VcfHeader } from '../vcf/header';
import { detectSitesPlan, planFromFieldMap, type FieldMapFile, type SitesPlan } from '../vcf/sites-fields';
import { SitesCounter } from '../vcf/sites-counter';
import { GenotypeCounter } from '../vcf/genotype-counter';
import { readPanel, readSampleList, type PanelEntry } from '../vcf/panel';
import { alleleRow, classifyAlt, RecordParser } from '../vcf/record-parser';
import { RecordError } from '../vcf/record-error';
import { FastaReference } from '../vcf/fasta';
import { inputSize } from '../vcf/line-source';
import { indexedRecordCount } from '../vcf/index-info';
import type { Slot } from '../vcf/slots';
import { readFileSync } from 'node:fs';
import { RecordChecker } from './checks';
import { vcfChunks } from './record-source';
import { RowBatchBuilder } from './row-batch';
import { VrsIdMaker } from './vrs-ids';
import type { IngestOptions } from './options';
import type { ParseEvent } from './parse-events';

const ROWS_PER_BATCH = 8192;

/** Data lines per block when several parsers share a file (see Share). */
export const SHARE_BLOCK_LINES = 8192;

/**
 * One of `of` parsers reading the same file: each reads (and decompresses) every line, but decodes
 * and parses only its blocks of SHARE_BLOCK_LINES data lines (block b is parser b % of's; the
 * others' lines are only counted, see line-source.ts LineRuns), and yields exactly
 * one batch per block it owns, in file order (empty when every row of the block was skipped). The
 * writer then takes block 0 from parser 0, block 1 from parser 1, ...: the same rows in the same
 * order as one parser, with exact line numbers, and the first bad record in file order is the
 * error reported.
 */
export interface Share {
  index: number;
  of: number;
}

/** Turns a record's columns into per-ALT slot values, for either mode. */
interface Counter {
  mode: 'sites' | 'genotypes';
  reason: string;
  ignored: SitesPlan['ignored'];
  groups: { key: string; code: string; label: string }[];
  slots: Slot[];
  records: RecordParser;
  genotypeCounter?: GenotypeCounter;
  count(cols: string[], contig: string, start0: number, nAlts: number): Float64Array[];
}

/**
 * Parse one VCF into row batches: split ALTs, trim (and left-align with a reference),
 * count per group, check, encode. Pure CPU work plus reading the file, so it can run in a
 * worker thread while the main thread writes SQLite.
 */
export async function* parseFile(file: string, opts: IngestOptions, share?: Share): AsyncGenerator<ParseEvent> {
  const panel = opts.panel ? await readPanel(opts.panel) : undefined;
  const include = opts.samples ? await readSampleList(opts.samples) : undefined;
  const fieldMap = opts.fields ? readFieldMap(opts.fields) : undefined;
  const reference = opts.reference ? new FastaReference(opts.reference) : undefined;
  const totalBytes = await inputSize(file);
  const indexedRecords = await indexedRecordCount(file);
  let bytesRead = 0;
  let counter: Counter | undefined;
  let checker: RecordChecker | undefined;
  let builder = new RowBatchBuilder([]);
  const skipped: Record<string, number> = {};
  let records = 0;
  let leftAligned = 0;
  let header: ParseEvent | undefined;
  // Shared: the line number of the first data line, and the block being read (-1: none yet).
  let firstDataLine = 0;
  let block = -1;
  const owns = (b: number): boolean => !share || b % share.of === share.index;
  const runs = share && ((d: number) => ({ skip: !owns(Math.floor(d / SHARE_BLOCK_LINES)), lines: SHARE_BLOCK_LINES - (d % SHARE_BLOCK_LINES) }));
  try {
    const onHeader = (h: VcfHeader, dataStart: number): void => {
      firstDataLine = dataStart;
      checkAssemblyHints(h, opts, file);
      counter = makeCounter(h, opts, file, { panel, include, fieldMap });
      checker = new RecordChecker(counter.slots, counter.groups.map((g) => g.key));
      builder = new RowBatchBuilder(isAfSlots(counter.slots), opts.vrsIds !== false ? new VrsIdMaker(opts.assembly, reference) : undefined);
      const gc = counter.genotypeCounter;
      header = {
        type: 'header',
        mode: counter.mode,
        modeReason: counter.reason,
        groups: counter.groups,
        slots: counter.slots,
        ignored: counter.ignored,
        ...(gc ? { samples: { ...gc.selection, inVcf: gc.selection.counted + gc.selection.notInPanel + gc.selection.excludedByList }, sampleDigests: sampleDigests(gc.countedSamples), individuals: gc.individuals } : {}),
      };
    };
    for await (const chunk of vcfChunks(file, onHeader, (n) => (bytesRead += n), opts.maxLineBytes, runs)) {
      if (header) {
        yield header;
        header = undefined;
      }
      const c = counter!;
      for (let i = 0; i < chunk.lines.length; i++) {
        const line = chunk.lines[i]!;
        const lineNo = chunk.firstLine + i;
        if (share) {
          const b = Math.floor((lineNo - firstDataLine) / SHARE_BLOCK_LINES);
          if (b !== block) {
            if (block >= 0 && owns(block)) yield { type: 'batch', batch: builder.take(), records, bytesRead, totalBytes, indexedRecords };
            block = b;
          }
          if (!owns(b)) continue;
        }
        if (line === '') continue;
        records++;
        try {
          const { cols, rec } = c.records.parse(line);
          if (reference) checkReference(reference, rec.contig, rec.start0, rec.ref);
          const perAlt = c.count(cols, rec.contig, rec.start0, rec.alts.length);
          checker!.check(perAlt);
          if (rec.alts.length === 0) {
            count(skipped, 'no_alt');
            continue;
          }
          for (let a = 0; a < rec.alts.length; a++) {
            const verdict = classifyAlt(rec.ref, rec.alts[a]!);
            if (!verdict.ok) {
              count(skipped, verdict.reason);
              continue;
            }
            const row = alleleRow(rec, a);
            if (reference && (row.trimmed.ref === '' || row.trimmed.alt === '')) {
              const aligned = leftAlign(row.trimmed, (s, e) => reference.slice(rec.contig, s, e));
              if (aligned.start0 !== row.trimmed.start0) leftAligned++;
              row.trimmed = aligned;
              row.anchor = reference.slice(rec.contig, aligned.start0 - 1, aligned.start0);
            }
            const t = row.trimmed;
            builder.add({
              line: lineNo,
              altText: rec.alts[a]!,
              contig: rec.contig,
              start0: t.start0,
              ref: t.ref,
              alt: t.alt,
              anchor: row.anchor,
              rsid: row.rsid,
              otherIds: row.otherIds,
              filter: rec.filter,
              values: perAlt[a]!,
            });
          }
        } catch (e) {
          if (!(e instanceof RecordError)) throw e;
          if (opts.skipInvalid) {
            count(skipped, e.reason);
            continue;
          }
          throw new AfbError('INVALID_RECORD', `${file}:${lineNo}: ${e.field}: ${e.message}\n  line ${lineNo}: ${line.length > 160 ? line.slice(0, 160) + '…' : line}`);
        }
        if (!share && builder.size >= ROWS_PER_BATCH) yield { type: 'batch', batch: builder.take(), records, bytesRead, totalBytes, indexedRecords };
      }
    }
    if (header) yield header; // a file with a header and no records
    if (!counter) throw new AfbError('INVALID_VCF', `${file}: no header found`);
    if (share ? block >= 0 && owns(block) : builder.size > 0) yield { type: 'batch', batch: builder.take(), records, bytesRead, totalBytes, indexedRecords };
    yield { type: 'end', records, skipped, leftAligned, hetCallsOnHaploidRegions: counter.genotypeCounter?.hetOnHaploid ?? 0, indexedRecords };
  } finally {
    reference?.close();
  }
}

function count(m: Record<string, number>, reason: string): void {
  m[reason] = (m[reason] ?? 0) + 1;
}

function checkReference(reference: FastaReference, contig: string, start0: number, ref: string): void {
  if (!reference.has(contig)) {
    throw new RecordError('contig_not_in_reference', 'CHROM', `contig '${contig}' is not in the reference ${reference.path} (it has ${reference.contigs().slice(0, 5).join(', ')})`);
  }
  const actual = reference.slice(contig, start0, start0 + ref.length);
  if (actual !== ref) {
    throw new RecordError(
      'ref_mismatch',
      'REF',
      `REF '${ref.slice(0, 40)}' does not match the reference '${(actual ?? '(beyond the contig end)').slice(0, 40)}' at ${contig}:${start0ToPos1(start0)}`,
    );
  }
}

function checkAssemblyHints(header: VcfHeader, opts: IngestOptions, file: string): void {
  for (const hint of header.assemblyHints) {
    const m = /(GRCh3[78]|hg19|hg38|b37|hs37d5|human_g1k_v37|assembly19|assembly38)/i.exec(hint);
    const a = m ? parseAssembly(m[1]!.replace(/^assembly/i, 'homo_sapiens_assembly')) : undefined;
    if (a && a !== opts.assembly) {
      throw new AfbError('INVALID_OPTION', `${file}: the header says '${hint.slice(0, 80)}' (${a}) but --assembly is ${opts.assembly}; afb never mixes assemblies, so check which one the file is on`);
    }
  }
}

function readFieldMap(file: string): FieldMapFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FieldMapFile;
  } catch (e) {
    throw new AfbError('INVALID_OPTION', `--fields ${file}: not a readable JSON field map (${(e as Error).message})`, { cause: e });
  }
}

function makeCounter(
  header: VcfHeader,
  opts: IngestOptions,
  file: string,
  ctx: { panel?: Map<string, PanelEntry>; include?: Map<string, number>; fieldMap?: FieldMapFile },
): Counter {
  let mode = opts.mode;
  let reason = `--mode ${opts.mode}`;
  if (!mode) {
    if (opts.panel || opts.samples) {
      mode = 'genotypes';
      reason = 'genotypes: --panel or --samples given';
    } else if (header.infos.has('AC') && header.infos.has('AN')) {
      mode = 'sites';
      reason = 'sites: the header declares INFO AC and AN';
    } else if (header.samples.length > 0) {
      mode = 'genotypes';
      reason = 'genotypes: no --panel and no INFO AC/AN, so the overall group from GT';
    } else {
      mode = 'sites';
      reason = 'sites: no INFO AC/AN and no genotypes, so variants are stored without counts (presence only)';
    }
  }
  const expectedColumns = header.samples.length > 0 ? 9 + header.samples.length : 8;
  if (mode === 'genotypes') {
    if (header.samples.length === 0) throw new AfbError('INVALID_VCF', `${file}: genotype mode needs sample columns, and this VCF has none; use --mode sites`);
    const gc = new GenotypeCounter({
      samples: header.samples,
      panel: ctx.panel,
      panelFile: opts.panel,
      include: ctx.include,
      includeFile: opts.samples,
      assembly: opts.assembly,
    });
    if (gc.selection.counted === 0) throw new AfbError('INVALID_OPTION', `${file}: no sample is counted (none of the VCF's samples is in the panel / --samples list)`);
    return {
      mode,
      reason,
      ignored: [],
      groups: gc.groups,
      slots: gc.slots,
      records: new RecordParser(expectedColumns),
      genotypeCounter: gc,
      count: (cols, contig, start0, nAlts) => gc.count(cols, contig, start0, nAlts),
    };
  }
  const plan = ctx.fieldMap ? planFromFieldMap(ctx.fieldMap, header, opts.fields!) : detectSitesPlan(header);
  if (plan.groups.length === 0 && opts.mode === 'sites') {
    throw new AfbError('INVALID_VCF', `${file}: sites mode found no count fields in the header (INFO AC+AN, AC_<group>+AN_<group>, or AF); give a field map with --fields, or use --mode genotypes with --panel`);
  }
  const sc = new SitesCounter(plan);
  return {
    mode,
    reason,
    ignored: plan.ignored,
    groups: plan.groups.map((g) => ({ key: g.key, code: g.code, label: g.label })),
    slots: sc.slots,
    records: new RecordParser(expectedColumns),
    count: (cols, _contig, _start0, nAlts) => sc.count(cols[7]!, nAlts, nAlts === 1 ? [cols[4]!] : undefined),
  };
}
