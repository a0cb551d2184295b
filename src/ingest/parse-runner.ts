import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AfbError } from '../domain/errors';
import { parseFile, SHARE_BLOCK_LINES, type Share } from './file-parser';
import { readLineBlocks, type LineBlock } from '../vcf/line-source';
import type { IngestOptions } from './options';
import type { ParseEvent } from './parse-events';
import { fromThreadError, type ThreadError } from './thread-error';

/** What the parser thread posts: the parse events, or the error that stopped it. */
export type WorkerMessage = ParseEvent | { type: 'error'; error: ThreadError };

/** What a sharing parser thread is fed (besides 'ack'): blocks of lines, then the end. */
export type FeedMessage = { type: 'lines'; block: LineBlock } | { type: 'eof' };

export interface ParseRun {
  events: AsyncIterable<ParseEvent>;
  /** Call after each batch is written (the worker keeps a few batches in flight, no more). */
  ack(): void;
  stop(): Promise<void>;
}

/** Thrown when `signal` fires: SIGINT/SIGTERM or a caller's abort. */
export function interrupted(): AfbError {
  return new AfbError('INTERRUPTED', 'ingest interrupted; the previous version of the dataset is unchanged');
}

/**
 * Parse a file's records on this thread (`runner: 'inline'`) or in a worker thread
 * (`runner: 'worker'`, what the CLI does). Both run the same `parseFile`, so events arrive in
 * the same order either way. `signal` stops the parse at once, even in the middle of a record.
 */
export function parseEvents(file: string, opts: IngestOptions, signal?: AbortSignal): ParseRun {
  if ((opts.runner ?? 'inline') === 'inline') return inline(file, opts, signal);
  const threads = Math.max(1, Math.floor(opts.parseThreads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS)));
  return threads > 1 && isRegularFile(file) ? inWorkers(file, opts, threads, signal) : inWorker(file, opts, signal);
}

/**
 * Parser threads by default: one per core, at most 3. Each holds its own buffers and batches in
 * flight (~190 MB peak RSS each measured at 2 M records), and past a few threads the writer and
 * the one decompression are the limit anyway; --parse-threads overrides it.
 */
const MAX_DEFAULT_THREADS = 3;

/**
 * Only a local regular file is shared out: inWorkers reads it on this thread, and a read of a
 * stalled pipe or socket here could not be cancelled by an interrupt, where one parser thread
 * reading it is simply terminated (inWorker's stop).
 */
function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Blocks of lines sent to a parser thread and not yet parsed into its batch (per thread). */
const FED_AHEAD = 4;

/**
 * `threads` parser threads on one file (file-parser.ts Share). This thread reads and decompresses
 * the file once (readLineBlocks) and feeds thread b % threads block b of SHARE_BLOCK_LINES data
 * lines, undecoded (the bytes are transferred, not copied); each thread decodes and parses only
 * its own blocks. Their events are put back in file order: the header once, then block 0 from
 * thread 0, block 1 from thread 1, and so on, then one end with the threads' counts added up.
 * Each acknowledgement goes to the thread whose batch it was, so each keeps at most
 * MAX_IN_FLIGHT batches waiting, as one does, and at most FED_AHEAD blocks to parse.
 * A read error (a damaged or truncated file, an overlong line) is reported where it happened:
 * after the batches of the blocks before it.
 */
