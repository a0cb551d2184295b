import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Graceful shutdown that keeps every answer whole. node's `server.close()` calls
 * `closeIdleConnections()`, which destroys a connection whose response has been ended even when
 * most of its bytes still wait for a slow reader: a client reading a 10,000-variant batch got
 * 4 of 15 MB. Here an idle connection is *ended* instead (`socket.end()` sends what is buffered,
 * then FIN), a busy one is ended when its response closes, and only the grace period's timer
 * destroys what is left.
 */
export function gracefulClose(server: Server, graceMs: number): () => Promise<void> {
  const sockets = new Set<Socket>();
  const busy = new Map<Socket, number>();
  let closing = false;
  const endIfIdle = (s: Socket): void => {
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
  let done: Promise<void> | undefined;
  return () => {
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
}
