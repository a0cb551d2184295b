import { connect, type Socket } from 'node:net';

/** A POST written on a raw socket, so a test decides when (and whether) the answer is read. */
export function rawPost(url: string, path: string, body: string, extraHeaders = ''): Socket {
  const u = new URL(url);
  const sock = connect(Number(u.port), u.hostname);
  sock.write(`POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`);
  return sock;
}

/** The body of a raw HTTP/1.1 response (Content-Length or chunked), or undefined when it is incomplete. */
export function responseBody(raw: Buffer): Buffer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = raw.subarray(0, end).toString('latin1');
  let rest = raw.subarray(end + 4);
  const length = /content-length: (\d+)/i.exec(head);
  if (length) return rest.length === Number(length[1]) ? rest : undefined;
  if (!/transfer-encoding: chunked/i.test(head)) return rest;
  const parts: Buffer[] = [];
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl < 0) return undefined;
    const size = parseInt(rest.subarray(0, nl).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    if (rest.length < nl + 2 + size + 2) return undefined;
    parts.push(rest.subarray(nl + 2, nl + 2 + size));
    rest = rest.subarray(nl + 2 + size + 2);
  }
}
