import { createReadStream, createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { requireAssembly, type Assembly } from '../domain/assemblies';
import { AfbError } from '../domain/errors';
import type { AlleleQuery, DatasetInfo, LookupScope, VariantLookup } from '../domain/lookup';
import { annotateVcf, annotationPlan, BgzfWriter, newSummary, populationList, progressLine, vcfLines, type AnnotateSummary } from '../annotate';
import { FederatedLookup } from '../broker';
import { loadBrokerConfig } from '../config/broker-config';
import { openStoreLookup } from '../store';
import { parseArgs, stringFlag } from './args';
import { packageVersion } from './run-server';

/**
 * `afb annotate`: a VCF (or `-`, stdin) with pooled AC, AN, AF, nhomalt, nhemi per population
 * added as INFO fields, from a broker (`--broker URL`: asked as any afb peer is, through the
 * broker package's peer lookup) or a node's store file (`--db`). VCF (or TSV) on stdout or in
 * `--output` (BGZF when it ends in .gz, written to a .partial file and renamed when complete);
 * progress and the summary (JSON) on stderr.
 */
export async function annotateCommand(argv: string[]): Promise<void> {
  const args = parseArgs(
    argv,
    ['broker', 'db', 'populations', 'fields', 'assembly', 'datasets', 'prefix', 'format', 'output', 'batch-size', 'in-flight', 'timeout-ms', 'token'],
    ['bgzip', 'quiet'],
  );
  const broker = stringFlag(args, 'broker');
  const db = stringFlag(args, 'db');
  if ((broker === undefined) === (db === undefined)) throw new AfbError('INVALID_OPTION', 'give one of --broker URL (an afb broker or node, e.g. http://127.0.0.1:8080) or --db FILE (a node store)');
  if (args.positionals.length !== 1) throw new AfbError('INVALID_OPTION', `give one input VCF (or - for stdin); got ${args.positionals.length}`);
  const input = args.positionals[0]!;
  const format = stringFlag(args, 'format') ?? 'vcf';
  if (format !== 'vcf' && format !== 'tsv') throw new AfbError('INVALID_OPTION', `--format '${format}' must be vcf or tsv`);
  const partSize = intFlag(stringFlag(args, 'batch-size'), '--batch-size', 2000, 1, 100_000);
  const inFlight = intFlag(stringFlag(args, 'in-flight'), '--in-flight', 2, 1, 64);
  const timeoutMs = intFlag(stringFlag(args, 'timeout-ms'), '--timeout-ms', 120_000, 100, 600_000);
  const prefix = stringFlag(args, 'prefix') ?? 'AFB_';
  const output = stringFlag(args, 'output');
  const bgzip = args.flags.get('bgzip') === true || (output !== undefined && /\.b?gz$/.test(output));
  const quiet = args.flags.get('quiet') === true;

  const source = broker ? brokerApi(broker) : db!;
  const opened = broker ? brokerLookup(source, timeoutMs, stringFlag(args, 'token')) : storeLookup(db!);
  const out = output ? createWriteStream(`${output}.partial`) : process.stdout;
  let complete = false;
  try {
    const { lookup } = opened;
    const description = await lookup.describe();
    // A broker that did not answer its first health poll would be described by datasets assumed for it: say it cannot be reached instead.
    const unreachable = await opened.unreachable();
    if (unreachable) throw new AfbError('PEERS_UNAVAILABLE', `cannot reach ${source}: ${unreachable}`);
    const { scope, datasets } = scopeOf(description.datasets, stringFlag(args, 'assembly'), stringFlag(args, 'datasets'), source, broker !== undefined);
    const plan = annotationPlan(datasets, prefix, populationList(stringFlag(args, 'populations')), populationList(stringFlag(args, 'fields')));
    const find = async (queries: AlleleQuery[]) => {
      const r = await lookup.findAlleles(scope, queries);
      if (r.trace?.noPeerAnswered) {
        const why = (r.trace.peers ?? []).map((p) => `${p.status}${p.message ? `: ${p.message}` : ''}`).join('; ');
        throw new AfbError('PEERS_UNAVAILABLE', `${source} did not answer (${why}); nothing was annotated past this point`);
      }
      return r;
    };
    const summary = newSummary();
    const progress = throttled((s) => !quiet && process.stderr.write(`${progressLine(s)}\n`));
    const bytes = input === '-' ? process.stdin : createReadStream(input, { highWaterMark: 1 << 20 });
    bytes.on('error', () => undefined);
    const text = annotateVcf(vcfLines(readable(bytes, input), input === '-' ? 'stdin' : input), find, {
      format,
      fields: plan.fields,
      prefix,
      source,
      input: input === '-' ? 'stdin' : input,
      datasets,
      held: plan.held,
      partSize,
      inFlight,
      onPart: progress,
      extraHeader: [`##afb_annotateCommand=afb annotate ${argv.join(' ')}; afb ${packageVersion()}`],
    }, summary);
    const gz = bgzip ? new BgzfWriter() : undefined;
    for await (const part of text) {
      if (gz) for (const b of gz.push(part)) await write(out, b);
      else await write(out, part);
    }
    if (gz) for (const b of gz.end()) await write(out, b);
    if (output) await new Promise<void>((resolve, reject) => (out as WriteStream).end((e?: Error | null) => (e ? reject(e) : resolve())));
    complete = true;
    if (output) renameSync(`${output}.partial`, output);
    if (!quiet) process.stderr.write(`${progressLine(summary)}\n${JSON.stringify(report(summary, source), null, 2)}\n`);
  } finally {
    if (output && !complete) {
      (out as WriteStream).destroy();
      rmSync(`${output}.partial`, { force: true });
    }
    await opened.close();
  }
}

function report(s: AnnotateSummary, source: string): Record<string, unknown> {
  return { source, ...s, seconds: Number(s.seconds.toFixed(3)), allelesPerSecond: Math.round(s.allelesPerSecond) };
}

/** `http://host:8080` or `.../api`: the Beacon API base a peer is named by. */
function brokerApi(url: string): string {
  if (!/^https?:\/\/[^/]+/.test(url)) throw new AfbError('INVALID_OPTION', `--broker '${url}' must be an http(s) URL of an afb broker or node, e.g. http://127.0.0.1:8080`);
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/api') ? base : `${base}/api`;
}

/** The broker at URL as the one afb peer of a FederatedLookup: asked exactly as a broker asks its peers. */
interface OpenedLookup {
  lookup: VariantLookup;
  /** Why the source cannot be reached (undefined: it answered). */
  unreachable(): Promise<string | undefined>;
  close(): Promise<void>;
}

function brokerLookup(api: string, timeoutMs: number, token: string | undefined): OpenedLookup {
  const config = { ...loadBrokerConfig({}), deadlineMs: timeoutMs, cacheTtlMs: 0, cacheEntries: 0, healthIntervalMs: 3_600_000 };
  const lookup = new FederatedLookup({
    id: 'afb-annotate',
    // The broker's pooled counts as it sent them (afb-counts/1 pooled): not its per-node entries pooled a second time here.
    relay: true,
    peers: [{ id: 'broker', name: api, url: api, assemblies: ['GRCh37', 'GRCh38'], timeoutMs: Math.min(timeoutMs, 120_000), kind: 'afb', ...(token ? { token } : {}) }],
    config,
  });
  lookup.start();
  const unreachable = async () => {
    const net = (await lookup.network()) as { peers: { lastError?: string }[] };
    return net.peers[0]?.lastError;
  };
  return { lookup, unreachable, close: () => lookup.close() };
}

function storeLookup(db: string): OpenedLookup {
  const store = openStoreLookup(db);
  return { lookup: store.lookup, unreachable: async () => undefined, close: async () => store.close() };
}

/**
 * The assembly (named, else the only one served) and datasets (named, else all of the assembly).
 * Through a broker the datasets are named as the broker names them (`n0:kg`); this lookup names them `broker/n0:kg`.
 */
function scopeOf(all: DatasetInfo[], assemblyText: string | undefined, datasetsText: string | undefined, source: string, viaBroker: boolean): { scope: LookupScope; datasets: DatasetInfo[] } {
  if (all.length === 0) throw new AfbError('PEERS_UNAVAILABLE', `${source} lists no datasets (is it up, and an afb broker or node?)`);
  let assembly: Assembly;
  if (assemblyText) assembly = requireAssembly(assemblyText, '--assembly');
  else {
    const served = [...new Set(all.map((d) => d.assembly))];
    if (served.length > 1) throw new AfbError('INVALID_OPTION', `--assembly is required: ${source} serves ${served.join(' and ')}`);
    assembly = served[0]!;
  }
  const named = datasetsText?.split(',').map((s) => s.trim()).filter(Boolean);
  const local = (id: string) => (viaBroker ? id.replace(/^broker[/:]/, '') : id);
  const datasets = all.filter((d) => d.assembly === assembly && (!named || named.includes(d.id) || named.includes(local(d.id))));
  if (named) {
    const unknown = named.filter((n) => !all.some((d) => d.id === n || local(d.id) === n));
    if (unknown.length > 0) throw new AfbError('INVALID_OPTION', `--datasets: ${unknown.join(', ')} not at ${source}; it has ${all.map((d) => local(d.id)).join(', ')}`);
  }
  if (datasets.length === 0) throw new AfbError('INVALID_OPTION', `${source} has no ${assembly} dataset${named ? ` among ${named.join(', ')}` : ''}`);
  return { scope: { assembly, datasetIds: named ? datasets.map((d) => d.id) : undefined, visited: [] }, datasets };
}

function intFlag(text: string | undefined, name: string, def: number, min: number, max: number): number {
  if (text === undefined) return def;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new AfbError('INVALID_OPTION', `${name} '${text}' must be a whole number in ${min}..${max}`);
  return n;
}

async function* readable(stream: NodeJS.ReadableStream, name: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (e) {
    throw new AfbError('INVALID_INPUT_FILE', `${name}: cannot read (${(e as Error).message})`, { cause: e });
  }
}

/** Writes with back-pressure: a slow reader of stdout slows the lookups, not the memory. */
function write(out: NodeJS.WritableStream, chunk: string | Buffer): Promise<void> {
  if (out.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => out.once('drain', resolve));
}

/** Calls `f` at most once a second (and not for the last call: the summary follows). */
function throttled(f: (s: AnnotateSummary) => unknown): (s: AnnotateSummary) => void {
  let last = 0;
  return (s) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    f(s);
  };
}
