// Covered vs absent, and gene searches, for the afb page (docs/api.md "Covered, absent, not covered"
// and "Gene queries"). Loaded before app.js; its functions use app.js's helpers (h, fmtInt, fmtAf,
// message, POOLED_DATASET_ID) only when called, after both scripts have run.
'use strict';

/**
 * A gene symbol or Ensembl gene id as typed (tried after variants, rsIDs and regions): BRCA2,
 * DDX11L1, ENSG00000139618(.17). Anything else is not a gene.
 */
function parseGene(text) {
  const t = text.trim();
  if (/^ENS[A-Z]*G\d{6,}(\.\d+)?$/i.test(t)) return { kind: 'gene', id: t.toUpperCase() };
  if (/^[A-Za-z][A-Za-z0-9-]{0,30}(\.\d+)?$/.test(t) && /[A-Za-z]/.test(t)) return { kind: 'gene', id: t.toUpperCase() };
  return undefined;
}

/** The JSON and TSV urls of a gene search (Beacon geneId; the beacon resolves it with its gene table). */
function geneUrls(q, assemblyParam) {
  const base = `api/g_variants?geneId=${encodeURIComponent(q.id)}&limit=1000&requestedGranularity=record${assemblyParam}`;
  return { json: base, tsv: `${base}&format=tsv` };
}

/** "0 of 1,258 alleles", the AF beside it "–" when AN is 0 (never 0: nobody was called). */
function zeroOf(p) {
  return `0 of ${fmtInt(p.alleleNumber)} allele${p.alleleNumber === 1 ? '' : 's'}`;
}

function totalPop(entry) {
  const all = [...(entry.frequencies || []), ...(entry.populationsWithheld || [])];
  return all.find((p) => p.population === 'Total') || all[0];
}

/**
 * What the beacon knows of datasets that lack a variant (info.afb.coverage): per dataset "0 of N
 * alleles" where it covered the position, "not covered" where it declared it did not; the pooled
 * AN first on a broker (the covering nodes only).
 */
function coverageCard(cov, hit) {
  const entries = cov.frequencyInPopulations || [];
  const pooled = entries.find((f) => f.datasetId === POOLED_DATASET_ID);
  const absent = entries.filter((f) => f.absent);
  const notCovered = cov.notCovered || [];
  const rows = [];
  if (pooled && totalPop(pooled)) {
    const t = totalPop(pooled);
    rows.push(h('tr', { 'data-coverage': 'pooled', 'data-dataset': POOLED_DATASET_ID },
      h('td', {}, `Pooled over the nodes that covered it`), h('td', { 'data-col': 'status' }, zeroOf(t)), h('td', { 'data-col': 'an' }, fmtInt(t.alleleNumber)), h('td', { 'data-col': 'af' }, fmtAf({ alleleFrequency: 0, alleleNumber: t.alleleNumber }))));
  }
  for (const f of absent) {
    const t = totalPop(f);
    if (!t) continue;
    rows.push(h('tr', { 'data-coverage': 'absent', 'data-dataset': f.datasetId },
      h('td', {}, f.source), h('td', { 'data-col': 'status' }, zeroOf(t)), h('td', { 'data-col': 'an' }, fmtInt(t.alleleNumber)), h('td', { 'data-col': 'af' }, fmtAf({ alleleFrequency: 0, alleleNumber: t.alleleNumber }))));
  }
  for (const d of notCovered) {
    rows.push(h('tr', { 'data-coverage': 'not-covered', 'data-dataset': d.datasetId },
      h('td', {}, d.source), h('td', { 'data-col': 'status' }, 'not covered'), h('td', { 'data-col': 'an' }, '–'), h('td', { 'data-col': 'af' }, '–')));
  }
  const covered = absent.length > 0 || (pooled && totalPop(pooled));
  const lead = hit
    ? 'Datasets that do not hold this variant:'
    : covered
      ? `${cov.variantId} was not found. ${notCovered.length > 0 ? 'Where the position was covered, nobody carries it' : 'The position was covered: nobody carries it'} among the alleles called there.`
      : `${cov.variantId} was not found, and no dataset that says what it covered covered this position: its absence says nothing.`;
  return h('article', { class: 'card coverage', 'data-variant': cov.variantId },
    hit ? h('h3', {}, 'Coverage') : h('h2', {}, cov.variantId),
    h('p', { class: 'meta' }, lead),
    h('div', { class: 'table-wrap' }, h('table', { class: 'coverage' },
      h('thead', {}, h('tr', {}, ['Source', 'Allele count', 'AN', 'AF'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows))),
    h('p', { class: 'hint' }, '“0 of N”: the dataset covered this position and none of its N called alleles is this one. “not covered”: the dataset declared its callable regions and this position is outside them. AF is “–” where AN is 0.'));
}

/** The coverage cards of an answer (none when the beacon says nothing about coverage). */
function coverageCards(body, hits) {
  const list = body.info?.afb?.coverage || [];
  return list.map((c) => coverageCard(c, hits.some((r) => r.variantId === c.variantId)));
}

// What app.js calls.
window.afbCoverage = { parseGene, geneUrls, coverageCards };
