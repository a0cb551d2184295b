import type { Duplex } from 'node:stream';
import { readStreamError } from '../beacon/counts-protocol';
import { ReadDeclarations } from '../beacon/counts-lines';
import { coalescedWrite } from '../beacon/coalesced-writes';
import { LineCutter } from '../beacon/line-cutter';
import { PeerFailure } from './peer-failure';

/** A stream with nothing asked for this long is closed by the broker (the node closes idle streams at 120 s). */
export const STREAM_IDLE_MS = 30_000;

/** One request on the stream, waiting for (or reading) its answer. */
interface StreamCall {
  onLine: (line: string) => void;
  maxBytes: number;
  bytes: number;
  timeoutMs: number;
  /** When its answer must have ended (performance.now()). */
  due: number;
  /** Its answer's first line came. */
  started: boolean;
  /** Settled already (failed, or its caller gave up): the rest of its answer is read and dropped. */
  settled: boolean;
  settle: (failure?: PeerFailure) => void;
}

/**
 * One long-lived afb-counts/1 stream to a peer (beacon/counts-protocol.ts COUNTS_STREAM): requests
 * are written as lines, answers come back in the same order, each ending at its end line (`["E",`)
 * or being one error line. The answer's lines go to the caller's reader as they come, which
 * validates them exactly as it does an HTTP answer's.
 *
 * Failures: a caller whose deadline fires gives up alone (its fan-out stops waiting; the answer is
 * still read to its end, then dropped). A peer that does not answer within a call's own timeout stalls every call behind it (the
 * answers come in order), so the stream is closed and every call on it fails as a timeout. A stream
 * that closes fails the call being answered as truncated; calls whose answer had not begun fail as
 * `unanswered`, and are asked once more on a new stream by the caller. So do the calls behind an
 * answer that was refused: what it declared can no longer be trusted.
 */
export class PeerStream {
  private socket?: Duplex;
  private opening?: Promise<void>;
  private readonly calls: StreamCall[] = [];
  private readonly unsent: string[] = [];
  private readonly lines = new LineCutter();
  /**
   * One timer for the stream, not one per request (a timer set and cleared per peer answer was ~4 %
   * of a broker's CPU): it fires when the oldest request is due, or when the stream has been idle
   * for STREAM_IDLE_MS, and is set again for whichever comes next.
   */
  private watchdog?: NodeJS.Timeout;
  private lastUsed = 0;
  closed = false;
  /** What the answers on this stream have declared so far (each answer declares only what is new). */
  readonly declared = new ReadDeclarations();

  constructor(private readonly open: () => Promise<Duplex>) {}

  /** Requests written and not yet answered. */
  get pending(): number {
    return this.calls.length;
  }

  /** How long the oldest unanswered request has waited (ms; 0 when none). */
  waited(now: number): number {
    const head = this.calls[0];
    return head ? now - (head.due - head.timeoutMs) : 0;
  }

  /** Asks one request (a JSON line); resolves when its answer's end line has been read and accepted. */
  ask(line: string, onAnswer: (declared: ReadDeclarations) => (line: string) => void, maxBytes: number, timeoutMs: number, signal: AbortSignal, whyAborted: () => string): Promise<void> {
    if (this.closed) return Promise.reject(unanswered('the stream was closed'));
    return new Promise((resolve, reject) => {
      const call: StreamCall = {
        onLine: onAnswer(this.declared),
        maxBytes,
        bytes: 0,
        started: false,
        settled: false,
        timeoutMs,
        due: performance.now() + timeoutMs,
        settle: (failure) => {
          if (call.settled) return;
          call.settled = true;
          if (failure) reject(failure);
          else resolve();
        },
      };
      // A caller whose deadline has passed is not asked. One whose deadline passes while it waits is
      // answered by its fan-out's own race against the deadline; its answer is read and dropped.
      if (signal.aborted) return call.settle(new PeerFailure('timeout', whyAborted()));
      this.calls.push(call);
      this.watch(call.due);
      this.send(line + '\n');
    });
  }

