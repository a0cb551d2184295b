/**
 * VRS 2.0 ids as lookup keys, over real HTTP:
 * - a node built from vrs-python's own annotated VCF (GRCh38 chr19) finds each SNV by the
 *   `ga4gh:VA.` id vrs-python published for it (GET /g_variants/{id} and in a batch), and writes
 *   that id in the record's identifiers; its indels, ingested without a reference, get no id;
 * - a node built with --reference (GRCh37 chr17 part) finds insertions and deletions by their ids.
 */
import { readFileSync } from 'node:fs';
import { openRawStore, versionTables } from '../helpers/raw-store';
import { join } from 'node:path';
import { ingestVcf } from '../../src/ingest';
import { FastaReference } from '../../src/vcf/fasta';
import { vrsAllele } from '../../src/domain/vrs';
import { trimAlleles } from '../../src/domain/alleles';
import { realFile, tempDir } from '../helpers/fixtures';
import { getJson, postJson, recordsOf, startNode, type TestNode } from '../helpers/node-server';
import { responseErrors } from '../helpers/beacon-schemas';
import { peer, startBroker } from '../helpers/federation';
import type { WireRecord } from '../../src/beacon/record';

const tmp = tempDir();
const nodes: TestNode[] = [];
afterAll(async () => {
  for (const n of nodes) await n.close();
  tmp.cleanup();
});

const VCF = join(__dirname, '../fixtures/vrs/vrs-python-test_vcf_expected_output.vcf');

