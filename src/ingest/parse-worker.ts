import { parentPort, workerData } from 'node:worker_threads';
import { isAfbError } from '../domain/errors';
import { parseFile } from './file-parser';
import type { IngestOptions } from './options';

/**
 * Worker thread entry: parses one file and posts its events to the main thread, which writes
 * SQLite meanwhile. At most MAX_IN_FLIGHT batches wait unacknowledged, so memory stays flat
 * however large the file is.
 */
const MAX_IN_FLIGHT = 4;

async function run(): Promise<void> {
  const port = parentPort!;
  const { file, opts } = workerData as { file: string; opts: IngestOptions };
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on('message', (m: string) => {
    if (m === 'ack') {
      inFlight--;
      wake?.();
      wake = undefined;
    }
  });
  try {
    for await (const event of parseFile(file, opts)) {
      if (event.type === 'batch') {
        while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
        inFlight++;
        port.postMessage(event, [event.batch.counts.buffer as ArrayBuffer]);
      } else port.postMessage(event);
    }
  } catch (e) {
    port.postMessage({ type: 'error', code: isAfbError(e) ? e.code : 'STORE_ERROR', message: isAfbError(e) ? e.message : (e as Error).stack ?? String(e) });
  }
  port.close();
}

void run();
