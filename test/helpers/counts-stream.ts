import { request } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * A raw afb-counts/1 stream client for tests, written from the protocol's text
 * (beacon/counts-protocol.ts COUNTS_STREAM), not with the broker's client: node:http's upgrade, one
 * request per line, answers cut at their end line (`["E",n]`) or as one error line.
 */
export interface RawStream {
  socket: Duplex;
  /** Writes the requests (one line each), all at once. */
  send(requests: (string | object)[]): void;
  /** The next `n` answers, each as its lines. */
  answers(n: number, timeoutMs?: number): Promise<string[][]>;
  /** Resolves when the server closed the stream. */
  closed: Promise<void>;
  close(): void;
}

/** Opens the stream at `api` (…/api); rejects with the status and body when it is not upgraded. */
export function openRawStream(api: string, headers: Record<string, string> = {}, upgrade = 'afb-counts/1'): Promise<RawStream> {
  const url = new URL(`${api}/afb-counts/1`);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { connection: 'Upgrade', upgrade, ...headers } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(`not upgraded: HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
    req.on('error', reject);
    req.on('upgrade', (_res, socket, head) => {
      const lines: string[] = [];
      let rest = '';
      let wake: (() => void) | undefined;
      const take = (text: string) => {
        const parts = (rest + text).split('\n');
        rest = parts.pop()!;
        lines.push(...parts);
        wake?.();
      };
      socket.setEncoding('utf8');
      socket.on('data', take);
      if (head.length > 0) take(head.toString('utf8'));
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      void closed.then(() => wake?.());
      let isClosed = false;
      void closed.then(() => (isClosed = true));
      const next = async (deadline: number): Promise<string> => {
        while (lines.length === 0) {
          if (isClosed) throw new Error('the stream closed');
          if (Date.now() > deadline) throw new Error('no answer in time');
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 50);
          });
        }
        return lines.shift()!;
      };
      resolve({
        socket,
        send: (requests) => socket.write(requests.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)) + '\n').join('')),
        async answers(n, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          const out: string[][] = [];
          for (let i = 0; i < n; i++) {
            const answer = [await next(deadline)];
            const first = JSON.parse(answer[0]!) as { error?: unknown };
            if (!first.error) while (!answer[answer.length - 1]!.startsWith('["E",')) answer.push(await next(deadline));
            out.push(answer);
          }
          return out;
        },
        closed,
        close: () => socket.destroy(),
      });
    });
    req.end();
  });
}
