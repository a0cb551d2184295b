import { readFileSync } from 'node:fs';
import { AfbError } from '../domain/errors';
import { parseAssembly, type Assembly } from '../domain/assemblies';

export interface Peer {
  id: string;
  name: string;
  country?: string;
  /** Base URL of the peer's Beacon API, e.g. http://127.0.0.1:8081/api (no trailing slash). */
  url: string;
  assemblies: Assembly[];
  /** Per-peer limit; the broker's overall deadline still applies. */
  timeoutMs: number;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * 'afb' peers get one batch request per query; 'beacon' (third-party) peers one request per
   * variant; 'gdi-mini-node' peers too, always by POST with mini-node's `variantType` (SNP, INDEL).
   */
  kind: 'afb' | 'beacon' | 'gdi-mini-node';
  /**
   * How a third-party peer is asked for one variant: `GET` (a query string), `POST` (a Beacon
   * request body; gdi-mini-node serves only this), or unset: GET, then POST for good after a 405.
   */
  method?: 'GET' | 'POST';
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * A peers file: `{"peers":[{"id":"fi","name":"Finland","country":"FI","url":"http://127.0.0.1:8081/api",
 * "assemblies":["GRCh37"],"timeoutMs":2000,"token":"optional","kind":"afb"}]}`. Every problem names the
 * file, the peer and the field.
 */
export function readPeersFile(file: string): Peer[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AfbError('INVALID_OPTION', `--peers ${file}: not a readable JSON file (${(e as Error).message})`, { cause: e });
  }
  return parsePeers(doc, file);
}

export function parsePeers(doc: unknown, file = 'peers'): Peer[] {
  const list = (doc as { peers?: unknown })?.peers;
  if (!Array.isArray(list) || list.length === 0) throw new AfbError('INVALID_OPTION', `${file}: expected {"peers":[{"id":...,"url":...,"assemblies":[...]}]} with at least one peer`);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const p = raw as Record<string, unknown>;
    const where = `${file}: peers[${i}]`;
    const str = (k: string, required: boolean): string | undefined => {
      const v = p[k];
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'string' || v === '') throw new AfbError('INVALID_OPTION', `${where}.${k} must be a non-empty string`);
      return v;
    };
    const id = str('id', true)!;
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(id)) throw new AfbError('INVALID_OPTION', `${where}.id '${id}' must be 1-40 characters from A-Z a-z 0-9 _ . -`);
    if (seen.has(id)) throw new AfbError('INVALID_OPTION', `${where}.id '${id}' is used twice`);
    seen.add(id);
    const url = str('url', true)!.replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(url)) throw new AfbError('INVALID_OPTION', `${where}.url '${url}' must be an http(s) URL of the peer's Beacon API, e.g. http://127.0.0.1:8081/api`);
    const asmList = p.assemblies ?? ['GRCh37', 'GRCh38'];
    if (!Array.isArray(asmList) || asmList.length === 0) throw new AfbError('INVALID_OPTION', `${where}.assemblies must be a list such as ["GRCh38"]`);
    const assemblies = asmList.map((a) => {
      const asm = typeof a === 'string' ? parseAssembly(a) : undefined;
      if (!asm) throw new AfbError('INVALID_OPTION', `${where}.assemblies: '${String(a)}' is not GRCh37 or GRCh38 (or an alias such as hg19, hg38)`);
      return asm;
    });
    const timeoutMs = p.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
      throw new AfbError('INVALID_OPTION', `${where}.timeoutMs must be an integer number of milliseconds in 1..120000`);
    }
    const kind = p.kind ?? 'afb';
    if (kind !== 'afb' && kind !== 'beacon' && kind !== 'gdi-mini-node') {
      throw new AfbError('INVALID_OPTION', `${where}.kind must be 'afb', 'beacon' (a third-party Beacon v2) or 'gdi-mini-node'`);
    }
    const method = p.method;
    if (method !== undefined && method !== 'GET' && method !== 'POST') throw new AfbError('INVALID_OPTION', `${where}.method must be 'GET' or 'POST' (how a third-party peer takes a variant query)`);
    if (method !== undefined && kind !== 'beacon') throw new AfbError('INVALID_OPTION', `${where}.method applies only to kind 'beacon' peers`);
    return { id, name: str('name', false) ?? id, country: str('country', false), url, assemblies, timeoutMs, token: str('token', false), kind, ...(method ? { method } : {}) };
  });
}
