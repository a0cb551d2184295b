import type { ServerResponse } from 'node:http';
import type { Reply } from '../pipeline';

/**
 * Write a pipeline Reply to the client, the same way for every door. A body in parts is written
 * with back-pressure: the next part is made only when the client has taken the last, so a client
 * that stops reading holds one part in this server, not its whole answer. A client that takes
 * nothing for `sendTimeoutMs` (including the last bytes after the end) is disconnected.
 */
export async function writeReply(res: ServerResponse, reply: Reply, sendTimeoutMs: number, doorHeaders: Record<string, string> = {}): Promise<void> {
  if (typeof reply.body === 'string') {
    // Encoded once: its length is the Content-Length, and the socket writes these bytes as they are
    // (Buffer.byteLength, then writing the string, read the whole answer twice).
    const body = Buffer.from(reply.body, 'utf8');
    res.writeHead(reply.status, { ...doorHeaders, ...reply.headers, 'Content-Type': reply.contentType, 'Content-Length': body.length });
    res.end(body);
  } else {
    res.writeHead(reply.status, { ...doorHeaders, ...reply.headers, 'Content-Type': reply.contentType });
    try {
      // Leaving the loop early (the client left or stalled) closes the parts (their finally runs).
      for await (const part of reply.body) {
        if (res.destroyed) return;
        if (!res.write(part) && !(await taken(res, 'drain', sendTimeoutMs))) return;
      }
    } catch (e) {
      // The status is sent: a failure mid-answer cuts the connection, so the answer is never silently short.
      res.destroy();
      throw e;
    }
    res.end();
  }
  await taken(res, 'finish', sendTimeoutMs);
}

/** Waits for `event` (the client took the buffered bytes); false, with the connection destroyed, when it did not come in time or the client left. */
function taken(res: ServerResponse, event: 'drain' | 'finish', timeoutMs: number): Promise<boolean> {
  if (event === 'finish' && res.writableFinished) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off(event, onEvent);
      res.off('close', onClose);
      resolve(ok);
    };
    const onEvent = () => done(true);
    const onClose = () => done(res.writableFinished);
    const timer = setTimeout(() => {
      res.destroy();
      done(false);
    }, timeoutMs);
    res.once(event, onEvent);
    res.once('close', onClose);
  });
}
