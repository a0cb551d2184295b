import { parentPort, workerData } from 'node:worker_threads';
import { blockChunk, type LineBlock, type LineChunk } from '../vcf/line-source';
import { parseFile, type Share } from './file-parser';
import type { IngestOptions } from './options';
import type { FeedMessage, WorkerMessage } from './parse-runner';
import { toThreadError } from './thread-error';

/**
 * Worker thread entry: parses one file and posts its events to the main thread, which writes
 * SQLite meanwhile. At most MAX_IN_FLIGHT batches wait unacknowledged, so memory stays flat
 * however large the file is. An error is posted with its code, message, stack and cause.
 * With a share, the thread reads nothing itself: the main thread feeds it the header and its
 * blocks of lines (FeedMessage), then 'eof'.
 */
const MAX_IN_FLIGHT = 4;

async function run(): Promise<void> {
  const port = parentPort!;
  const { file, opts, share } = workerData as { file: string; opts: IngestOptions; share?: Share };
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const fedBlocks: LineBlock[] = [];
  let fedEnd = false;
  let wakeFed: (() => void) | undefined;
  port.on('message', (m: 'ack' | FeedMessage) => {
    if (m === 'ack') {
      inFlight--;
      wake?.();
      wake = undefined;
      return;
    }
    if (m.type === 'lines') fedBlocks.push(m.block);
    else fedEnd = true;
    wakeFed?.();
    wakeFed = undefined;
  });
  async function* fedLines(): AsyncGenerator<LineChunk> {
    for (;;) {
      const block = fedBlocks.shift();
      if (block) yield blockChunk(block);
      else if (fedEnd) return;
      else await new Promise<void>((r) => (wakeFed = r));
    }
  }
  const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
  try {
    for await (const event of parseFile(file, opts, share && { share, lines: fedLines() })) {
      if (event.type === 'batch') {
        while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
        inFlight++;
        const b = event.batch;
        const transfer = [b.counts.buffer as ArrayBuffer];
        if (b.vrs && b.vrsKeys && b.vrsStates) transfer.push(b.vrs.buffer as ArrayBuffer, b.vrsKeys.buffer as ArrayBuffer, b.vrsStates.buffer as ArrayBuffer);
        post(event, transfer);
      } else post(event);
    }
  } catch (e) {
    post({ type: 'error', error: toThreadError(e) });
  }
  port.close();
}

void run();
