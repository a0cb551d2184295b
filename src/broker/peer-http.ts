import type { Duplex } from 'node:stream';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { COUNTS_UPGRADE } from '../beacon/counts-protocol';
import { ReadDeclarations } from '../beacon/counts-lines';
import { LineCutter } from '../beacon/line-cutter';
import type { Peer } from './peers';
import { PeerStream } from './peer-stream';
import { PeerFailure } from './peer-failure';

export { PeerFailure } from './peer-failure';

export interface PeerCall {
  method: 'GET' | 'POST';
  /** Path below the peer's API base, e.g. `/batch` or `/g_variants?...`. */
  path: string;
  body?: unknown;
  /** The body as JSON text already (instead of `body`). */
  bodyText?: string;
  visited?: readonly string[];
  /** The broker's overall deadline for this answer. */
  signal: AbortSignal;
  maxBytes: number;
}

/** How long opening an afb-counts/1 stream may take (two round trips: connect, upgrade) before the peer is asked by HTTP requests instead. */
export const STREAM_OPEN_MS = 1000;
/**
 * How long a stream's oldest request may wait before another stream to the same peer is opened: a
 * node answers within it even under load (2 ms opened more streams to nodes, whose lookups then
 * shared fewer writes: 25-28 against 18 µs of broker CPU per peer answer, 10 lookups in flight).
 */
