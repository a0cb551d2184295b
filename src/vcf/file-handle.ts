import { existsSync } from 'node:fs';
import { LocalFile, RemoteFile, type GenericFilehandle } from 'generic-filehandle2';

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/** Byte-range access to a local path or an http(s) URL (Range requests). */
export function openFilehandle(input: string): GenericFilehandle {
  return isUrl(input) ? new RemoteFile(input) : new LocalFile(input);
}

/** Whether `input` exists: a local file, or a URL that answers a one-byte range request. */
export async function exists(input: string): Promise<boolean> {
  if (!isUrl(input)) return existsSync(input);
  try {
    await new RemoteFile(input).read(1, 0);
    return true;
  } catch {
    return false;
  }
}
