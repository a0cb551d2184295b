import { setMaxListeners } from 'node:events';
import type { LookupScope, LookupTrace, PeerOutcome } from '../domain/lookup';
import { CANCELLED, PeerFailure, whyAborted } from './peer-http';
import type { PeerCallContext, PeerClient } from './peer-client';
import type { PeerHealth } from './peer-health';

/** One peer as the fan-out sees it: how to ask it and its health (the circuit breaker). */
export interface FanOutMember {
  client: PeerClient;
  health: PeerHealth;
}

export interface FanOutOptions {
  /** This broker's id (its beaconId): what it adds to X-Afb-Visited. */
  id: string;
  deadlineMs: number;
  maxDepth: number;
  log?: (level: 'info' | 'warn', obj: Record<string, unknown>, msg: string) => void;
}

/** What one fan-out gave: each answering peer's value and every peer's outcome, in peers-file order. */
export interface FanOutResult<T> {
  values: Map<string, T>;
  outcomes: PeerOutcome[];
  /** Peers asked (not skipped). */
  asked: string[];
  /** Peers that should have answered and did not (failed, or skipped as down). */
  failed: string[];
}

/**
 * Asks every eligible peer at once under one deadline (DESIGN §8); a peer's failure is its
 * outcome, never the answer's. Skipped: peers on another assembly, peers whose breaker is open,
 * and everything when this broker is already on the query's path (a loop) or the path is too long.
 */
export class FanOut {
  constructor(private readonly members: readonly FanOutMember[], private readonly o: FanOutOptions) {}

  /** `cancel`: the caller's signal (a client that went away); it ends every peer call as the deadline would. */
  async run<T>(
    scope: LookupScope,
    ask: (client: PeerClient, call: PeerCallContext) => Promise<T>,
    isHit: (value: T) => boolean,
    cancel?: AbortSignal,
  ): Promise<FanOutResult<T>> {
    const visited = [...(scope.visited ?? [])];
    const fan: FanOutResult<T> = { values: new Map(), outcomes: [], asked: [], failed: [] };
    const loop = visited.includes(this.o.id) || visited.length >= this.o.maxDepth;
    const deadline = new AbortController();
    // Every peer call listens on the deadline (a request, its timeout, the race below): 20 peers exceed node's default of 10.
    setMaxListeners(this.members.length * 4 + 10, deadline.signal);
    const timer = setTimeout(() => deadline.abort(), this.o.deadlineMs);
    const onCancel = () => deadline.abort(new Error(CANCELLED));
    if (cancel?.aborted) onCancel();
    else cancel?.addEventListener('abort', onCancel, { once: true });
    const call: PeerCallContext = { signal: deadline.signal, visited: [...visited, this.o.id], shared: {} };
    // One promise for every peer's race against the deadline (a listener on the signal per peer was a measurable part of a peer answer).
    const aborted = new Promise<never>((_, reject) => deadline.signal.addEventListener('abort', () => reject(DEADLINE), { once: true }));
    aborted.catch(() => undefined);
    const byPeer = new Map<string, PeerOutcome>();
    try {
      await Promise.all(
        this.members.map(async ({ client, health }): Promise<void> => {
          const peer = client.peer;
          const outcome = (status: PeerOutcome['status'], latencyMs: number, extra: Partial<PeerOutcome> = {}): void => {
            byPeer.set(peer.id, { peer: peer.id, name: peer.name, status, latencyMs, ...extra });
          };
          if (loop) return outcome('skipped_loop', 0, { message: `this broker (${this.o.id}) is already on the query's path ${visited.join(' > ')}` });
          if (!peer.assemblies.includes(scope.assembly)) return outcome('skipped_assembly', 0, { message: `serves ${peer.assemblies.join(', ')}` });
          if (!health.breaker.allow()) {
            return outcome('skipped_down', 0, { message: `down after ${health.breaker.consecutiveFailures} failures (${health.breaker.lastError ?? ''}); retried later` });
          }
          const started = performance.now();
          const own: PeerCallContext = { ...call, notes: [] };
          const notes = () => (own.notes!.length > 0 ? { notes: [...new Set(own.notes)] } : {});
          try {
            const value = await Promise.race([ask(client, own), aborted]);
            health.breaker.success();
            fan.values.set(peer.id, value);
            if (isHit(value)) outcome('ok', ms(started), notes());
            else if (own.unmatched) outcome('unmatched', ms(started), { message: own.unmatched, ...notes() });
            else outcome('miss', ms(started), notes());
          } catch (e) {
            const f =
              e === DEADLINE
                ? new PeerFailure('timeout', whyAborted(deadline.signal, `no answer within the broker deadline (peer timeout ${peer.timeoutMs} ms)`))
                : e instanceof PeerFailure
                  ? e
                  : new PeerFailure('invalid_answer', (e as Error).message);
            if (f.status === 'skipped_unsupported') return outcome(f.status, 0, { message: f.message });
            health.breaker.failure(f.message);
            outcome(f.status, ms(started), { message: f.message, ...(f.httpStatus ? { httpStatus: f.httpStatus } : {}), ...notes() });
            this.o.log?.('warn', { peer: peer.id, status: f.status, message: f.message }, 'peer failed');
          }
        }),
      );
    } finally {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    }
    // Peers-file order, so outcomes read the same every time.
    for (const { client } of this.members) {
      const o = byPeer.get(client.peer.id)!;
      fan.outcomes.push(o);
      if (!o.status.startsWith('skipped_')) fan.asked.push(o.peer);
      if (o.status !== 'ok' && o.status !== 'miss' && o.status !== 'skipped_assembly' && o.status !== 'skipped_loop') fan.failed.push(o.peer);
    }
    return fan;
  }
}

/**
 * The trace of an answer: every peer's outcome, any warnings, and `noPeerAnswered` when peers
 * should have answered and none did (all down, timed out or broken): then the answer says nothing
 * about the federation's data, and must not read as "not found".
 */
export function traceOf(fan: FanOutResult<unknown>, warnings: readonly string[] = []): LookupTrace {
  const trace: LookupTrace = { peers: fan.outcomes };
  const all = [...warnings];
  // A peer that cannot answer this kind of query is missing from it, but waiting will not help: it is named, not "unavailable".
  const unsupported = fan.outcomes.filter((o) => o.status === 'skipped_unsupported');
  const down = fan.failed.filter((id) => !unsupported.some((o) => o.peer === id));
  if (down.length > 0 && fan.values.size === 0) {
    trace.noPeerAnswered = true;
    all.unshift(`no peer answered (${down.join(', ')}): this answer says nothing about their data`);
  }
  if (unsupported.length > 0) all.push(`not asked, as they cannot answer this query: ${unsupported.map((o) => `${o.peer} (${o.message ?? ''})`).join('; ')}`);
  if (all.length > 0) trace.warnings = all;
  return trace;
}

/** What the fan-out's deadline rejects with, so no peer can hold the answer past it even if its request ignores the abort. */
const DEADLINE = Symbol('deadline');

function ms(started: number): number {
  return Math.round(performance.now() - started);
}