  /** Sets the watchdog for `at` unless it is already set to fire (it looks again then). */
  private watch(at: number): void {
    if (this.watchdog || this.closed) return;
    this.watchdog = setTimeout(() => this.check(), Math.max(1, at - performance.now()));
    this.watchdog.unref();
  }

  /** The oldest request is late (the peer stalls the stream: every request on it fails as a timeout), or the stream is idle (closed), or neither yet. */
  private check(): void {
    this.watchdog = undefined;
    const now = performance.now();
    const head = this.calls[0];
    if (head) {
      if (now >= head.due) return this.fail(new PeerFailure('timeout', `no complete answer within ${head.timeoutMs} ms`));
      return this.watch(head.due);
    }
    if (now - this.lastUsed >= STREAM_IDLE_MS) return this.close();
    this.watch(this.lastUsed + STREAM_IDLE_MS);
  }

  private send(text: string): void {
    if (this.socket) {
      coalescedWrite(this.socket, text);
      return;
    }
    this.unsent.push(text);
    this.opening ??= this.open().then(
      (socket) => {
        if (this.closed) return void socket.destroy();
        this.socket = socket;
        socket.on('data', (chunk: Buffer) => this.read(chunk));
        socket.on('error', () => this.fail(unanswered('the stream failed')));
        socket.on('close', () => this.fail(unanswered('the peer closed the stream')));
        socket.write(this.unsent.join(''));
        this.unsent.length = 0;
      },
      (e: unknown) => this.fail(e instanceof PeerFailure ? e : new PeerFailure('http_error', `stream: ${(e as Error).message}`)),
    );
  }

  private read(chunk: Buffer): void {
    this.lines.write(chunk, (line) => {
      this.deliver(line);
      return !this.closed;
    });
  }

  /** One line of the answer at the head of the queue. */
  private deliver(line: string): void {
    const call = this.calls[0];
    if (!call) return this.fail(new PeerFailure('invalid_answer', 'the stream sent a line when no request was waiting for an answer'));
    call.bytes += line.length + 1;
    let last = line.startsWith('["E",');
    if (!call.started) {
      call.started = true;
      const error = readStreamError(line);
      if (error) {
        last = true;
        call.settle(new PeerFailure('http_error', `HTTP ${error.status}${error.code ? `: ${error.code}` : ''}${error.message ? `: ${error.message}` : ''}`, error.status));
      }
    }
    let refused = call.bytes > call.maxBytes ? new PeerFailure('invalid_answer', `answer larger than ${call.maxBytes} bytes; dropped`) : undefined;
    try {
      // A call given up: its answer's declarations are still read, as later answers may use them.
      if (call.settled || refused) this.declared.line(line);
      else call.onLine(line);
    } catch (e) {
      refused = e instanceof PeerFailure ? e : new PeerFailure('invalid_answer', (e as Error).message);
    }
    if (refused) {
      call.settle(refused);
      this.calls.shift();
      return this.fail(unanswered(`an earlier answer on the stream was refused (${refused.message})`));
    }
    if (!last) return;
    this.calls.shift();
    call.settle();
    this.lastUsed = performance.now();
  }

  /** Every call on the stream fails with `failure` (a call whose answer had begun, as a cut answer), and the stream is closed. */
  private fail(failure: PeerFailure): void {
    if (this.closed && this.calls.length === 0) return;
    this.closed = true;
    clearTimeout(this.watchdog);
    for (const call of this.calls.splice(0)) {
      call.settle(call.started && failure.unanswered ? new PeerFailure('invalid_answer', 'truncated answer (the stream closed in the middle of it)') : failure);
    }
    this.socket?.destroy();
  }

  close(): void {
    this.fail(unanswered('the stream was closed'));
  }
}

function unanswered(why: string): PeerFailure {
  const f = new PeerFailure('http_error', why);
  f.unanswered = true;
  return f;
}
