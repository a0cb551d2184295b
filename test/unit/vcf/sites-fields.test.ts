import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseHeader } from '../../../src/vcf/header';
import { detectSitesPlan } from '../../../src/vcf/sites-fields';
import { realFile } from '../../helpers/fixtures';

function headerOf(rel: string) {
  const text = gunzipSync(readFileSync(realFile(rel))).toString('utf8');
  const lines = text.split('\n');
  return parseHeader(lines.slice(0, lines.findIndex((l) => !l.startsWith('#'))), rel);
}

function synthetic(ids: [string, string, string][]) {
  return parseHeader(
    ['##fileformat=VCFv4.2', ...ids.map(([id, n, t]) => `##INFO=<ID=${id},Number=${n},Type=${t},Description="${id}">`), '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO'],
    'x.vcf',
  );
}

const summary = (plan: ReturnType<typeof detectSitesPlan>) =>
  Object.fromEntries(plan.groups.map((g) => [g.code, Object.fromEntries(g.sources.map((s) => [s.kind, s.info + (s.divisor === 2 ? '/2' : '')]))]));

test('bcftools fill-tags: AC_Hom counts alleles, so nhomalt = AC_Hom/2; labels from the Description', () => {
  const plan = detectSitesPlan(headerOf('pyvcf-1kg/1kg.sites.pop.vcf.gz'));
  expect(summary(plan).EUR).toEqual({ ac: 'AC_EUR', an: 'AN_EUR', nhomalt: 'AC_Hom_EUR/2', nhet: 'AC_Het_EUR' });
  expect(summary(plan).Total).toEqual({ ac: 'AC', an: 'AN', nhomalt: 'AC_Hom/2', nhet: 'AC_Het' });
  expect(plan.groups.find((g) => g.code === 'EUR')!.label).toBe('European');
});

test('ExAC: Hom_/Het_/Hemi_ per population, AC_Adj is the Adj group, and its AC_Hom belongs to Adj', () => {
  const plan = detectSitesPlan(headerOf('vcfanno-exac-gnomad/exac.vcf.gz'));
  const s = summary(plan);
  expect(s.AFR).toEqual({ ac: 'AC_AFR', an: 'AN_AFR', nhomalt: 'Hom_AFR', nhet: 'Het_AFR', nhemi: 'Hemi_AFR' });
  expect(s.Adj).toEqual({ ac: 'AC_Adj', an: 'AN_Adj', nhomalt: 'AC_Hom', nhet: 'AC_Het', nhemi: 'AC_Hemi' });
  expect(plan.groups.find((g) => g.code === 'AFR')!.label).toBe('African/African American');
});

test('gnomAD r2: population x sex combinations and Male/Female groups; POPMAX is not a group', () => {
  const plan = detectSitesPlan(headerOf('vcfanno-exac-gnomad/gno.vcf.gz'));
  const codes = plan.groups.map((g) => g.code);
  expect(codes).toEqual(expect.arrayContaining(['Total', 'AFR', 'Male', 'Female', 'AFR_Male', 'NFE_Female']));
  expect(codes.some((c) => /popmax/i.test(c))).toBe(false);
  expect(summary(plan).Total!.nhomalt).toBe('Hom');
});

test('gnomAD v3/v4 and GoE names', () => {
  const plan = detectSitesPlan(
    synthetic([
      ['AC', 'A', 'Integer'], ['AN', '1', 'Integer'], ['nhomalt', 'A', 'Integer'],
      ['AC_afr_XX', 'A', 'Integer'], ['AN_afr_XX', '1', 'Integer'], ['nhomalt_afr_XX', 'A', 'Integer'],
      ['AC_XY', 'A', 'Integer'], ['AN_XY', '1', 'Integer'], ['nhemi_XY', 'A', 'Integer'],
      ['AC_joint_nfe', 'A', 'Integer'], ['AN_joint_nfe', '1', 'Integer'],
      ['AC_FR_M', 'A', 'Integer'], ['AN_FR_M', '1', 'Integer'],
      ['AC_grpmax', 'A', 'Integer'], ['AN_grpmax', 'A', 'Integer'],
      ['EUR_AF', 'A', 'Float'],
    ]),
  );
  const s = summary(plan);
  expect(s.afr_XX).toEqual({ ac: 'AC_afr_XX', an: 'AN_afr_XX', nhomalt: 'nhomalt_afr_XX' });
  expect(s.XY).toEqual({ ac: 'AC_XY', an: 'AN_XY', nhemi: 'nhemi_XY' });
  expect(s.joint_nfe).toEqual({ ac: 'AC_joint_nfe', an: 'AN_joint_nfe' });
  expect(s.FR_M).toEqual({ ac: 'AC_FR_M', an: 'AN_FR_M' });
  expect(s.EUR).toEqual({ af: 'EUR_AF' });
  expect(s.grpmax).toBeUndefined();
  expect(plan.groups.find((g) => g.code === 'afr_XX')!.label).toBe('African/African American, XX');
});

test('GoE / gdi-mini-node writer names: AC_FI_M_Hom, AC_FI_M_Het, AC_FI_M_Hemi beside bcftools AC_Hom_FI_F', () => {
  const plan = detectSitesPlan(
    synthetic([
      ['AC', 'A', 'Integer'], ['AN', '1', 'Integer'],
      ['AC_FI_M', 'A', 'Integer'], ['AN_FI_M', '1', 'Integer'], ['AC_FI_M_Hom', 'A', 'Integer'], ['AC_FI_M_Het', 'A', 'Integer'], ['AC_FI_M_Hemi', 'A', 'Integer'],
      ['AC_FI_F', 'A', 'Integer'], ['AN_FI_F', '1', 'Integer'], ['AC_Hom_FI_F', 'A', 'Integer'], ['AC_Het_FI_F', 'A', 'Integer'],
    ]),
  );
  const s = summary(plan);
  expect(s.FI_M).toEqual({ ac: 'AC_FI_M', an: 'AN_FI_M', nhomalt: 'AC_FI_M_Hom', nhet: 'AC_FI_M_Het', nhemi: 'AC_FI_M_Hemi' });
  expect(s.FI_F).toEqual({ ac: 'AC_FI_F', an: 'AN_FI_F', nhomalt: 'AC_Hom_FI_F', nhet: 'AC_Het_FI_F' });
  expect(plan.groups.map((g) => g.code)).not.toContain('FI_M_Hom');
});
