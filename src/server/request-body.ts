import type { IncomingMessage } from 'node:http';

/** A request body read as it arrives, and a way to drop the rest of it. */
export interface StreamedBody {
  chunks: AsyncIterable<Uint8Array>;
  /**
   * Reads and drops what is left (up to `maxBytes`, for at most `timeoutMs`), so a client still
   * sending when the request was refused reads the error instead of a connection reset.
   */
  drain(maxBytes: number, timeoutMs: number): Promise<void>;
}

/**
 * A request body as an async iterable with back-pressure (the socket is paused while a few chunks
 * wait), read through 'data' events only, so the door can switch to dropping it at any moment
 * whatever the reader did (an async iterator on the request would own its listeners).
 */
export function streamedBody(req: IncomingMessage): StreamedBody {
  const queue: Buffer[] = [];
  let ended = false;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  let dropping = false;
  let dropped = 0;
  let onDropped: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  req.on('data', (c: Buffer) => {
    if (dropping) {
      dropped += c.length;
      return;
    }
    queue.push(c);
    if (queue.length >= 4) req.pause();
    signal();
  });
  req.once('end', () => {
    ended = true;
    signal();
    onDropped?.();
  });
  req.once('error', (e) => {
    failed = e;
    signal();
  });
  req.once('close', () => {
    ended = true;
    signal();
    onDropped?.();
  });
  const chunks = (async function* () {
    for (;;) {
      if (queue.length > 0) {
        const c = queue.shift()!;
        if (queue.length < 2) req.resume();
        yield c;
        continue;
      }
      if (failed) throw failed;
      if (ended) return;
      req.resume();
      await new Promise<void>((r) => (wake = r));
    }
  })();
  return {
    chunks,
    drain(maxBytes, timeoutMs) {
      dropping = true;
      queue.length = 0;
      if (ended || req.readableEnded) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(finish, timeoutMs);
        const poll = setInterval(() => dropped > maxBytes && finish(), 50);
        function finish(): void {
          clearTimeout(timer);
          clearInterval(poll);
          onDropped = undefined;
          resolve();
        }
        onDropped = finish;
        req.resume();
      });
    },
  };
}
