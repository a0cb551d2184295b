import { readFileSync } from 'node:fs';
import { AfbError } from '../domain/errors';
import { parseAssembly } from '../domain/assemblies';
import { leftAlign } from '../domain/alleles';
import { start0ToPos1 } from '../domain/coordinates';
import type { GroupDef } from '../domain/groups';
import type { CountKind } from '../domain/counts';
import type { VcfHeader } from '../vcf/header';
import { detectSitesPlan, planFromFieldMap, type FieldMapFile, type SitesPlan } from '../vcf/sites-fields';
import { SitesCounter } from '../vcf/sites-counter';
import { GenotypeCounter } from '../vcf/genotype-counter';
import { readPanel, readSampleList } from '../vcf/panel';
import { alleleRow, classifyAlt, parseColumns } from '../vcf/record-parser';
import { RecordError } from '../vcf/record-error';
import { FastaReference } from '../vcf/fasta';
import { inputSize } from '../vcf/line-source';
import type { Slot } from '../vcf/slots';
import { DatasetWriter } from '../store/writer';
import { RecordChecker } from './checks';
import { readPopulationsFile } from './populations-file';
import { vcfChunks } from './record-source';
import type { IngestOptions, ProgressListener } from './options';
import type { IngestReport } from './report';

/** What turns a record's columns into per-ALT slot values, for either mode. */
interface Counter {
  mode: 'sites' | 'genotypes';
  groups: { key: string; code: string; label: string }[];
  slots: Slot[];
  count(cols: string[], contig: string, start0: number, nAlts: number): Float64Array[];
  expectedColumns: number;
}

/**
 * Load VCF files into one dataset of a store. The new data becomes visible in one step at the
 * end; on any error (or abort) it is dropped and the previous version stays as it was.
 */
