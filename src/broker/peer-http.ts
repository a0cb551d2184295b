import { StringDecoder } from 'node:string_decoder';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { PeerOutcome } from '../domain/lookup';
import type { Peer } from './peers';

/** Why a peer call did not give a usable answer; `status` is the outcome reported for the peer. */
export class PeerFailure extends Error {
  constructor(
    readonly status: Extract<PeerOutcome['status'], 'timeout' | 'http_error' | 'invalid_answer' | 'refused' | 'skipped_unsupported'>,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'PeerFailure';
  }

  /** The connection closed before any answer began (a stale kept-alive socket): safe to ask once more. */
  unanswered?: boolean;
}

export interface PeerCall {
  method: 'GET' | 'POST';
  /** Path below the peer's API base, e.g. `/batch` or `/g_variants?...`. */
  path: string;
  body?: unknown;
  visited?: readonly string[];
  /** The broker's overall deadline for this answer. */
  signal: AbortSignal;
  maxBytes: number;
}

/**
 * The one HTTP client of the broker (undici, keep-alive pool per peer). Every call ends with its
 * body fully read or aborted, under the peer's own timeout and the overall deadline, and with at
 * most `maxBytes` read; anything else becomes a PeerFailure naming what went wrong.
 *
 * It uses undici's dispatch API with a handler that collects the chunks, not `request()` with a
 * body stream: per 20-peer fan-out that is 1.7 ms of broker CPU instead of 2.7 ms (measured on
 * loopback against real nodes; docs/benchmarks.md).
 */
export class PeerHttp {
  private readonly agent: Agent;
  private readonly budget: ByteBudget;
  /** Each peer's origin and base path, parsed once rather than per request. */
  private readonly bases = new Map<Peer, { origin: string; path: string }>();

