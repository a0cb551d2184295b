import { openNodeLookup } from '../../src/store';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config';
import { startServer, type RunningServer, type StartOptions } from '../../src/server';
import type { VariantRecord } from '../../src/domain/lookup';
import { fromWireRecord, type WireRecord } from '../../src/beacon/record';
import type { DisclosureStep } from '../../src/pipeline';

export interface TestNode {
  url: string;
  api: string;
  server: RunningServer;
  close(): Promise<void>;
}

/** A real node: the SQLite store read-only behind the real express server, on a free loopback port. */
export async function startNode(
  db: string,
  overrides: Partial<ServerConfig> = {},
  /** Disclosure steps, or the server options a test sets (access section, clock, disclosure steps). */
  options: readonly DisclosureStep[] | Pick<StartOptions, 'access' | 'now' | 'disclosure'> = {},
): Promise<TestNode> {
  const store = openNodeLookup(db);
  const config = { ...loadServerConfig(undefined, {}, {}), port: 0, logLevel: 'silent' as const, ...overrides };
  const extra = isSteps(options) ? { disclosure: options } : options;
  const server = await startServer({ lookup: store.lookup, config, role: 'node', version: 'test', ...extra });
  return {
    url: server.url,
    api: `${server.url}/api`,
    server,
    async close() {
      await server.close();
      store.close();
    },
  };
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  return getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Every record of a resultsets response, with the entries of each dataset's set joined per variant. */
export function recordsOf(body: any): WireRecord[] {
  const byId = new Map<string, WireRecord>();
  for (const set of body?.response?.resultSets ?? []) {
    for (const r of set.results as WireRecord[]) {
      const seen = byId.get(r.variantInternalId);
      if (seen) seen.frequencyInPopulations.push(...r.frequencyInPopulations);
      else byId.set(r.variantInternalId, { ...r, frequencyInPopulations: [...r.frequencyInPopulations] });
    }
  }
  return [...byId.values()];
}

/** A wire record read back into the domain shape through the wire module (the same reader the broker uses). */
export function fromWire(r: WireRecord | undefined): VariantRecord | undefined {
  return r === undefined ? undefined : fromWireRecord(r);
}

function isSteps(o: readonly DisclosureStep[] | object): o is readonly DisclosureStep[] {
  return Array.isArray(o);
}