/** Published (pos, ref, alt, id) of vrs-python's annotated VCF, one per ALT. */
function published(): { pos: number; ref: string; alt: string; id: string }[] {
  const out: { pos: number; ref: string; alt: string; id: string }[] = [];
  for (const line of readFileSync(VCF, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const c = line.split('\t');
    const ids = /VRS_Allele_IDs=([^;\t]+)/.exec(c[7]!)?.[1]?.split(',');
    if (!ids) continue;
    c[4]!.split(',').forEach((alt, k) => {
      if (/^[ACGT]+$/.test(alt) && ids[k + 1]) out.push({ pos: Number(c[1]), ref: c[3]!, alt, id: ids[k + 1]! });
    });
  }
  return out;
}

const vaIds = (r: WireRecord) => (r.identifiers?.variantAlternativeIds ?? []).map((x) => x.id).filter((id) => id.startsWith('ga4gh:VA.'));

describe('vrs-python vectors, no reference', () => {
  let node: TestNode;
  const vectors = published();
  const snvs = vectors.filter((v) => v.ref.length === 1 && v.alt.length === 1);
  const indels = vectors.filter((v) => v.ref.length !== v.alt.length);
  beforeAll(async () => {
    const db = join(tmp.dir, 'chr19.db');
    const report = await ingestVcf({ db, dataset: 'hg001', assembly: 'GRCh38', mode: 'genotypes', skipInvalid: true, inputs: [VCF] });
    expect(report.vrsIds).toEqual({ computed: expect.any(Number), indelsWithoutReference: indels.length });
    node = await startNode(db);
    nodes.push(node);
  }, 60_000);

  test('GET /g_variants/{ga4gh:VA id} finds each SNV by the id vrs-python published, and the record names it', async () => {
    expect(snvs.length).toBeGreaterThanOrEqual(4);
    for (const v of snvs) {
      const res = await getJson(`${node.api}/g_variants/${v.id}`);
      expect(res.status).toBe(200);
      expect(responseErrors(res.body)).toEqual([]);
      const [rec] = recordsOf(res.body);
      expect(rec?.variantId).toBe(`19-${v.pos}-${v.ref}-${v.alt}`);
      expect(vaIds(rec!)).toEqual([v.id]);
    }
  });

  test('a batch takes VRS ids beside other ids; an unknown one is a miss, not an error', async () => {
    const unknown = 'ga4gh:VA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const res = await postJson(`${node.api}/batch`, { assemblyId: 'GRCh38', variants: [snvs[0]!.id, `19-${snvs[1]!.pos}-${snvs[1]!.ref}-${snvs[1]!.alt}`, unknown] });
    expect(res.status).toBe(200);
    const results = res.body.results as { query: string; found: boolean; record?: WireRecord; error?: string }[];
    expect(results.map((r) => r.found)).toEqual([true, true, false]);
    expect(results[0]!.record!.variantId).toBe(`19-${snvs[0]!.pos}-${snvs[0]!.ref}-${snvs[0]!.alt}`);
    expect(results[2]!.error).toBeUndefined();
  });

  test('through a broker: a ga4gh:VA id is forwarded to afb peers, alone and in a batch, and pooled like any lookup', async () => {
    const db2 = join(tmp.dir, 'chr19-b.db');
    await ingestVcf({ db: db2, dataset: 'hg001b', assembly: 'GRCh38', mode: 'genotypes', skipInvalid: true, inputs: [VCF] });
    const second = await startNode(db2, { beaconId: 'second' });
    nodes.push(second);
    const broker = await startBroker('vrs-broker', [peer('a', node.api, { assemblies: ['GRCh38'] }), peer('b', second.api, { assemblies: ['GRCh38'] })]);
    try {
      for (const v of snvs) {
        const direct = recordsOf((await getJson(`${node.api}/g_variants/${v.id}`)).body)[0]!;
        const res = await getJson(`${broker.api}/g_variants/${v.id}`);
        expect(res.status).toBe(200);
        expect(responseErrors(res.body)).toEqual([]);
        const [rec] = recordsOf(res.body);
        expect(rec?.variantId).toBe(`19-${v.pos}-${v.ref}-${v.alt}`);
        expect(vaIds(rec!)).toEqual([v.id]);
        // Two nodes with the same samples: the pooled total is twice one node's.
        const total = (r: WireRecord, i: number) => r.frequencyInPopulations[i]!.frequencies.find((p) => p.population === 'Total')!;
        expect(total(rec!, 0).alleleCount).toBe(2 * total(direct, 0).alleleCount!);
        expect(total(rec!, 0).alleleNumber).toBe(2 * total(direct, 0).alleleNumber!);
      }
      const batch = await postJson(`${broker.api}/batch`, { assemblyId: 'GRCh38', variants: [snvs[0]!.id, 'ga4gh:VA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] });
      expect(batch.status).toBe(200);
      expect((batch.body.results as { found: boolean }[]).map((r) => r.found)).toEqual([true, false]);
    } finally {
      await broker.close();
    }
  });

  test('indels ingested without a reference carry no VRS id (never a guessed one)', async () => {
    for (const v of indels) {
      const res = await getJson(`${node.api}/g_variants/19-${v.pos}-${v.ref}-${v.alt}`);
      const [rec] = recordsOf(res.body);
      expect(rec).toBeDefined();
      expect(vaIds(rec!)).toEqual([]);
      expect((await getJson(`${node.api}/g_variants/${v.id}`)).body.responseSummary.exists).toBe(false);
    }
  });
});

test('the ids live and die with their dataset version: a re-ingest leaves only the new version\'s table and index; --no-vrs-ids stores none', async () => {
  const db = join(tmp.dir, 'versions.db');
  const first = await ingestVcf({ db, dataset: 'hg001', assembly: 'GRCh38', mode: 'genotypes', skipInvalid: true, inputs: [VCF] });
  // Each version's table lives in its own file beside the store (src/store/version-file.ts).
  const idsByTable = (): { name: string; n: number }[] => {
    const raw = openRawStore(db);
    try {
      return versionTables(db).map((name) => ({ name, n: raw.prepare(`SELECT count(*) FROM ${name} WHERE vrs_key IS NOT NULL`).pluck().get() as number }));
    } finally {
      raw.close();
    }
  };
  const vrsIndexes = (): string[] => versionTables(db, 'index', 'variants_*_vrs');
  expect(first.vrsIds!.computed).toBeGreaterThan(0);
  expect(idsByTable()).toEqual([{ name: `variants_${first.storeVersion}`, n: first.vrsIds!.computed }]);
  expect(vrsIndexes()).toEqual([`variants_${first.storeVersion}_vrs`]);
  const second = await ingestVcf({ db, dataset: 'hg001', assembly: 'GRCh38', mode: 'genotypes', skipInvalid: true, inputs: [VCF] });
  expect(first.storeVersion).not.toBe(second.storeVersion);
  // The old version's ids went with its file, no shared table keeps any.
  expect(idsByTable()).toEqual([{ name: `variants_${second.storeVersion}`, n: second.vrsIds!.computed }]);
  expect(vrsIndexes()).toEqual([`variants_${second.storeVersion}_vrs`]);
  expect(versionTables(db, 'table', 'vrs*')).toEqual([]);
  const noneDb = join(tmp.dir, 'none.db');
  const none = await ingestVcf({ db: noneDb, dataset: 'x', assembly: 'GRCh38', mode: 'genotypes', skipInvalid: true, vrsIds: false, inputs: [VCF] });
  expect(none.vrsIds).toBeUndefined();
  const noneRaw = openRawStore(noneDb);
  expect(noneRaw.prepare(`SELECT count(*) FROM variants_${none.storeVersion} WHERE vrs_key IS NOT NULL`).pluck().get()).toBe(0);
  noneRaw.close();
});

describe('with --reference, insertions and deletions', () => {
  test('each indel record carries its VRS id and a lookup by that id finds it', async () => {
    const db = join(tmp.dir, 'chr17.db');
    const reference = realFile('reference/chr17.hg19.part.upper.fa');
    const report = await ingestVcf({ db, dataset: 'la', assembly: 'GRCh37', reference, skipInvalid: true, inputs: [realFile('reference/leftalign.input.vcf')] });
    expect(report.vrsIds!.indelsWithoutReference).toBe(0);
    const node = await startNode(db);
    nodes.push(node);
    const all = await getJson(`${node.api}/g_variants?referenceName=17&start=0&end=40000&assemblyId=GRCh37&limit=0&requestedGranularity=record`);
    const records = recordsOf(all.body);
    const fasta = new FastaReference(reference);
    let indels = 0;
    try {
      for (const rec of records) {
        const t = trimAlleles(rec.variation.location.interval.start.value, rec.variation.referenceBases, rec.variation.alternateBases);
        const expected = vrsAllele('GRCh37', '17', t.start0, t.ref, t.alt, (s, e) => fasta.slice('17', s, e));
        expect(vaIds(rec)).toEqual(expected ? [expected.id] : []);
        if (t.ref !== '' && t.alt !== '') continue;
        indels++;
        const found = recordsOf((await getJson(`${node.api}/g_variants/${expected!.id}`)).body);
        expect(found.map((r) => r.variantId)).toContain(rec.variantId);
      }
    } finally {
      fasta.close();
    }
    expect(indels).toBeGreaterThanOrEqual(8);
  });
});
