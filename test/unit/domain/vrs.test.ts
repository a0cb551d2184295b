/**
 * VRS 2.0 computed ids against GA4GH's published vectors (test/fixtures/vrs, see README there):
 * - vrs-python's VCF annotator output (`VRS_Allele_IDs` of SNVs, an insertion and two deletions on
 *   GRCh38 chr19), with the reference bases it read recorded in its test cassette (seqrepo);
 * - the VRS specification's validation/models.yaml (serialisation and digests of Alleles);
 * - the refget table against the accessions those files name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identifyAllele, parseVrsAlleleId, refgetAccession, sha512t24u, vrsAllele, vrsAlleleDigest, type ReferenceSlice } from '../../../src/domain/vrs';
import { trimAlleles } from '../../../src/domain/alleles';
import { resolveContig } from '../../../src/domain/contigs';

const DIR = join(__dirname, '../../fixtures/vrs');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

/** The reference slices vrs-python fetched from seqrepo while annotating, as the cassette recorded them. */
function cassetteReference(): ReferenceSlice {
  const slices = new Map<string, string>();
  const lines = read('vrs-python-test_annotate_vcf_grch38_attrs.yaml').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /uri: .*\/sequence\/[^?]+\?start=(\d+)&end=(\d+)/.exec(lines[i]!);
    if (!m) continue;
    for (let j = i + 1; j < lines.length; j++) {
      const body = /^\s+string: ?(.*)$/.exec(lines[j]!);
      if (body) {
        slices.set(`${m[1]}-${m[2]}`, body[1]!.replace(/^'|'$/g, ''));
        break;
      }
    }
  }
  const base = new Map<number, string>();
  for (const [k, v] of slices) {
    const [s] = k.split('-').map(Number) as [number];
    [...v].forEach((b, i) => base.set(s + i, b));
  }
  return (start0, end0) => {
    let out = '';
    for (let i = start0; i < end0; i++) {
      const b = base.get(i);
      if (b === undefined) throw new Error(`the cassette has no reference base at ${i}: the test vector needs one vrs-python did not read`);
      out += b;
    }
    return out;
  };
}

interface Vector {
  pos: number;
  ref: string;
  alt: string;
  id: string;
  start: number;
  end: number;
}

function annotatorVectors(): Vector[] {
  const out: Vector[] = [];
  for (const line of read('vrs-python-test_vcf_expected_output.vcf').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const c = line.split('\t');
    const info = new Map(c[7]!.split(';').map((kv) => kv.split('=') as [string, string]));
    const ids = info.get('VRS_Allele_IDs')?.split(',');
    if (!ids) continue;
    const starts = info.get('VRS_Starts')!.split(',');
    const ends = info.get('VRS_Ends')!.split(',');
    c[4]!.split(',').forEach((alt, k) => {
      if (!/^[ACGT]+$/.test(alt)) return; // `*` and the invalid `P` have no id
      out.push({ pos: Number(c[1]), ref: c[3]!, alt, id: ids[k + 1]!, start: Number(starts[k + 1]), end: Number(ends[k + 1]) });
    });
  }
  return out;
}

const vectors = annotatorVectors();

test('the vectors include SNVs, an insertion and deletions', () => {
  const kinds = vectors.map((v) => (v.ref.length === v.alt.length ? 'snv' : v.ref.length < v.alt.length ? 'ins' : 'del'));
  expect(kinds.filter((k) => k === 'snv').length).toBeGreaterThanOrEqual(3);
  expect(kinds).toContain('ins');
  expect(kinds.filter((k) => k === 'del').length).toBeGreaterThanOrEqual(2);
});

test.each(vectors.map((v) => [`${v.pos} ${v.ref}>${v.alt}`, v] as const))('chr19 %s: the ga4gh:VA id vrs-python computed', (_n, v) => {
  const reference = cassetteReference();
  const contig = resolveContig('chr19')!.contig;
  const t = trimAlleles(v.pos - 1, v.ref, v.alt);
  const allele = vrsAllele('GRCh38', contig, t.start0, t.ref, t.alt, reference)!;
  expect(allele.id).toBe(v.id);
  expect([allele.location.start, allele.location.end]).toEqual([v.start, v.end]);
  // The ingest's path (a substitution's digest without the objects) gives the same id.
  expect(`ga4gh:VA.${vrsAlleleDigest('GRCh38', contig, t.start0, t.ref, t.alt, reference)}`).toBe(v.id);
});

