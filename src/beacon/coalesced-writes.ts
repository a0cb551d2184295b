import type { Duplex } from 'node:stream';

/**
 * Writes to a socket made in one turn of the event loop go out as one write: the socket is corked
 * at its first write and uncorked once, after the loop's I/O callbacks have run (setImmediate). On
 * an afb-counts/1 stream each request and each answer is a short line, and a system call per line
 * was most of what a line cost on both sides (~10 µs on loopback); under load a broker's lookups
 * to one peer, and the peer's answers to them, then share one.
 */
const corked = new Set<Duplex>();
let flushing = false;

export function coalescedWrite(socket: Duplex, text: string): boolean {
  if (!corked.has(socket)) {
    socket.cork();
    corked.add(socket);
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  }
  return socket.write(text);
}

function flush(): void {
  flushing = false;
  const sockets = [...corked];
  corked.clear();
  for (const s of sockets) if (!s.destroyed) s.uncork();
}
