/**
 * The afb-counts/1 stream at a real node (beacon/counts-protocol.ts COUNTS_STREAM), driven by a raw
 * client written from the protocol text: requests written all at once are answered in order, each
 * answer exactly what a POST of the same body gets (the first one line for line; later ones
 * without repeating declarations, read to the same records), a bad request is one error line and the
 * stream goes on. Access levels hold on it exactly: each request is the upgrade's caller's, and an
 * anonymous caller under k = 5 reads on the stream exactly the cells a POST shows it (none small),
 * where a registered caller sees small ones. Every request is one audit line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { loadAccessConfig } from '../../src/config/access-config';
import { sha256 } from '../../src/access';
import { CountsReader, ReadDeclarations } from '../../src/beacon/counts-lines';
import type { VariantRecord } from '../../src/domain/lookup';
import { realFile, tempDir } from '../helpers/fixtures';
import { startNode, type TestNode } from '../helpers/node-server';
import { openRawStream } from '../helpers/counts-stream';
import { until } from '../helpers/federation';

const TOKEN = 'lab-b-1e2d3c4b5a697887';
const tmp = tempDir();
let open: TestNode;
let guarded: TestNode;
let auditLog: string;
let variants: [string, number, string, string][];

beforeAll(async () => {
  const db = join(tmp.dir, 'kg.db');
  await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  open = await startNode(db, { bodyLimitBytes: 4096 });
  auditLog = join(tmp.dir, 'audit.jsonl');
  const access = loadAccessConfig(
    { access: { levels: { anonymous: { minCount: 5 }, registered: { minCount: 1, requestsPerMinute: null } }, tokens: [{ id: 'lab-b', sha256: sha256(TOKEN), level: 'registered' }] } },
    'test.json',
  );
  guarded = await startNode(db, { auditLog }, { access });
  const scan = await post(open.api, { op: 'scan', query: { kind: 'all' }, limit: 400 });
  variants = scan.variants.map((v) => [v.record.contig, v.record.display.start0, v.record.display.ref, v.record.display.alt]);
  expect(variants.length).toBeGreaterThan(300);
}, 60_000);

afterAll(async () => {
  await open.close();
  await guarded.close();
  tmp.cleanup();
});

function body(o: Record<string, unknown>): Record<string, unknown> {
  return { assemblyId: 'GRCh37', ...o };
}

async function postText(api: string, o: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${api}/afb-counts/1`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body(o)) });
  return { status: res.status, text: await res.text() };
}

async function post(api: string, o: Record<string, unknown>, headers: Record<string, string> = {}): Promise<CountsReader> {
  const { status, text } = await postText(api, o, headers);
  expect(status).toBe(200);
  return read(text.split('\n'), o);
}

function read(lines: string[], o: Record<string, unknown>, declared = new ReadDeclarations()): CountsReader {
  const reader = new CountsReader('GRCh37', { op: o.op as 'alleles' | 'scan' }, declared);
  for (const line of lines) reader.line(line);
  reader.finish();
  return reader;
}

const recordsOf = (r: CountsReader): VariantRecord[] => r.variants.map((v) => v.record);

test('requests written at once are answered in order, each as its POST is; a bad one is one error line and the stream goes on', async () => {
  const requests = [
    body({ op: 'alleles', variants: variants.slice(0, 3) }),
    'not json',
    body({ op: 'alleles', variants: variants.slice(0, 3), extra: 1 }),
    body({ op: 'alleles', variants: variants.slice(3, 40) }),
    body({ op: 'scan', query: { kind: 'all' }, limit: 25 }),
  ];
  const stream = await openRawStream(open.api);
  try {
    stream.send(requests);
    const answers = await stream.answers(requests.length);
    // The first answer is the POST's, line for line (nothing was declared before it).
    expect(answers[0]).toEqual((await postText(open.api, requests[0] as Record<string, unknown>)).text.trimEnd().split('\n'));
    const error = (line: string) => JSON.parse(line) as { protocol: string; status: number; error: { errorCode: number; errorCodeName: string; errorMessage: string } };
    expect(answers[1]).toHaveLength(1);
    expect(error(answers[1]![0]!)).toMatchObject({ protocol: 'afb-counts/1', status: 400, error: { errorCode: 400, errorCodeName: 'INVALID_PARAMETER' } });
    expect(error(answers[2]![0]!)).toMatchObject({ status: 400, error: { errorCodeName: 'UNKNOWN_PARAMETER', errorMessage: expect.stringMatching(/'extra'/) } });
    // Later answers use what earlier ones declared: no group is declared twice on a stream.
    expect(answers[3]!.filter((l) => l.startsWith('["G",'))).toEqual([]);
    const declared = new ReadDeclarations();
    for (const [i, a] of [[0, answers[0]], [3, answers[3]], [4, answers[4]]] as const) {
      const o = requests[i] as Record<string, unknown>;
      expect(recordsOf(read(a!, o, declared))).toEqual(recordsOf(await post(open.api, o)));
    }
    // …which a reader without them refuses.
    expect(() => read(answers[3]!, requests[3] as Record<string, unknown>)).toThrow(/was not declared/);
  } catch (e) {
    stream.close();
    throw e;
  }
  stream.close();
});

test('a wrong upgrade is a 400 with a Beacon error body; a request line over the body limit is a 413 line and the stream closes', async () => {
  await expect(openRawStream(open.api, {}, 'websocket')).rejects.toMatchObject({ status: 400, body: expect.stringMatching(/Upgrade: afb-counts\/1","errorCodeName":"INVALID_PARAMETER"/) });
  const stream = await openRawStream(open.api);
  stream.send([body({ op: 'alleles', variants: Array.from({ length: 400 }, () => variants[0]) })]);
  const [answer] = await stream.answers(1);
  expect(JSON.parse(answer![0]!)).toMatchObject({ status: 413, error: { errorCodeName: 'PAYLOAD_TOO_LARGE' } });
  await stream.closed;
});

type Cells = Map<string, number | undefined>;
function cellsOf(records: VariantRecord[]): Cells {
  const out: Cells = new Map();
  for (const r of records) for (const f of r.frequencies) for (const p of f.populations) for (const k of ['ac', 'an', 'nhomalt', 'nhet', 'nhemi'] as const) out.set(`${r.contig}:${r.trimmed.start0}:${r.trimmed.alt}|${p.code}|${k}`, p.counts[k]);
  return out;
}
const small = (cells: Cells) => [...cells].filter(([k, v]) => !k.endsWith('|an') && v !== undefined && v >= 1 && v < 5);

test('on the stream each request is the upgrade\'s caller\'s: an anonymous caller sees exactly what a POST shows it (no small cell), a registered one more, a bad token nothing', async () => {
  const ask = body({ op: 'alleles', variants });
  const lines = readFileSync(auditLog, 'utf8').split('\n').filter(Boolean).length;
  const anonymous = await openRawStream(guarded.api);
  const registered = await openRawStream(guarded.api, { authorization: `Bearer ${TOKEN}` });
  const forged = await openRawStream(guarded.api, { authorization: 'Bearer not-a-token' });
  try {
    for (const s of [anonymous, registered, forged]) s.send([ask, ask]);
    const [anon] = await anonymous.answers(2);
    const [reg] = await registered.answers(2);
    const bad = await forged.answers(2);
    const anonCells = cellsOf(recordsOf(read(anon!, ask)));
    expect(anonCells).toEqual(cellsOf(recordsOf(await post(guarded.api, ask))));
    expect(small(anonCells)).toEqual([]);
    const regCells = cellsOf(recordsOf(read(reg!, ask)));
    expect(regCells).toEqual(cellsOf(recordsOf(await post(guarded.api, ask, { authorization: `Bearer ${TOKEN}` }))));
    expect(small(regCells).length).toBeGreaterThan(50);
    for (const b of bad) expect(JSON.parse(b[0]!)).toMatchObject({ status: 401, error: { errorCodeName: 'UNAUTHORIZED' } });
  } finally {
    for (const s of [anonymous, registered, forged]) s.close();
  }
  // One audit line per request: 6 on the streams, 2 POSTs; the levels as identified.
  const auditLines = () => readFileSync(auditLog, 'utf8').split('\n').filter(Boolean).slice(lines);
  await until(() => auditLines().length >= 8, 5000, 'audit lines');
  const audit = auditLines().map((l) => JSON.parse(l) as { level: string; status: number });
  expect(audit.map((a) => `${a.level}:${a.status}`).sort()).toEqual(['anonymous:200', 'anonymous:200', 'anonymous:200', 'registered:200', 'registered:200', 'registered:200', 'unidentified:401', 'unidentified:401'].sort());
});

test('a dataset re-ingested while a stream is open: the next answer on it declares the new version, and reads as a POST of it does', async () => {
  const db = join(tmp.dir, 'again.db');
  const ingest = () => ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
  await ingest();
  const node = await startNode(db);
  const stream = await openRawStream(node.api);
  try {
    const ask = body({ op: 'alleles', variants: variants.slice(0, 3) });
    const declared = new ReadDeclarations();
    stream.send([ask]);
    const [first] = await stream.answers(1);
    const before = recordsOf(read(first!, ask, declared));
    await ingest();
    stream.send([ask]);
    const [second] = await stream.answers(1);
    // A new version is a new declaration on the same stream: the dataset's entries name it.
    expect(second!.filter((l) => l.startsWith('["D"')).length).toBeGreaterThan(0);
    const after = recordsOf(read(second!, ask, declared));
    const versions = (rs: VariantRecord[]) => [...new Set(rs.flatMap((r) => r.frequencies.map((f) => f.version)))];
    expect(versions(after)).not.toEqual(versions(before));
    expect(after).toEqual(recordsOf(await post(node.api, ask)));
  } finally {
    stream.close();
    await node.close();
  }
});