function inWorkers(file: string, opts: IngestOptions, threads: number, signal?: AbortSignal): ParseRun {
  const ahead = new Array<number>(threads).fill(0);
  const wakeFeeder: ((() => void) | undefined)[] = new Array(threads).fill(undefined);
  const runs = Array.from({ length: threads }, (_, index) =>
    inWorker(file, opts, signal, { index, of: threads }, () => {
      ahead[index] = ahead[index]! - 1;
      wakeFeeder[index]?.();
      wakeFeeder[index] = undefined;
    }),
  );
  const its = runs.map((r) => r.events[Symbol.asyncIterator]());
  // The feed: the first block it could not read (-1: the header), and why.
  let feedFailure: { block: number; error: unknown } | undefined;
  let stopped = false;
  let fedBytes = 0;
  const feed = async (): Promise<void> => {
    let block = -1; // -1: the header, sent to every thread
    try {
      for await (const lines of readLineBlocks(file, SHARE_BLOCK_LINES, (n) => (fedBytes += n), opts.maxLineBytes)) {
        if (stopped || signal?.aborted) return;
        if (block < 0) runs.forEach((r) => r.feed({ type: 'lines', block: lines })); // copied to each (not transferred)
        else {
          const t = block % threads;
          while (ahead[t]! >= FED_AHEAD && !stopped) await new Promise<void>((r) => (wakeFeeder[t] = r));
          if (stopped) return;
          ahead[t] = ahead[t]! + 1;
          runs[t]!.feed({ type: 'lines', block: lines }, [lines.bytes.buffer as ArrayBuffer]);
        }
        block++;
      }
      for (const r of runs) r.feed({ type: 'eof' });
    } catch (e) {
      feedFailure = { block, error: e };
      for (const r of runs) r.feed({ type: 'eof' });
    }
  };
  const feeding = feed();
  let lastFrom: ParseRun | undefined;
  async function* events(): AsyncGenerator<ParseEvent> {
    const records = new Array<number>(threads).fill(0);
    const ends: Extract<ParseEvent, { type: 'end' }>[] = [];
    const next = async (i: number): Promise<ParseEvent | undefined> => {
      const n = await its[i]!.next();
      return n.done ? undefined : n.value;
    };
    // Every thread parses the header; they are equal, so the first one's stands for all. A feed
    // that failed in the header left the threads an incomplete one: its error is the one to report.
    let first: ParseEvent | undefined;
    for (let i = 0; i < threads; i++) {
      const e = await next(i).catch((err: unknown) => {
        throw feedFailure?.block === -1 ? feedError(file, feedFailure.error) : err;
      });
      if (e?.type === 'end') ends[i] = e;
      else if (i === 0) first = e;
    }
    if (first) yield first;
    for (let b = 0; ; b++) {
      const i = b % threads;
      // The feed stopped before block b: its error, not the threads' ends.
      if (feedFailure && b >= feedFailure.block) throw feedError(file, feedFailure.error);
      if (ends[i]) {
        // The file ended before block b: every other thread ends next.
        for (let j = 0; j < threads; j++) {
          while (!ends[j]) {
            const e = await next(j);
            if (!e) throw new AfbError('WORKER_FAILED', `${file}: parser thread ${j} stopped without its end`);
            if (e.type === 'end') ends[j] = e;
            else if (e.type === 'batch' && e.batch.count > 0) throw new AfbError('WORKER_FAILED', `${file}: parser thread ${j} has rows past the end of the file`);
          }
        }
        break;
      }
      const e = await next(i);
      if (!e) throw new AfbError('WORKER_FAILED', `${file}: parser thread ${i} stopped without its end`);
      if (e.type === 'end') {
        ends[i] = e;
        b--; // look at this block again: the branch above drains the others
        continue;
      }
      if (e.type !== 'batch') continue;
      records[i] = e.records;
      lastFrom = runs[i];
      yield { ...e, records: records.reduce((a, n) => a + n, 0), bytesRead: fedBytes };
    }
    await feeding;
    if (feedFailure) throw feedError(file, feedFailure.error);
    const all = ends.filter(Boolean);
    const skipped: Record<string, number> = {};
    for (const e of all) for (const [k, n] of Object.entries(e.skipped)) skipped[k] = (skipped[k] ?? 0) + n;
    yield {
      type: 'end',
      records: all.reduce((a, e) => a + e.records, 0),
      skipped,
      leftAligned: all.reduce((a, e) => a + e.leftAligned, 0),
      hetCallsOnHaploidRegions: all.reduce((a, e) => a + e.hetCallsOnHaploidRegions, 0),
      indexedRecords: all[0]!.indexedRecords,
    };
  }
  return {
    events: events(),
    ack: () => lastFrom?.ack(),
    stop: async () => {
      stopped = true;
      for (const w of wakeFeeder) w?.();
      await Promise.all(runs.map((r) => r.stop()));
    },
  };
}

function feedError(file: string, e: unknown): Error {
  return e instanceof AfbError ? e : new AfbError('INVALID_INPUT_FILE', `${file}: cannot read: ${(e as Error).message}`, { cause: e });
}

/** A parser thread's run, which can also be fed lines (FeedMessage). */
interface WorkerRun extends ParseRun {
  feed(m: FeedMessage, transfer?: ArrayBuffer[]): void;
}