export async function ingestVcf(opts: IngestOptions, progress?: ProgressListener, signal?: AbortSignal): Promise<IngestReport> {
  const started = process.hrtime.bigint();
  if (opts.inputs.length === 0) throw new AfbError('INVALID_OPTION', 'no VCF given; pass one or more VCF paths or URLs after the options');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(opts.dataset)) {
    throw new AfbError('INVALID_OPTION', `--dataset '${opts.dataset}' must be 1-64 characters from A-Z a-z 0-9 _ . : -`);
  }
  const panel = opts.panel ? await readPanel(opts.panel) : undefined;
  const include = opts.samples ? await readSampleList(opts.samples) : undefined;
  const populations = opts.populations ? readPopulationsFile(opts.populations) : undefined;
  const fieldMap = opts.fields ? readFieldMap(opts.fields) : undefined;
  const reference = opts.reference ? new FastaReference(opts.reference) : undefined;

  const skipped: Record<string, number> = {};
  const contigRows: Record<string, number> = {};
  let records = 0;
  let leftAligned = 0;
  let counter: Counter | undefined;
  let layoutKey = '';
  let modeReason = '';
  let ignored: SitesPlan['ignored'] = [];
  let genotypeCounter: GenotypeCounter | undefined;
  let checker: RecordChecker | undefined;

  const writer = DatasetWriter.open(opts.db, opts.dataset);
  try {
    for (const file of opts.inputs) {
      let bytesRead = 0;
      const totalBytes = await inputSize(file);
      const onHeader = (header: VcfHeader): void => {
        checkAssemblyHints(header, opts, file);
        const c = makeCounter(header, opts, file, { panel, include, fieldMap });
        const key = JSON.stringify([c.mode, c.groups, c.slots]);
        if (!counter) {
          counter = c;
          layoutKey = key;
          modeReason = c.reason;
          ignored = c.ignored;
          genotypeCounter = c.genotypeCounter;
          checker = new RecordChecker(c.slots, c.groups.map((g) => g.key));
          writer.setLayout(c.slots);
        } else if (key !== layoutKey) {
          throw new AfbError('INVALID_VCF', `${file}: its groups or count fields differ from ${opts.inputs[0]}; all files of one dataset must share them`);
        }
      };
      for await (const chunk of vcfChunks(file, onHeader, (n) => (bytesRead += n))) {
        if (signal?.aborted) throw new AfbError('INVALID_OPTION', 'ingest interrupted; the previous version of the dataset is unchanged');
        const c = counter!;
        for (let i = 0; i < chunk.lines.length; i++) {
          const line = chunk.lines[i]!;
          if (line === '') continue;
          const lineNo = chunk.firstLine + i;
          records++;
          try {
            const { cols, rec } = parseColumns(line, c.expectedColumns);
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
              const outcome = writer.add({
                contig: rec.contig,
                start0: row.trimmed.start0,
                ref: row.trimmed.ref,
                alt: row.trimmed.alt,
                anchor: row.anchor,
                rsid: row.rsid,
                otherIds: row.otherIds,
                filter: rec.filter,
                values: perAlt[a]!,
              });
              if (outcome === 'duplicate') {
                const t = row.trimmed;
                const err = new RecordError(
                  'duplicate_record',
                  'CHROM/POS/REF/ALT',
                  `ALT ${rec.alts[a]} is the same variant as an earlier record (${rec.contig}:${start0ToPos1(t.start0)} ${t.ref || '-'}>${t.alt || '-'} after splitting and trimming); each variant may appear once per dataset`,
                );
                if (!opts.skipInvalid) throw err;
                count(skipped, err.reason);
                continue;
              }
              contigRows[rec.contig] = (contigRows[rec.contig] ?? 0) + 1;
            }
          } catch (e) {
            if (!(e instanceof RecordError)) throw e;
            if (opts.skipInvalid) {
              count(skipped, e.reason);
              continue;
            }
            throw new AfbError('INVALID_RECORD', `${file}:${lineNo}: ${e.field}: ${e.message}\n  line ${lineNo}: ${line.length > 160 ? line.slice(0, 160) + '…' : line}`);
          }
        }
        progress?.({ bytesRead, totalBytes, records, rows: writer.rowCount, file });
      }
      if (!counter) throw new AfbError('INVALID_VCF', `${file}: no header found`);
    }
    const c = counter!;
    const groups = groupDefs(c, populations);
    const name = opts.name ?? opts.dataset;
    const report: IngestReport = {
      dataset: opts.dataset,
      name,
      assembly: opts.assembly,
      mode: c.mode,
      modeReason,
      inputs: opts.inputs,
      records,
      rows: writer.rowCount,
      skipped,
      groups: groups.map((g) => ({ key: g.key, code: g.code, label: g.label, kinds: g.kinds, ...(g.canonical ? { canonical: g.canonical } : {}) })),
      contigs: contigRows,
      seconds: 0,
      rowsPerSecond: 0,
      storeVersion: writer.version,
    };
    if (genotypeCounter) {
      report.samples = {
        inVcf: genotypeCounter.selection.counted + genotypeCounter.selection.notInPanel + genotypeCounter.selection.excludedByList,
        counted: genotypeCounter.selection.counted,
        notInPanel: genotypeCounter.selection.notInPanel,
        excludedByList: genotypeCounter.selection.excludedByList,
        hetCallsOnHaploidRegions: genotypeCounter.hetOnHaploid,
      };
    }
    if (reference) report.leftAligned = leftAligned;
    if (ignored.length > 0) report.ignoredInfoFields = ignored;
    writer.commit({
      datasetId: opts.dataset,
      name,
      description: opts.description,
      assembly: opts.assembly,
      mode: c.mode,
      groups,
      slots: c.slots,
      sources: opts.inputs,
      report: { records, skipped, modeReason },
    });
    report.seconds = Math.round((Number(process.hrtime.bigint() - started) / 1e9) * 1000) / 1000;
    report.rowsPerSecond = Math.round(report.rows / Math.max(report.seconds, 1e-3));
    return report;
  } catch (e) {
    writer.abort();
    throw e;
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
  ctx: { panel?: Awaited<ReturnType<typeof readPanel>>; include?: Map<string, number>; fieldMap?: FieldMapFile },
): Counter & { reason: string; ignored: SitesPlan['ignored']; genotypeCounter?: GenotypeCounter } {
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
      expectedColumns,
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
    expectedColumns,
    count: (cols, _contig, _start0, nAlts) => sc.count(cols[7]!, nAlts, nAlts === 1 ? [cols[4]!] : undefined),
  };
}

function groupDefs(c: Counter, populations?: Map<string, { canonical: string; label?: string }>): GroupDef[] {
  return c.groups.map((g, i) => {
    const kinds = c.slots.filter((s) => s.group === i).map((s) => s.kind) as CountKind[];
    const mapped = populations?.get(g.key) ?? populations?.get(g.code);
    return { key: g.key, code: g.code, label: mapped?.label ?? g.label, kinds, ...(mapped ? { canonical: mapped.canonical } : {}) };
  });
}

