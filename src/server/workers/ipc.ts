import cluster, { type Worker } from 'node:cluster';

/**
 * Request and reply between a worker and the primary over the cluster's IPC channel. afb's own
 * messages carry `afb` (prom-client's carry `type`), so each side's listeners skip the other's.
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

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
let nextId = 0;
let listening = false;

function onAnswer(m: unknown): void {
  const a = m as Answer | null;
  if (!a || typeof a !== 'object' || a.afb !== 'answer') return;
  const p = pending.get(a.id);
  if (!p) return;
  pending.delete(a.id);
  clearTimeout(p.timer);
  if (a.error !== undefined) p.reject(new Error(a.error));
  else p.resolve(a.body);
}

/** A worker asks the primary; rejects when it does not answer within `timeoutMs` (it is gone or stuck). */
export function askPrimary<T>(kind: string, body: unknown, timeoutMs = 5000): Promise<T> {
  const send = process.send?.bind(process);
  if (!send) return Promise.reject(new Error(`${kind}: not a cluster worker`));
  if (!listening) {
    listening = true;
    process.on('message', onAnswer);
  }
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`${kind}: the primary process did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    send({ afb: 'ask', kind, id, body } satisfies Ask, undefined, undefined, (e: Error | null) => {
      if (!e) return;
      pending.delete(id);
      clearTimeout(timer);
      reject(new Error(`${kind}: cannot reach the primary process (${e.message})`));
    });
  });
}

/** The primary answers the workers' `kind` questions with `handler`; returns the function that stops it. */
export function answerWorkers(kind: string, handler: (body: unknown) => unknown): () => void {
  const onMessage = (worker: Worker, m: unknown): void => {
    const q = m as Ask | null;
    if (!q || typeof q !== 'object' || q.afb !== 'ask' || q.kind !== kind) return;
    const reply = (a: Answer): void => {
      // A worker gone before its answer: nothing to tell (the primary sees its exit).
      if (worker.isConnected()) worker.send(a, undefined, undefined, () => undefined);
    };
    Promise.resolve()
      .then(() => handler(q.body))
      .then(
        (body) => reply({ afb: 'answer', id: q.id, body }),
        (e: unknown) => reply({ afb: 'answer', id: q.id, error: (e as Error)?.message ?? String(e) }),
      );
  };
  cluster.on('message', onMessage);
  return () => cluster.off('message', onMessage);
}