function inline(file: string, opts: IngestOptions, signal?: AbortSignal): ParseRun {
  const gen = parseFile(file, opts);
  async function* events(): AsyncGenerator<ParseEvent> {
    for (;;) {
      const next = await untilAborted(gen.next(), signal);
      if (next.done) return;
      yield next.value;
    }
  }
  return {
    events: events(),
    ack() {},
    // After an abort the generator may still be waiting on a read that never completes; its
    // return() runs once that read does, so it is not awaited then.
    stop: async () => {
      const done = gen.return(undefined).then(
        () => undefined,
        () => undefined,
      );
      if (!signal?.aborted) await done;
    },
  };
}

function inWorker(file: string, opts: IngestOptions, signal?: AbortSignal, share?: Share, onBatch?: () => void): WorkerRun {
  const script = workerScript();
  const worker = new Worker(script, { workerData: { file, opts, share } });
  const queue: WorkerMessage[] = [];
  let notify: (() => void) | undefined;
  let failure: Error | undefined;
  let exitCode: number | undefined;
  let stopped = false;
  const wake = (): void => {
    notify?.();
    notify = undefined;
  };
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'batch') onBatch?.();
    queue.push(m);
    wake();
  });
  worker.on('error', (e) => {
    failure = e;
    wake();
  });
  worker.on('exit', (code) => {
    exitCode = code;
    wake();
  });
  const onAbort = (): void => {
    void worker.terminate();
    wake();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  async function* events(): AsyncGenerator<ParseEvent> {
    for (;;) {
      if (signal?.aborted) throw interrupted();
      const m = queue.shift();
      if (m) {
        if (m.type === 'error') throw fromThreadError(m.error);
        yield m;
        if (m.type === 'end') return;
        continue;
      }
      if (failure) throw new AfbError('WORKER_FAILED', `${file}: the parser thread died: ${failure.message}`, { cause: failure });
      if (exitCode !== undefined) throw new AfbError('WORKER_FAILED', `${file}: the parser thread exited (code ${exitCode}) before the end of the file`);
      await new Promise<void>((r) => (notify = r));
    }
  }
  return {
    events: events(),
    ack: () => {
      if (!stopped && exitCode === undefined) worker.postMessage('ack');
    },
    feed: (m, transfer) => {
      if (!stopped && exitCode === undefined) worker.postMessage(m, transfer);
    },
    stop: async () => {
      stopped = true;
      signal?.removeEventListener('abort', onAbort);
      // Not awaited: a worker blocked in a read that never completes (a stalled FIFO or socket)
      // does not finish terminating until the read returns. Unref'd, it no longer keeps the
      // process alive, so an interrupted ingest exits at once.
      worker.unref();
      void worker.terminate();
    },
  };
}

/** Resolves like `p`, or rejects with `interrupted()` as soon as `signal` fires. */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const HERE = join(__dirname, 'parse-worker.js');
const ROOT = join(__dirname, '..', '..');
const BUILT = join(ROOT, 'dist', 'ingest', 'parse-worker.js');

/**
 * The compiled worker: beside this file when running from dist/ (the CLI), else dist/ of the
 * checkout (the TypeScript sources under ts-jest, whose global setup builds dist/). A dist/ older
 * than the sources would run yesterday's parser, so that is refused.
 */
function workerScript(): string {
  if (existsSync(HERE)) return HERE;
  if (!existsSync(BUILT)) {
    throw new AfbError('WORKER_FAILED', `the parser worker ${BUILT} is not built; run 'npm run build' (or use runner 'inline')`);
  }
  const built = statSync(BUILT).mtimeMs;
  const newer = newestSource(join(ROOT, 'src'));
  if (newer && newer.mtimeMs > built) {
    throw new AfbError('WORKER_FAILED', `the parser worker ${BUILT} is older than ${newer.path}; run 'npm run build' (or use runner 'inline')`);
  }
  return BUILT;
}

function newestSource(dir: string): { path: string; mtimeMs: number } | undefined {
  let best: { path: string; mtimeMs: number } | undefined;
  for (const sub of ['ingest', 'vcf', 'store', 'domain']) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) {
      if (!name.endsWith('.ts')) continue;
      const p = join(d, name);
      const m = statSync(p).mtimeMs;
      if (!best || m > best.mtimeMs) best = { path: p, mtimeMs: m };
    }
  }
  return best;
}
