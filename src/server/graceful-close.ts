import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Graceful shutdown that keeps every answer whole. node's `server.close()` calls
 * `closeIdleConnections()`, which destroys a connection whose response has been ended even when
 * most of its bytes still wait for a slow reader: a client reading a 10,000-variant batch got
 * 4 of 15 MB. Here an idle connection is *ended* instead (`socket.end()` sends what is buffered,
 * then FIN), a busy one is ended when its response closes, and only the grace period's timer
 * destroys what is left. `hold` marks an upgraded socket (the afb-counts/1 stream) busy while it
 * answers, so it too is ended between answers, never in the middle of one.
 */
export function gracefulClose(server: Server, graceMs: number): { close: () => Promise<void>; hold: (s: Duplex) => () => void } {
  const sockets = new Set<Socket>();
  const busy = new Map<Duplex, number>();
  let closing = false;
  const endIfIdle = (s: Duplex): void => {
    if ((busy.get(s) ?? 0) === 0 && !s.destroyed) s.end();
  };
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => {
      sockets.delete(s);
      busy.delete(s);
    });
  });
  server.on('request', (req, res) => {
    const s = req.socket;
    busy.set(s, (busy.get(s) ?? 0) + 1);
    res.once('close', () => {
      busy.set(s, (busy.get(s) ?? 1) - 1);
      if (closing) endIfIdle(s);
    });
  });
  // server.close() calls this method on the instance: replace node's destroying version.
  server.closeIdleConnections = () => {
    for (const s of sockets) endIfIdle(s);
  };
  const hold = (s: Duplex): (() => void) => {
    busy.set(s, (busy.get(s) ?? 0) + 1);
    return () => {
      busy.set(s, (busy.get(s) ?? 1) - 1);
      if (closing) endIfIdle(s);
    };
  };
  let done: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing = true;
    done ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, graceMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
    });
    return done;
  };
  return { close, hold };
}
