import cluster, { type Worker } from 'node:cluster';

/**
 * Questions and answers between a worker and the primary, both ways, over the cluster's IPC
 * channel. afb's own messages carry `afb` (prom-client's carry `type`), so listeners skip others'.
 */
interface Ask {
  afb: 'ask';
  kind: string;
  id: number;
  body: unknown;
}
interface Answer {
  afb: 'answer';
  id: number;
  body?: unknown;
  error?: string;
}
type Send = (m: Ask | Answer, done: (e: Error | null) => void) => void;
type Handler = (body: unknown) => unknown;

/** The other side went away before it answered (a worker that died): no answer will come. */
export class GoneError extends Error {}

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
let nextId = 0;

function isMessage(m: unknown, afb: 'ask' | 'answer'): boolean {
  return typeof m === 'object' && m !== null && (m as { afb?: unknown }).afb === afb;
}

function settle(a: Answer): void {
  const p = pending.get(a.id);
  if (!p) return;
  pending.delete(a.id);
  clearTimeout(p.timer);
  if (a.error !== undefined) p.reject(new Error(a.error));
  else p.resolve(a.body);
}

function ask<T>(send: Send, kind: string, body: unknown, timeoutMs: number, gone?: (cancel: () => void) => () => void): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const fail = (e: Error): void => {
      if (!pending.delete(id)) return;
      clearTimeout(timer);
      stopWatching?.();
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`${kind}: no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    const stopWatching = gone?.(() => fail(new GoneError(`${kind}: the other process is gone`)));
    pending.set(id, {
      resolve: (v) => {
        stopWatching?.();
        resolve(v as T);
      },
      reject,
      timer,
    });
    send({ afb: 'ask', kind, id, body }, (e) => {
      if (e) fail(new GoneError(`${kind}: cannot reach the other process (${e.message})`));
    });
  });
}

function answer(q: Ask, handler: Handler | undefined, send: Send): void {
  const ignore = (): void => undefined;
  Promise.resolve()
    .then(() => {
      if (!handler) throw new Error(`no handler for ${q.kind}`);
      return handler(q.body);
    })
    .then(
      (body) => send({ afb: 'answer', id: q.id, body }, ignore),
      (e: unknown) => send({ afb: 'answer', id: q.id, error: (e as Error)?.message ?? String(e) }, ignore),
    );
}

// ---- in a worker

const workerHandlers = new Map<string, Handler>();
let workerListening = false;
const toPrimary: Send = (m, done) => {
  if (!process.send) return done(new GoneError('not a cluster worker'));
  process.send(m, undefined, undefined, done);
};

function workerListen(): void {
  if (workerListening) return;
  workerListening = true;
  process.on('message', (m: unknown) => {
    if (isMessage(m, 'answer')) settle(m as Answer);
    else if (isMessage(m, 'ask') && workerHandlers.has((m as Ask).kind)) answer(m as Ask, workerHandlers.get((m as Ask).kind), toPrimary);
  });
}

/** A worker asks the primary; rejects when it does not answer within `timeoutMs` (it is gone or stuck). */
export function askPrimary<T>(kind: string, body: unknown, timeoutMs = 5000): Promise<T> {
  workerListen();
  return ask<T>(toPrimary, kind, body, timeoutMs);
}

/** A worker answers the primary's `kind` questions. */
export function answerPrimary(kind: string, handler: Handler): void {
  workerListen();
  workerHandlers.set(kind, handler);
}

// ---- in the primary

let primaryListening = false;

/** The primary asks one worker; rejects with GoneError when the worker disconnects first. */
export function askWorker<T>(worker: Worker, kind: string, body: unknown, timeoutMs = 5000): Promise<T> {
  if (!primaryListening) {
    primaryListening = true;
    cluster.on('message', (_w: Worker, m: unknown) => {
      if (isMessage(m, 'answer')) settle(m as Answer);
    });
  }
  if (!worker.isConnected()) return Promise.reject(new GoneError(`${kind}: worker ${worker.id} is disconnected`));
  return ask<T>((m, done) => worker.send(m, undefined, undefined, done), kind, body, timeoutMs, (cancel) => {
    worker.once('disconnect', cancel);
    return () => worker.off('disconnect', cancel);
  });
}

/** The primary answers the workers' `kind` questions with `handler`; returns the function that stops it. */
export function answerWorkers(kind: string, handler: Handler): () => void {
  const onMessage = (worker: Worker, m: unknown): void => {
    if (!isMessage(m, 'ask') || (m as Ask).kind !== kind) return;
    // A worker gone before its answer: nothing to tell (the primary sees its exit).
    answer(m as Ask, handler, (a, done) => (worker.isConnected() ? worker.send(a, undefined, undefined, done) : done(null)));
  };
  cluster.on('message', onMessage);
  return () => cluster.off('message', onMessage);
}