test('an insertion or deletion without reference bases gets no id (never a guessed one); a substitution needs none', () => {
  expect(vrsAllele('GRCh38', '19', 284350, 'A', '')).toBeUndefined();
  expect(vrsAllele('GRCh38', '19', 82663, 'C', 'T')?.id).toBe(vectors.find((v) => v.pos === 82664)!.id);
  expect(vrsAllele('GRCh38', 'MT', 100, 'C', 'T')).toBeUndefined();
  // Only letters go into the digest's JSON unescaped: anything else (and N) gets no id, never a wrong one.
  for (const alt of ['T"', 'T\\', 'N', 'TnA', '*']) {
    expect(vrsAllele('GRCh38', '19', 82663, 'C', alt)).toBeUndefined();
    expect(vrsAlleleDigest('GRCh38', '19', 82663, 'C', alt)).toBeUndefined();
  }
});

test('validation/models.yaml: Allele digests and serialisations of the VRS specification', () => {
  const models = read('vrs-validation-models.yaml');
  // rs7412 (LiteralSequenceExpression) and the ReferenceLengthExpression example.
  const snv = identifyAllele('SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl', 44908821, 44908822, { type: 'LiteralSequenceExpression', sequence: 'T' });
  expect(models).toContain(`ga4gh_identify: ${snv.id}`);
  expect(models).toContain(`"location":"${snv.location.digest}"`);
  const rle = identifyAllele('SQ.Ya6Rs7DHhDeg7YaOSg1EoNi3U_nQ9SvO', 40819438, 40819446, { type: 'ReferenceLengthExpression', length: 11, repeatSubunitLength: 3 });
  expect(models).toContain(`ga4gh_identify: ${rle.id}`);
  const loc = identifyAllele('SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul', 44908821, 44908822, { type: 'LiteralSequenceExpression', sequence: 'T' });
  expect(models).toContain(`ga4gh_identify: ga4gh:SL.${loc.location.digest}`);
  expect(sha512t24u('')).toBe('z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXc');
});

test('the refget table agrees with every accession the GA4GH files name for a chromosome', () => {
  const models = read('vrs-validation-models.yaml');
  const cassette = read('vrs-python-test_annotate_vcf_grch38_attrs.yaml');
  expect(refgetAccession('GRCh38', '19')).toBe('SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl');
  expect(cassette).toContain(`ga4gh:${refgetAccession('GRCh38', '19')}`);
  expect(cassette).toContain('NCBI:NC_000019.10');
  for (const [assembly, contig, accession] of [
    ['GRCh38', '7', 'NC_000007.14'],
    ['GRCh38', '1', 'NC_000001.11'],
    ['GRCh37', '1', 'NC_000001.10'],
    ['GRCh37', '2', 'NC_000002.11'],
  ] as const) {
    const sq = refgetAccession(assembly, contig)!;
    // models.yaml names the accession next to its refget digest.
    const near = new RegExp(`id: ${accession.replace('.', '\\.')}\\s*\\n(?:.*\\n){0,3}?.*refgetAccession: ${sq.replace(/[-.]/g, (c) => `\\${c}`)}|refgetAccession: ${sq.replace(/[-.]/g, (c) => `\\${c}`)}\\s*\\n(?:.*\\n){0,3}?.*id: ${accession.replace('.', '\\.')}`);
    expect(models).toMatch(near);
  }
});

test('ga4gh:VA ids are recognised only in their exact form', () => {
  expect(parseVrsAlleleId('ga4gh:VA.0AePZIWZUNsUlQTamyLrjm2HWUw2opLt')).toBe('0AePZIWZUNsUlQTamyLrjm2HWUw2opLt');
  expect(parseVrsAlleleId('ga4gh:VA.short')).toBeUndefined();
  expect(parseVrsAlleleId('ga4gh:SL.0AePZIWZUNsUlQTamyLrjm2HWUw2opLt')).toBeUndefined();
});
