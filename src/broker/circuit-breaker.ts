/**
 * Per-peer health: after `failureThreshold` failures in a row the peer is skipped ("down") for
 * `cooldownMs`; then one query (or health poll) may try it again, and a success closes the
 * circuit. So a dead peer costs nothing per query instead of a timeout each time.
 */
export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

export type PeerState = 'up' | 'down' | 'probing';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private state: PeerState = 'up';
  lastError?: string;

  constructor(private readonly opts: BreakerOptions, private readonly now: () => number = Date.now) {}

  /** May a request go to this peer now? */
  allow(): boolean {
    if (this.state === 'up') return true;
    if (this.state === 'down' && this.now() - this.openedAt >= this.opts.cooldownMs) {
      this.state = 'probing';
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.state = 'up';
  }

  failure(message: string): void {
    this.failures++;
    this.lastError = message;
    if (this.state === 'probing' || this.failures >= this.opts.failureThreshold) {
      this.state = 'down';
      this.openedAt = this.now();
    }
  }

  get current(): PeerState {
    return this.state;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