const STREAM_BUSY_MS = 10;
/** Most streams to one peer (and X-Afb-Visited path). */
const MAX_STREAMS_PER_PEER = 8;
/** Most X-Afb-Visited paths a peer has streams for (a broker has a few brokers above it); others are asked by HTTP requests. */
const MAX_STREAM_PATHS = 8;
/** How long a peer that did not open a stream is asked by HTTP requests before a stream is tried again. */
const NO_STREAM_MS = 10 * 60_000;

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
  /** The afb-counts/1 streams per peer and X-Afb-Visited path (the upgrade's headers hold for every request on it). */
  private readonly streams = new Map<Peer, Map<string, PeerStream[]>>();
  /** Peers that refused to open a stream (they announced it): asked by HTTP requests until this time. */
  private readonly noStream = new Map<Peer, number>();

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
   * As `lines`, on the peer's long-lived afb-counts/1 stream (beacon/counts-protocol.ts
   * COUNTS_STREAM): the body written as one line, the answer's lines read as they come. A request
   * whose answer never began (the stream closed: the peer restarted, or closed it idle) is asked
   * once more on a new stream. A peer that does not open a stream within STREAM_OPEN_MS (a proxy
   * in front of it that does not pass upgrades on, say) is asked by HTTP requests for the next
   * NO_STREAM_MS; so is the request that found out.
   */
  async streamLines(peer: Peer, call: PeerCall, onAnswer: (declared: ReadDeclarations) => (line: string) => void): Promise<void> {
    if ((this.noStream.get(peer) ?? 0) > Date.now()) return this.lines(peer, call, onAnswer(new ReadDeclarations()));
    try {
      return await this.streamOnce(peer, call, onAnswer);
    } catch (e) {
      if (e instanceof PeerFailure && e.noStream && !call.signal.aborted) return this.lines(peer, call, onAnswer(new ReadDeclarations()));
      if (!(e instanceof PeerFailure && e.unanswered) || call.signal.aborted) throw e;
      return this.streamOnce(peer, call, onAnswer);
    }
  }

  private streamOnce(peer: Peer, call: PeerCall, onAnswer: (declared: ReadDeclarations) => (line: string) => void): Promise<void> {
    const visited = call.visited?.join(',') ?? '';
    const stream = this.streamFor(peer, call.path, visited);
    if (!stream) return this.lines(peer, call, onAnswer(new ReadDeclarations()));
    const why = () => whyAborted(call.signal, `no complete answer within the broker deadline (peer timeout ${peer.timeoutMs} ms)`);
    return stream.ask(bodyTextOf(call) ?? 'null', onAnswer, call.maxBytes, peer.timeoutMs, call.signal, why);
  }

  /**
   * The stream to ask on: one that is idle, or else the one with the fewest requests waiting. A peer
   * answers a stream's requests one at a time, so when every stream's oldest request has waited more
   * than STREAM_BUSY_MS (a broker peer, whose answers wait on its own peers) another stream is
   * opened, up to MAX_STREAMS_PER_PEER; a node answers within that and keeps one. Undefined (ask by
   * an HTTP request) for a path past the MAX_STREAM_PATHS a peer has streams for: X-Afb-Visited
   * comes from the caller, and must not be a way to make this broker open connections without end.
   */
  private streamFor(peer: Peer, path: string, visited: string): PeerStream | undefined {
    let paths = this.streams.get(peer);
    if (!paths) this.streams.set(peer, (paths = new Map()));
    let list = paths.get(visited);
    if (!list) {
      if (paths.size >= MAX_STREAM_PATHS) for (const [v, l] of paths) if (l.every((x) => x.closed)) paths.delete(v);
      if (paths.size >= MAX_STREAM_PATHS) return undefined;
      paths.set(visited, (list = []));
    }
    const now = performance.now();
    let best: PeerStream | undefined;
    let live = 0;
    for (const s of list) {
      if (s.closed) continue;
      live++;
      if (s.pending === 0) return s;
      if (!best || s.pending < best.pending) best = s;
    }
    if (best && (live >= MAX_STREAMS_PER_PEER || best.waited(now) < STREAM_BUSY_MS)) return best;
    const opened = new PeerStream(() => this.upgrade(peer, path, visited));
    paths.set(visited, [...list.filter((s) => !s.closed), opened]);
    return opened;
  }

  /** Opens a stream: `GET <path>` upgraded to afb-counts/1, with the headers every request on it carries. */
  private async upgrade(peer: Peer, path: string, visited: string): Promise<Duplex> {
    const base = this.base(peer);
    const headers: Record<string, string> = {};
    if (peer.token) headers.authorization = `Bearer ${peer.token}`;
    if (visited !== '') headers['x-afb-visited'] = visited;
    try {
      const signal = AbortSignal.timeout(Math.min(STREAM_OPEN_MS, peer.timeoutMs));
      const { socket } = await this.agent.upgrade({ origin: base.origin, path: base.path + path, method: 'GET', headers, protocol: COUNTS_UPGRADE, signal } as Dispatcher.UpgradeOptions);
      return socket;
    } catch (e) {
      const f = failureOf(e, peer);
      // Not down, but no stream (answered without 101, or not in time): asked by HTTP requests for a while.
      if (f.status !== 'refused') {
        f.noStream = true;
        this.noStream.set(peer, Date.now() + NO_STREAM_MS);
      }
      throw f;
    }
  }

  private base(peer: Peer): { origin: string; path: string } {
    let base = this.bases.get(peer);
    if (!base) {
      const url = new URL(peer.url);
      base = { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
      this.bases.set(peer, base);
    }
    return base;
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
    const base = this.base(peer);
    const body = bodyTextOf(call);
    const headers: Record<string, string> = { accept: onLine ? 'application/x-ndjson' : 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
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
          body: body ?? null,
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
    for (const paths of this.streams.values()) for (const list of paths.values()) for (const s of list) s.close();
    this.streams.clear();
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

  private lines?: LineCutter;

  /** Line mode: `give` hands complete lines to onLine; false when one was refused (the call is then stopped). */
  private readLines(give: (onLine: (line: string) => void) => void): boolean {
    try {
      give(this.onLine!);
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
      const lines = (this.lines ??= new LineCutter());
      this.readLines((onLine) => lines.write(chunk, onLine));
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
    // A last line without its newline is read too (the end line then says whether the answer was whole).
    const last = (onLine: (line: string) => void) => {
      const rest = this.lines?.end() ?? '';
      if (rest !== '') onLine(rest);
    };
    if (this.onLine && this.status >= 200 && this.status < 300 && !this.readLines(last)) return;
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

function bodyTextOf(call: PeerCall): string | undefined {
  return call.bodyText ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
}
