import { AfbError } from '../domain/errors';
import { start0ToPos1 } from '../domain/coordinates';
import type { GroupDef } from '../domain/groups';
import type { CountKind } from '../domain/counts';
import type { Slot } from '../vcf/slots';
import { DatasetWriter } from '../store/writer';
import { readPopulationsFile } from './populations-file';
import { FullAnTracker, readCallableBed } from './callable-bed';
import { writeCoverage } from '../store/coverage-store';
import { checkUpdate } from './update-gate';
import { loadIngestMetadata, storeIngestMetadata } from './metadata-hook';
import { interrupted, parseEvents } from './parse-runner';
import type { ParseEvent } from './parse-events';
import type { IngestOptions, ProgressListener } from './options';
import type { IngestReport } from './report';

type HeaderEvent = Extract<ParseEvent, { type: 'header' }>;

/**
 * Load VCF files into one dataset of a store. Parsing runs in a worker thread while this thread
 * writes SQLite. The new data becomes visible in one step at the end; on any error (or abort)
 * it is dropped and the previous version stays as it was.
 */
export async function ingestVcf(opts: IngestOptions, progress?: ProgressListener, signal?: AbortSignal): Promise<IngestReport> {
  const started = process.hrtime.bigint();
  if (opts.inputs.length === 0) throw new AfbError('INVALID_OPTION', 'no VCF given; pass one or more VCF paths or URLs after the options');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(opts.dataset)) {
    throw new AfbError('INVALID_OPTION', `--dataset '${opts.dataset}' must be 1-64 characters from A-Z a-z 0-9 _ . : -`);
  }
  const populations = opts.populations ? readPopulationsFile(opts.populations) : undefined;
  const metadataFile = loadIngestMetadata(opts);
  const callable = opts.callable ? await readCallableBed(opts.callable) : undefined;
  let fullAn: FullAnTracker | undefined;
  const skipped = new Map<string, number>();
  let records = 0;
  let leftAligned = 0;
  let hetOnHaploid = 0;
  const warnings: string[] = [];
  let first: HeaderEvent | undefined;

  const writer = DatasetWriter.open(opts.db, opts.dataset, { maxPages: opts.storeMaxPages });
  try {
    for (const file of opts.inputs) {
      const parser = parseEvents(file, opts, signal);
      let fileRecords = 0;
      try {
        for await (const e of parser.events) {
          if (signal?.aborted) throw interrupted();
          if (e.type === 'header') {
            if (!first) {
              first = e;
              if (callable) fullAn = new FullAnTracker(opts.assembly, e.groups.length, e.slots);
            }
            else if (JSON.stringify([e.mode, e.groups, e.slots]) !== JSON.stringify([first.mode, first.groups, first.slots])) {
              throw new AfbError('INVALID_VCF', `${file}: its groups or count fields differ from ${opts.inputs[0]}; all files of one dataset must share them`);
            }
          } else if (e.type === 'batch') {
            const b = e.batch;
            fullAn?.observe(b);
            const duplicates = writer.addBatch(b);
            for (const i of duplicates) {
              if (!opts.skipInvalid) {
                const where = `${b.contigs[i]}:${start0ToPos1(b.start0[i]!)} ${b.refs[i] || '-'}>${b.alts[i] || '-'}`;
                throw new AfbError(
                  'INVALID_RECORD',
                  `${file}:${b.lines[i]}: CHROM/POS/REF/ALT: ALT ${b.altTexts[i]} is the same variant as an earlier record (${where} after splitting and trimming); each variant may appear once per dataset`,
                );
              }
              skipped.set('duplicate_record', (skipped.get('duplicate_record') ?? 0) + 1);
            }
            parser.ack();
            fileRecords = e.records;
            progress?.({ bytesRead: e.bytesRead, totalBytes: e.totalBytes, records: records + e.records, totalRecords: e.indexedRecords, rows: writer.rowCount, file });
          } else if (e.type === 'end') {
            fileRecords = e.records;
            leftAligned += e.leftAligned;
            hetOnHaploid += e.hetCallsOnHaploidRegions;
            if (e.indexedRecords !== undefined && e.indexedRecords !== e.records) {
              warnings.push(`${file}: its index lists ${e.indexedRecords} records but the file has ${e.records}; the index is stale (re-run tabix)`);
            }
            for (const [reason, n] of Object.entries(e.skipped)) skipped.set(reason, (skipped.get(reason) ?? 0) + n);
          }
        }
      } finally {
        await parser.stop();
      }
      records += fileRecords;
    }
    const h = first!;
    const groups = groupDefs(h.groups, h.slots, populations);
    const name = opts.name ?? opts.dataset;
    const report: IngestReport = {
      dataset: opts.dataset,
      name,
      assembly: opts.assembly,
      mode: h.mode,
      modeReason: h.modeReason,
      inputs: opts.inputs,
      records,
      rows: writer.rowCount,
      skipped: Object.fromEntries(skipped),
      groups: groups.map((g) => ({ key: g.key, code: g.code, label: g.label, kinds: g.kinds, ...(g.canonical ? { canonical: g.canonical } : {}) })),
      contigs: Object.fromEntries(writer.contigRows()),
      seconds: 0,
      rowsPerSecond: 0,
      storeVersion: writer.version,
    };
    if (h.samples) report.samples = { ...h.samples, hetCallsOnHaploidRegions: hetOnHaploid };
    if (opts.reference) report.leftAligned = leftAligned;
    if (opts.vrsIds !== false) report.vrsIds = { ...writer.vrsIds };
    if (h.ignored.length > 0) report.ignoredInfoFields = h.ignored;
    if (warnings.length > 0) report.warnings = warnings;
    checkUpdate(opts.dataset, writer.publishedMeta()?.sampleDigests, h.sampleDigests, opts.minCount ?? 1, opts.allowSmallUpdate === true);
    if (callable && fullAn) {
      const an = fullAn.result();
      writer.writeExtra((db, v) => writeCoverage(db, v, callable, an));
      report.callableRegions = callable.length;
    }
    const last = opts.inputs[opts.inputs.length - 1]!;
    const onStep = (step: 'index' | 'publish' | 'drop'): void => progress?.({ bytesRead: 0, records, rows: writer.rowCount, file: last, step });
    const metadata = storeIngestMetadata(opts, metadataFile, writer, h.individuals, groups, warnings);
    if (metadata.individuals) report.individuals = metadata.individuals.total;
    if (warnings.length > 0) report.warnings = warnings;
    writer.commit({
      datasetId: opts.dataset,
      name,
      description: opts.description,
      assembly: opts.assembly,
      mode: h.mode,
      groups,
      slots: h.slots,
      sources: opts.inputs,
      ...(h.sampleDigests ? { sampleDigests: h.sampleDigests } : {}),
      report: { records, skipped: report.skipped, modeReason: h.modeReason },
    }, onStep);
    report.seconds = Math.round((Number(process.hrtime.bigint() - started) / 1e9) * 1000) / 1000;
    report.rowsPerSecond = Math.round(report.rows / Math.max(report.seconds, 1e-3));
    return report;
  } catch (e) {
    writer.abort();
    throw e;
  }
}

function groupDefs(groups: HeaderEvent['groups'], slots: Slot[], populations?: Map<string, { canonical: string; label?: string }>): GroupDef[] {
  return groups.map((g, i) => {
    const kinds = slots.filter((s) => s.group === i).map((s) => s.kind) as CountKind[];
    const mapped = populations?.get(g.key) ?? populations?.get(g.code);
    return { key: g.key, code: g.code, label: mapped?.label ?? g.label, kinds, ...(mapped ? { canonical: mapped.canonical } : {}) };
  });
}
