// Derived values on the page (docs/api.md "Derived values"): FAF95 and the XX/XY split per population,
// grpmax and the highest FAF95 per entry. Plain JS, no build step; app.js calls these when it draws a
// population table. The numbers come from the records as served (computed by the server after
// disclosure control); nothing is computed here.
'use strict';

/** Column headings added to each population table. */
function derivedHeads() {
  return ['FAF95', 'XX AC/AN', 'XY AC/AN'];
}

function fmtFaf(x) {
  if (x === undefined || x === null) return '–';
  return x === 0 ? '0' : Number(x).toPrecision(3);
}

/** "AC/AN" of one sex's counts; '–' when the population has no such split, 'withheld' when its AC is. */
function fmtSex(s) {
  if (!s) return '–';
  if ((s.countsWithheld || []).includes('alleleCount')) return `withheld/${s.alleleNumber === undefined ? '–' : s.alleleNumber.toLocaleString('en-US')}`;
  const an = s.alleleNumber === undefined ? '–' : s.alleleNumber.toLocaleString('en-US');
  const ac = s.alleleCount === undefined ? '–' : s.alleleCount.toLocaleString('en-US');
  return `${ac}/${an}`;
}

/** The cells added to one population's row (same order as derivedHeads). */
function derivedCells(p) {
  const split = p.sexSplit || {};
  return [
    h('td', { 'data-col': 'faf95', title: p.faf99 !== undefined ? `FAF99 ${fmtFaf(p.faf99)}` : '' }, fmtFaf(p.faf95)),
    h('td', { 'data-col': 'xx' }, fmtSex(split.XX)),
    h('td', { 'data-col': 'xy' }, fmtSex(split.XY)),
  ];
}

/** A line under the main table: gnomAD's grpmax and the highest FAF95 over its groups. */
function derivedSummary(entry) {
  if (!entry) return null;
  const parts = [];
  if (entry.grpmax) parts.push(h('span', { 'data-derived': 'grpmax' }, `grpmax: ${entry.grpmax.population} (AF ${fmtAf(entry.grpmax)}, ${entry.grpmax.alleleCount.toLocaleString('en-US')} of ${entry.grpmax.alleleNumber.toLocaleString('en-US')})`));
  if (entry.fafmax) parts.push(h('span', { 'data-derived': 'fafmax' }, `highest FAF95: ${fmtFaf(entry.fafmax.faf95)} (${entry.fafmax.faf95Population})`));
  if (entry.grpmaxWithheld) parts.push(h('span', { 'data-derived': 'grpmax' }, 'grpmax: withheld (a group’s counts are withheld)'));
  if (parts.length === 0) return null;
  return h('p', { class: 'meta derived' }, parts.flatMap((x, i) => (i === 0 ? [x] : [' · ', x])), ' ', h('small', {}, '(over AFR, AMR, EAS, NFE, SAS, as gnomAD; FAF95: the filtering allele frequency)'));
}

// What app.js calls (it loads after this file; `h` and `fmtAf` are its helpers, looked up when these run).
globalThis.afbDerived = { heads: derivedHeads, cells: derivedCells, summary: derivedSummary };
