import { Agent, request, errors as undiciErrors } from 'undici';
import type { PeerOutcome } from '../domain/lookup';
import type { Peer } from './peers';

/** Why a peer call did not give a usable answer; `status` is the outcome reported for the peer. */
export class PeerFailure extends Error {
  constructor(
    readonly status: Extract<PeerOutcome['status'], 'timeout' | 'http_error' | 'invalid_answer' | 'refused'>,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'PeerFailure';
  }
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
 * body fully read or destroyed, under the peer's own timeout and the overall deadline, and with
 * at most `maxBytes` read; anything else becomes a PeerFailure naming what went wrong.
 */
export class PeerHttp {
  private readonly agent: Agent;

  constructor() {
    this.agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 128, pipelining: 1 });
  }

  async json(peer: Peer, call: PeerCall): Promise<unknown> {
    // The peer's own timeout and the broker's deadline, as one signal. A plain controller and timer:
    // AbortSignal.any/timeout cost ~5% of a federated lookup in node 20 (measured with --cpu-prof).
    const controller = new AbortController();
    const { signal } = controller;
    const abort = (): void => controller.abort();
    const timer = setTimeout(abort, peer.timeoutMs);
    if (call.signal.aborted) abort();
    else call.signal.addEventListener('abort', abort, { once: true });
    try {
      return await this.exchange(peer, call, signal);
    } finally {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', abort);
    }
  }

  private async exchange(peer: Peer, call: PeerCall, signal: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (peer.token) headers.authorization = `Bearer ${peer.token}`;
    if (call.visited && call.visited.length > 0) headers['x-afb-visited'] = call.visited.join(',');
    let res;
    try {
      res = await request(peer.url + call.path, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
        dispatcher: this.agent,
        headersTimeout: peer.timeoutMs,
        bodyTimeout: peer.timeoutMs,
      });
    } catch (e) {
      throw failureOf(e, signal, peer);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      // Read a little of the error body for the message, then drop the rest.
      const text = await readCapped(res.body, 2048, signal, peer, true).catch(() => '');
      throw new PeerFailure('http_error', `HTTP ${res.statusCode}${text ? `: ${summarise(text)}` : ''}`, res.statusCode);
    }
    const text = await readCapped(res.body, call.maxBytes, signal, peer, false);
    try {
      return JSON.parse(text);
    } catch {
      throw new PeerFailure('invalid_answer', `answer is not JSON (${summarise(text)})`);
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

type Body = AsyncIterable<Buffer> & { destroy(err?: Error): unknown };

async function readCapped(body: Body, maxBytes: number, signal: AbortSignal, peer: Peer, truncate: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        if (truncate) break;
        throw new PeerFailure('invalid_answer', `answer larger than ${maxBytes} bytes; dropped`);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    body.destroy();
    if (e instanceof PeerFailure) throw e;
    throw failureOf(e, signal, peer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function failureOf(e: unknown, signal: AbortSignal, peer: Peer): PeerFailure {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (signal.aborted || e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_ABORTED') {
    return new PeerFailure('timeout', `no complete answer within ${peer.timeoutMs} ms (or the broker deadline)`);
  }
  if (code === 'ECONNREFUSED') return new PeerFailure('refused', `connection refused at ${peer.url}`);
  return new PeerFailure('http_error', `${code ?? 'network error'}: ${err.message ?? String(e)}`);
}

function summarise(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? t.slice(0, 160) + '…' : t;
}