  /** `maxBufferedBytes`: answers held at once by all calls together; a call that would go over it fails. */
  constructor(maxBufferedBytes = Number.MAX_SAFE_INTEGER) {
    this.budget = new ByteBudget(maxBufferedBytes);
    this.agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 128, pipelining: 1 });
  }

  async json(peer: Peer, call: PeerCall): Promise<unknown> {
    const { status, text } = await this.exchange(peer, call);
    if (status < 200 || status >= 300) throw new PeerFailure('http_error', `HTTP ${status}${text ? `: ${summarise(text)}` : ''}`, status);
    try {
      return JSON.parse(text);
    } catch {
      throw new PeerFailure('invalid_answer', `answer is not JSON (${summarise(text)})`);
    }
  }

  /**
   * One request whose 2xx answer is NDJSON, read line by line as it arrives (afb-counts/1): each
   * complete line goes to `onLine`, which throws on anything it cannot trust; that, like a body over
   * `maxBytes`, ends the call as invalid_answer. Resolves when the body has ended (the caller checks
   * that it was whole).
   */
  async lines(peer: Peer, call: PeerCall, onLine: (line: string) => void): Promise<void> {
    const { status, text } = await this.exchange(peer, call, onLine);
    if (status < 200 || status >= 300) throw new PeerFailure('http_error', `HTTP ${status}${text ? `: ${summarise(text)}` : ''}`, status);
  }

  /**
   * One request; resolves with the status and body text (an error status keeps at most 2 kB of its
   * body). Asked once more, on a fresh connection, when the peer closed the kept-alive one before
   * any answer began (the requests are lookups: asking again changes nothing at the peer).
   */
  private async exchange(peer: Peer, call: PeerCall, onLine?: (line: string) => void): Promise<{ status: number; text: string }> {
    try {
      return await this.exchangeOnce(peer, call, onLine);
    } catch (e) {
      if (!(e instanceof PeerFailure && e.unanswered) || call.signal.aborted) throw e;
      return this.exchangeOnce(peer, call, onLine);
    }
  }

  private exchangeOnce(peer: Peer, call: PeerCall, onLine?: (line: string) => void): Promise<{ status: number; text: string }> {
    let base = this.bases.get(peer);
    if (!base) {
      const url = new URL(peer.url);
      base = { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
      this.bases.set(peer, base);
    }
    const headers: Record<string, string> = { accept: onLine ? 'application/x-ndjson' : 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (peer.token) headers.authorization = `Bearer ${peer.token}`;
    if (call.visited && call.visited.length > 0) headers['x-afb-visited'] = call.visited.join(',');
    return new Promise((resolve, reject) => {
      const handler = new CollectHandler(peer, call.maxBytes, this.budget, resolve, reject, onLine);
      const onTimeout = () => handler.stop(new PeerFailure('timeout', `no complete answer within ${peer.timeoutMs} ms`));
      const onDeadline = () => handler.stop(new PeerFailure('timeout', whyAborted(call.signal, `no complete answer within the broker deadline (peer timeout ${peer.timeoutMs} ms)`)));
      const timer = setTimeout(onTimeout, peer.timeoutMs);
      handler.onSettle = () => {
        clearTimeout(timer);
        call.signal.removeEventListener('abort', onDeadline);
      };
      if (call.signal.aborted) return onDeadline();
      call.signal.addEventListener('abort', onDeadline, { once: true });
      this.agent.dispatch(
        {
          origin: base.origin,
          path: base.path + call.path,
          method: call.method,
          headers,
          body: call.body === undefined ? null : JSON.stringify(call.body),
          headersTimeout: peer.timeoutMs,
          bodyTimeout: peer.timeoutMs,
        },
        handler,
      );
    });
  }

  /** Bytes of peer answers held in memory right now, and the most ever held at once (all peers, all queries). */
  get bufferedBytes(): { now: number; peak: number } {
    return { now: this.budget.held, peak: this.budget.peak };
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

/** The bytes all calls of one PeerHttp hold, against one bound (so many large answers at once cannot exhaust memory). */
class ByteBudget {
  held = 0;
  peak = 0;
  constructor(readonly max: number) {}

  take(n: number): boolean {
    if (this.held + n > this.max) return false;
    this.held += n;
    if (this.held > this.peak) this.peak = this.held;
    return true;
  }

  give(n: number): void {
    this.held -= n;
  }
}

/**
 * Collects one response body (undici's dispatch hooks, as undici's own interceptors do). Settles
 * once: with the status and text, or with a PeerFailure; `stop` aborts the request. A 2xx body over
 * `maxBytes`, or one the broker-wide budget cannot hold, fails as invalid_answer; an error body is
 * kept up to 2 kB for the message and the rest dropped.
 */
class CollectHandler implements Dispatcher.DispatchHandler {
  onSettle?: () => void;
  private controller?: Dispatcher.DispatchController;
  private settled = false;
  private status = 0;
  private size = 0;
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly peer: Peer,
    private readonly maxBytes: number,
    private readonly budget: ByteBudget,
    private readonly resolve: (v: { status: number; text: string }) => void,
    private readonly reject: (e: PeerFailure) => void,
    /** Line mode: a 2xx body is split into lines as it arrives, not kept. */
    private readonly onLine?: (line: string) => void,
  ) {}

  private decoder?: StringDecoder;
  private rest = '';

  /** Line mode: the complete lines of what has come so far; false when a line was refused (the call is stopped). */
  private feed(text: string, last: boolean): boolean {
    let from = 0;
    try {
      // Lines are cut from the chunk itself (the rest of the last chunk is joined only to the first
      // line: not chunk after chunk copied into one string to search).
      let nl = text.indexOf('\n');
      if (nl >= 0 && this.rest !== '') {
        const first = this.rest + text.slice(0, nl);
        this.rest = '';
        from = nl + 1;
        this.onLine!(first);
        nl = text.indexOf('\n', from);
      }
      for (; nl >= 0; nl = text.indexOf('\n', from)) {
        this.onLine!(text.slice(from, nl));
        from = nl + 1;
      }
      this.rest = from === 0 ? this.rest + text : text.slice(from);
      if (last && this.rest !== '') this.onLine!(this.rest);
      return true;
    } catch (e) {
      const failure = e instanceof PeerFailure ? e : new PeerFailure('invalid_answer', (e as Error).message);
      this.stop(failure);
      return false;
    }
  }

  stop(failure: PeerFailure): void {
    this.finish(failure);
    this.controller?.abort(failure);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new Error('already settled'));
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const ok = this.status >= 200 && this.status < 300;
    if (ok && this.size + chunk.length > this.maxBytes) return this.stop(new PeerFailure('invalid_answer', `answer larger than ${this.maxBytes} bytes; dropped`));
    if (!this.budget.take(chunk.length)) {
      return this.stop(new PeerFailure('invalid_answer', `answers in flight exceed the broker's ${this.budget.max} bytes; this one was dropped`));
    }
    this.size += chunk.length;
    if (ok && this.onLine) {
      this.decoder ??= new StringDecoder('utf8');
      this.feed(this.decoder.write(chunk), false);
      return;
    }
    this.chunks.push(chunk);
    if (!ok && this.size > 2048) {
      // Enough of an error body for the message; drop the rest of it.
      this.finish(undefined, { status: this.status, text: this.text().slice(0, 2048) });
      this.controller?.abort(new Error('error body dropped'));
    }
  }

  onResponseEnd(): void {
    if (this.settled) return;
    if (this.onLine && this.status >= 200 && this.status < 300 && !this.feed(this.decoder?.end() ?? '', true)) return;
    this.finish(undefined, { status: this.status, text: this.text() });
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    const f = failureOf(err, this.peer);
    // The peer closed a kept-alive connection as this request went out on it (its keep-alive timer
    // won the race against ours, e.g. under load): no answer began, so the request was never read.
    if (this.status === 0 && (err as { code?: string }).code === 'UND_ERR_SOCKET') f.unanswered = true;
    this.finish(f);
  }

  private text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private finish(err?: PeerFailure, value?: { status: number; text: string }): void {
    if (this.settled) return;
    this.settled = true;
    this.budget.give(this.size);
    this.chunks.length = 0;
    this.onSettle?.();
    if (err) this.reject(err);
    else this.resolve(value!);
  }
}

/** The reason a fan-out gives its deadline signal when the caller cancelled (see whyAborted). */
export const CANCELLED = 'the caller cancelled the request';

/** Why a call's signal fired: the caller cancelled, or else `deadline`. */
export function whyAborted(signal: AbortSignal, deadline: string): string {
  return (signal.reason as Error | undefined)?.message === CANCELLED ? CANCELLED : deadline;
}

function failureOf(e: unknown, peer: Peer): PeerFailure {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_ABORTED') {
    return new PeerFailure('timeout', `no complete answer within ${peer.timeoutMs} ms (or the broker deadline)`);
  }
  if (code === 'ECONNREFUSED') return new PeerFailure('refused', `connection refused at ${peer.url}`);
  return new PeerFailure('http_error', `${code ?? 'network error'}: ${err.message ?? String(e)}`);
}

function summarise(text: string): string {
  // A Beacon error body: its code and message, not the start of its meta.
  let t = text.replace(/\s+/g, ' ').trim();
  if (t.startsWith('{') && t.includes('"error"')) {
    try {
      const e = (JSON.parse(text) as { error?: { errorCodeName?: unknown; errorMessage?: unknown } }).error;
      if (e && typeof e.errorMessage === 'string') t = `${typeof e.errorCodeName === 'string' ? `${e.errorCodeName}: ` : ''}${e.errorMessage}`;
    } catch {
      // not JSON after all: summarised as text
    }
  }
  return t.length > 160 ? t.slice(0, 160) + '…' : t;
}
