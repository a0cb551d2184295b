import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AfbError } from '../domain/errors';
import { COUNTS_PATH, COUNTS_UPGRADE, streamErrorLine } from '../beacon/counts-protocol';
import { WrittenDeclarations } from '../beacon/counts-lines';
import { coalescedWrite } from '../beacon/coalesced-writes';
import { LineCutter } from '../beacon/line-cutter';
import { errorReply, type Reply } from '../pipeline';
import type { AppContext } from './context';
import { clientIp, header } from './fast-path';
import { recordRequest, requestId } from './observability';

const URL_ = `/api${COUNTS_PATH}`;
const ROUTE = `${URL_} (stream)`;
/**
 * Requests read ahead of the one being answered: at most this many, and at most one POST body's
 * worth of bytes (bodyLimitBytes); past either the socket is not read until they are answered, so
 * a stream holds no more of a client's requests than a POST would.
 */
const MAX_QUEUED = 64;
/** A stream with nothing asked for this long is closed (a broker closes its own idle streams sooner, at 30 s). */
export const STREAM_IDLE_MS = 120_000;

/**
 * Declarations (datasets, groups) one stream may accumulate; past it the stream is closed after the
 * answer (the client opens a new one). Each re-ingest adds a dataset entry: this bounds a stream
 * that lives across many.
 */
const MAX_DECLARATIONS = 10_000;

/** What the stream door needs of the server's shutdown: a socket is busy while it answers, so a graceful close ends it between answers. */
export type HoldSocket = (socket: Duplex) => () => void;

/**
 * The afb-counts/1 stream (beacon/counts-protocol.ts COUNTS_STREAM), a door like the others: each
 * line is handed to the same pipeline as a `POST /api/afb-counts/1` body, with the headers of the
 * upgrade request (so the caller, its budget and its audit line are exactly a POST's), and its
 * Reply written back in order. One request is answered at a time per stream; the next line is
 * read while it is.
 */
export function countsStreamDoor(app: AppContext, hold: HoldSocket): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const started = process.hrtime.bigint();
    if (req.method !== 'GET' || req.url !== URL_ || (req.headers.upgrade ?? '').toLowerCase() !== COUNTS_UPGRADE) {
      const why = new AfbError('INVALID_PARAMETER', `no upgrade to '${req.headers.upgrade ?? ''}' at ${req.method} ${req.url}; the one upgrade served is GET ${URL_} with Upgrade: ${COUNTS_UPGRADE}`);
      const { reply } = errorReply(app.facts, why);
      const body = reply.body as string;
      socket.end(`HTTP/1.1 ${reply.status} Bad Request\r\nContent-Type: ${reply.contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      recordRequest(app.logger, app.metrics, { id: requestId(header(req, 'x-request-id')), method: req.method ?? 'GET', url: req.url ?? '', route: 'upgrade', status: reply.status, started });
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${COUNTS_UPGRADE}\r\nConnection: Upgrade\r\n\r\n`);
    new StreamSession(app, req, socket, hold).start(head);
  };
}

class StreamSession {
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private readonly lines = new LineCutter();
  private answering = false;
  /** Every answer on this stream declares only what no earlier one did. */
  private readonly declared = new WrittenDeclarations();
  private readonly base: { accept?: string; authorization?: string; visited?: string; clientIp?: string };

  constructor(
    private readonly app: AppContext,
    req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly hold: HoldSocket,
  ) {
    this.base = { accept: 'application/x-ndjson', authorization: header(req, 'authorization'), visited: header(req, 'x-afb-visited'), clientIp: clientIp(req) };
  }

  start(head: Buffer): void {
    const s = this.socket as Duplex & { setNoDelay?: (on: boolean) => void; setTimeout?: (ms: number, cb: () => void) => void };
    s.setNoDelay?.(true);
    s.setTimeout?.(STREAM_IDLE_MS, () => this.socket.destroy());
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => this.socket.destroy());
    this.socket.on('end', () => this.socket.end());
    if (head.length > 0) this.read(head);
  }

  private read(chunk: Buffer): void {
    this.lines.write(chunk, (line) => {
      if (line === '') return;
      const fits = Buffer.byteLength(line) <= this.app.config.bodyLimitBytes;
      if (fits) this.queuedBytes += line.length;
      this.queue.push(fits ? line : '');
    });
    // A request longer than a POST body may be is answered PAYLOAD_TOO_LARGE (an empty entry), and the stream then closes.
    if (this.lines.pendingLength > this.app.config.bodyLimitBytes) {
      this.queue.push('');
      this.lines.dropPending();
      this.socket.pause();
    }
    if (this.queue.length >= MAX_QUEUED || this.queuedBytes > this.app.config.bodyLimitBytes) this.socket.pause();
    void this.next();
  }

  /** Answers the queued requests one at a time, in order. */
  private async next(): Promise<void> {
    if (this.answering) return;
    this.answering = true;
    const release = this.hold(this.socket);
    try {
      for (let line = this.queue.shift(); line !== undefined; line = this.queue.shift()) {
        this.queuedBytes -= line.length;
        if (this.queue.length < MAX_QUEUED / 2 && this.queuedBytes < this.app.config.bodyLimitBytes / 2) this.socket.resume();
        if (this.socket.destroyed || this.socket.writableEnded) return;
        if (!(await this.answer(line))) return;
      }
    } finally {
      this.answering = false;
      release();
    }
  }

  /** One request through the pipeline, its reply written whole; false when the stream cannot go on. */
  private async answer(line: string): Promise<boolean> {
    const started = process.hrtime.bigint();
    const reqId = requestId(undefined);
    let reply: Reply;
    let error: unknown;
    try {
      if (line === '') throw new AfbError('PAYLOAD_TOO_LARGE', `a request line is longer than ${this.app.config.bodyLimitBytes} bytes; send fewer variants per request`);
      let body: unknown;
      try {
        body = JSON.parse(line);
      } catch {
        throw new AfbError('INVALID_PARAMETER', `${ROUTE}: a request line is not JSON`);
      }
      reply = await this.app.pipeline({ endpoint: 'counts', body, headers: { ...this.base, requestId: reqId }, declared: this.declared });
    } catch (err) {
      const failed = errorReply(this.app.facts, err);
      reply = failed.reply;
      if (failed.internal) error = String((err as Error)?.stack ?? err);
    }
    let ok = line !== '';
    try {
      if (reply.status !== 200) coalescedWrite(this.socket, streamErrorLine(reply.status, (JSON.parse(reply.body as string) as { error?: unknown }).error));
      else if (typeof reply.body === 'string') coalescedWrite(this.socket, reply.body);
      else {
        for await (const part of reply.body) {
          if (this.socket.destroyed) return false;
          if (!this.socket.write(part) && !(await this.drained())) return false;
        }
      }
    } catch (err) {
      // The answer began: a failure mid-answer cuts the stream, so no answer is ever silently short.
      error ??= String(err);
      ok = false;
      this.socket.destroy();
    }
    recordRequest(this.app.logger, this.app.metrics, { id: reqId, method: 'STREAM', url: URL_, route: ROUTE, status: reply.status, started, error });
    if (this.declared.size > MAX_DECLARATIONS) ok = false;
    if (!ok) this.socket.end();
    return ok;
  }

  /** The client took what was buffered, within the send timeout (else the stream is cut). */
  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => {
        this.socket.destroy();
        done(false);
      }, this.app.config.sendTimeoutMs);
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }
}
