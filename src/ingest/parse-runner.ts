import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AfbError, type ErrorCode } from '../domain/errors';
import { parseFile } from './file-parser';
import type { IngestOptions } from './options';
import type { ParseEvent } from './parse-events';

const WORKER = join(__dirname, 'parse-worker.js');

/**
 * Parse a file's records, in a worker thread when the compiled worker is there (the CLI), or
 * inline otherwise (tests running the TypeScript sources). Events arrive in the same order either
 * way; `ack()` must be called after each batch is written.
 */
export function parseEvents(file: string, opts: IngestOptions): { events: AsyncIterable<ParseEvent>; ack(): void; stop(): Promise<void> } {
  if (!existsSync(WORKER) || opts.parseInline) {
    const gen = parseFile(file, opts);
    return { events: gen, ack() {}, stop: async () => void (await gen.return(undefined)) };
  }
  const worker = new Worker(WORKER, { workerData: { file, opts } });
  const queue: ParseEvent[] = [];
  let notify: (() => void) | undefined;
  let failure: Error | undefined;
  let finished = false;
  worker.on('message', (e: ParseEvent) => {
    queue.push(e);
    notify?.();
  });
  worker.on('error', (e) => {
    failure = e;
    notify?.();
  });
  worker.on('exit', () => {
    finished = true;
    notify?.();
  });
  async function* events(): AsyncGenerator<ParseEvent> {
    for (;;) {
      const e = queue.shift();
      if (e) {
        if (e.type === 'error') throw new AfbError(e.code as ErrorCode, e.message);
        yield e;
        if (e.type === 'end') return;
        continue;
      }
      if (failure) throw new AfbError('INVALID_INPUT_FILE', `${file}: parser failed: ${failure.message}`, { cause: failure });
      if (finished) throw new AfbError('INVALID_INPUT_FILE', `${file}: the parser stopped before the end of the file`);
      await new Promise<void>((r) => (notify = r));
      notify = undefined;
    }
  }
  return {
    events: events(),
    ack: () => worker.postMessage('ack'),
    stop: async () => void (await worker.terminate()),
  };
}
