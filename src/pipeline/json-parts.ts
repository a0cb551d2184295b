/**
 * JSON text in parts, so a large answer is written as the client takes it instead of as one string
 * held whole for a client that may never read it. Objects and lists are walked; a list element
 * that has a `toJSON` (a record made lazily by the renderer) or is not a container is written with
 * JSON.stringify, one at a time: only the part being written exists as text. Parts are gathered
 * up to `partBytes` so a socket gets few large writes.
 */
export function* jsonParts(value: unknown, partBytes = 64 * 1024): Generator<string> {
  let buf = '';
  for (const s of pieces(value)) {
    buf += s;
    if (buf.length >= partBytes) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}

function* pieces(v: unknown): Generator<string> {
  if (Array.isArray(v)) {
    yield '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) yield ',';
      const x: unknown = v[i];
      if (isContainer(x)) yield* pieces(x);
      else yield JSON.stringify(x ?? null);
    }
    yield ']';
    return;
  }
  if (isContainer(v)) {
    yield '{';
    let first = true;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || typeof x === 'function') continue;
      yield `${first ? '' : ','}${JSON.stringify(k)}:`;
      first = false;
      yield* pieces(x);
    }
    yield '}';
    return;
  }
  yield JSON.stringify(v);
}

/** A plain object or list to walk (not one that writes itself through toJSON). */
function isContainer(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
