// The afb allele-frequency page: plain JS, no build step, served by every node and broker.
// It talks only to this server's Beacon API (docs/api.md); everything the user typed stays 1-based
// and is converted to and from Beacon's 0-based half-open coordinates in one place (toBeaconRegion, fromBeaconStart).
'use strict';

const API = 'api';
// The id of a broker's pooled frequencyInPopulations entry: POOLED_DATASET_ID in src/beacon/record.ts
// (test/unit/page-constants.test.ts keeps the two equal).
const POOLED_DATASET_ID = 'pooled';
const FAILED = new Set(['timeout', 'http_error', 'invalid_answer', 'refused', 'skipped_down']);
const state = { role: 'node', assemblies: [] };

const $ = (id) => document.getElementById(id);

/** Build an element; strings become text nodes (never HTML), so data from peers cannot inject markup. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
  return el;
}

const fmtInt = (n) => (n === undefined || n === null ? '–' : Number(n).toLocaleString('en-US'));
function fmtAf(p) {
  if (p.alleleNumber === 0) return '–';
  const af = p.alleleFrequency;
  if (af === 0) return '0';
  return af >= 0.001 ? af.toFixed(4) : af.toExponential(2);
}

/** What the user typed, as one of: variant id, rsID, region (1-based, inclusive); else an explanation. */
function parseQuery(text) {
  const t = text.trim().replace(/,/g, '');
  if (/^rs\d+$/i.test(t)) return { kind: 'rsid', id: t.toLowerCase() };
  let m = /^(?:chr)?([0-9]{1,2}|X|Y|MT?)[-:_](\d+)[-:_]([ACGTN]+)[-:_>/]([ACGTN]+)$/i.exec(t);
  if (m) return { kind: 'variant', id: `${m[1].toUpperCase()}-${m[2]}-${m[3].toUpperCase()}-${m[4].toUpperCase()}` };
  m = /^(?:chr)?([0-9]{1,2}|X|Y|MT?)[:-](\d+)(?:-(\d+))?$/i.exec(t);
  if (m) {
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (from < 1 || to < from) return { kind: 'bad', message: `The region ${text.trim()} is empty: write START-END with 1 ≤ START ≤ END, e.g. 2:10000-20000.` };
    return { kind: 'region', contig: m[1].toUpperCase(), from, to };
  }
  const gene = window.afbCoverage.parseGene(t);
  if (gene) return gene;
  return {
    kind: 'bad',
    message: `“${text.trim()}” is not a variant, rsID, region or gene. Write a gene as its symbol (BRCA2) or Ensembl id, or a variant as CHROM-POS-REF-ALT (1-based, e.g. 2-10038-C-A), an rsID (rs28804817) or a region CHROM:START-END (1-based, inclusive, e.g. 2:10000-20000).`,
  };
}

/** 1-based inclusive [from, to] -> Beacon 0-based half-open [start, end). */
function toBeaconRegion(from, to) {
  return { start: from - 1, end: to };
}

/** Beacon 0-based start -> the 1-based position people read. */
function fromBeaconStart(start) {
  return start + 1;
}

function assemblyParam(sep) {
  const a = $('assembly').value;
  return state.assemblies.length > 1 && a ? `${sep}assemblyId=${encodeURIComponent(a)}` : '';
}

function urlsFor(q) {
  if (q.kind === 'gene') return window.afbCoverage.geneUrls(q, assemblyParam('&'));
  if (q.kind === 'region') {
    const r = toBeaconRegion(q.from, q.to);
    const base = `${API}/g_variants?referenceName=${q.contig}&start=${r.start}&end=${r.end}&limit=1000&requestedGranularity=record${assemblyParam('&')}`;
    return { json: base, tsv: `${base}&format=tsv` };
  }
  const base = `${API}/g_variants/${encodeURIComponent(q.id)}`;
  const a = assemblyParam('?');
  return { json: base + a, tsv: base + (a ? `${a}&` : '?') + 'format=tsv' };
}

const TOKEN_KEY = 'afb-token';

/** The pasted token (this tab only), or '' for anonymous. */
function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

function setToken(value) {
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives for this page only */
  }
  showLevel(value ? 'token set: the level shows after the next search' : 'anonymous');
}

/** The caller's level as the server answered it (info.afb.caller), in the header. */
function showLevel(text) {
  $('level').textContent = text;
}

function levelText(caller) {
  if (!caller) return undefined;
  const ds = caller.controlledDatasets && caller.controlledDatasets.length ? ` (${caller.controlledDatasets.join(', ')})` : '';
  const notes = caller.notes && caller.notes.length ? ` · ${caller.notes.join('; ')}` : '';
  return `${caller.level}${ds}${notes}`;
}

async function getJson(url) {
  const headers = { accept: 'application/json' };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  const res = await fetch(url, { headers });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`The server answered HTTP ${res.status} without JSON.`);
  }
  if (res.status === 401) showLevel('token refused');
  if (!res.ok || body.error) {
    const e = new Error(body.error?.errorMessage || `HTTP ${res.status}`);
    e.beacon = true;
    throw e;
  }
  return body;
}

/**
 * A node answers one result set per dataset: join them into one record per variant. Entries whose
 * every population is withheld (frequencyInPopulationsWithheld, docs/api.md "Withheld counts") are
 * shown too, with no frequencies.
 */
function recordsOf(body) {
  const byId = new Map();
  for (const set of body.response?.resultSets || []) {
    for (const r of set.results || []) {
      const entries = [...r.frequencyInPopulations, ...(r.frequencyInPopulationsWithheld || []).map((f) => ({ ...f, frequencies: [] }))];
      const seen = byId.get(r.variantInternalId);
      if (seen) seen.frequencyInPopulations.push(...entries);
      else byId.set(r.variantInternalId, { ...r, frequencyInPopulations: entries });
    }
  }
  return [...byId.values()];
}

/**
 * A count the beacon withheld reads "withheld (k=5)", not "< 5": it lies in 1..k-1 or is hidden
 * with one that does (a larger count that would give it away), so "< k" could be false.
 */
function fmtCount(p, field, k) {
  return (p.countsWithheld || []).includes(field) ? `withheld${k ? ` (k=${k})` : ''}` : fmtInt(p[field]);
}

function mainEntry(rec) {
  return rec.frequencyInPopulations.find((f) => f.datasetId === POOLED_DATASET_ID) || rec.frequencyInPopulations[0];
}

function totalOf(entry) {
  const all = [...(entry?.frequencies || []), ...(entry?.populationsWithheld || [])];
  return all.find((p) => p.population === 'Total') || all[0];
}

function message(kind, text) {
  return h('div', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

function peerStatus(info) {
  const peers = info?.afb?.peers;
  if (!peers || peers.length === 0) return [];
  const failed = peers.filter((p) => FAILED.has(p.status));
  const list = h('ul', { class: 'peers', 'aria-label': 'Peer status' },
    peers.map((p) => h('li', {
      class: `peer ${FAILED.has(p.status) ? 'failed' : p.status.startsWith('skipped') ? 'skipped' : p.status}`,
      'data-peer': p.peer,
      'data-status': p.status,
      title: p.message || '',
    }, `${p.name || p.peer}: ${p.status.replace('_', ' ')}${p.latencyMs ? ` · ${p.latencyMs} ms` : ''}`)));
  const out = [h('h3', {}, 'Peers'), list];
  if (failed.length > 0) {
    out.unshift(message('warn', `${failed.map((p) => `${p.name || p.peer} (${p.status.replace('_', ' ')})`).join(', ')} did not answer: the pooled figures below do not include ${failed.length === 1 ? 'it' : 'them'}.`));
  }
  return out;
}

function populationTable(entry, caption, main) {
  return h('div', { class: 'table-wrap' }, h('table', { class: main ? 'populations main' : 'populations', 'data-dataset': entry.datasetId },
    h('caption', { class: 'meta' }, caption),
    h('thead', {}, h('tr', {}, ['Population', 'AC', 'AN', 'AF', 'Homozygotes', 'Hemizygotes', ...afbDerived.heads()].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, [...entry.frequencies, ...(entry.populationsWithheld || [])].map((p) => h('tr', { 'data-population': p.population },
      h('td', { class: 'pop' }, p.population, p.populationLabel && p.populationLabel !== p.population ? h('small', {}, p.populationLabel) : null),
      h('td', { 'data-col': 'ac' }, fmtCount(p, 'alleleCount', entry.minCount)),
      h('td', { 'data-col': 'an' }, fmtCount(p, 'alleleNumber', entry.minCount)),
      h('td', { 'data-col': 'af' }, (p.countsWithheld || []).includes('alleleFrequency') ? 'withheld' : fmtAf(p)),
      h('td', { 'data-col': 'hom' }, fmtCount(p, 'alleleCountHomozygous', entry.minCount)),
      h('td', { 'data-col': 'hemi' }, fmtCount(p, 'alleleCountHemizygous', entry.minCount)),
      ...afbDerived.cells(p),
    )))));
}

/** An SVG bar per population: AF on a scale fitted to the largest value. */
function afChart(entry) {
  const pops = entry.frequencies;
  const rowH = 22, labelW = 90, width = 560, barW = width - labelW - 80;
  const max = Math.max(...pops.map((p) => (p.alleleNumber === 0 ? 0 : p.alleleFrequency)), 1e-6);
  const height = pops.length * rowH + 8;
  return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Allele frequency per population, largest ${max.toPrecision(3)}` },
    svg('line', { class: 'axis', x1: labelW, y1: 0, x2: labelW, y2: height }),
    pops.map((p, i) => {
      const af = p.alleleNumber === 0 ? 0 : p.alleleFrequency;
      const y = i * rowH + 4;
      return svg('g', {},
        svg('text', { x: labelW - 6, y: y + 14, 'text-anchor': 'end' }, p.population),
        svg('rect', { class: 'bar', 'data-population': p.population, x: labelW, y, width: Math.max(af / max * barW, af > 0 ? 1 : 0), height: rowH - 6 },
          svg('title', {}, `${p.population}: AF ${fmtAf(p)}`)),
        svg('text', { x: labelW + Math.max(af / max * barW, 0) + 6, y: y + 14 }, fmtAf(p)));
    }));
}

function breakdown(rec) {
  const others = rec.frequencyInPopulations.filter((f) => f !== mainEntry(rec));
  if (others.length === 0) return [];
  return [
    h('h3', {}, state.role === 'broker' ? 'Per node' : 'Other datasets'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown' },
      h('thead', {}, h('tr', {}, ['Source', 'AC', 'AN', 'AF'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, others.map((f) => {
        const t = totalOf(f);
        const hidden = (t?.countsWithheld || []).includes('alleleCount');
        return h('tr', { 'data-dataset': f.datasetId }, h('td', {}, f.source), h('td', {}, t ? fmtCount(t, 'alleleCount', f.minCount) : '–'), h('td', {}, fmtInt(t?.alleleNumber)), h('td', {}, t && !hidden ? fmtAf(t) : hidden ? 'withheld' : '–'));
      })))),
    // Each contributor's own populations, folded away until asked for.
    others.map((f) => h('details', { class: 'node-detail', 'data-dataset': f.datasetId },
      h('summary', {}, `${f.source}: every population`),
      populationTable(f, f.version ? `dataset version ${f.version}` : ''))),
  ];
}

function variantCard(rec, urls) {
  const v = rec.variation;
  const loc = v.location.interval;
  const entry = mainEntry(rec);
  const rsids = (rec.identifiers?.variantAlternativeIds || []).map((x) => x.id.replace(/^dbSNP:/, ''));
  return h('article', { class: 'card variant', 'data-variant': rec.variantId },
    h('h2', {}, rec.variantId),
    h('p', { class: 'meta' },
      `${v.variantType} · ${rec.assemblyId} · chr${rec.referenceName} · Beacon start=${loc.start.value}, end=${loc.end.value} (0-based)`,
      rsids.length ? ` · ${rsids.join(', ')}` : ''),
    h('p', { class: 'links' }, h('a', { href: urls.json }, 'JSON'), h('a', { href: urls.tsv }, 'TSV')),
    entry ? [
      h('h3', {}, entry.source),
      populationTable(entry, entry.datasetId === POOLED_DATASET_ID ? 'Pooled exactly from the nodes’ allele counts' : 'Allele counts per population', true),
      afbDerived.summary(entry),
      afChart(entry),
    ] : message('empty', 'No population frequencies were reported for this variant.'),
    breakdown(rec));
}

function regionCard(q, records, total, urls) {
  const rows = records.map((r) => {
    const t = totalOf(mainEntry(r));
    return { id: r.variantId, pos: fromBeaconStart(r.variation.location.interval.start.value), type: r.variation.variantType, af: t && t.alleleNumber !== 0 ? t.alleleFrequency : -1, ac: t?.alleleCount ?? -1, an: t?.alleleNumber ?? -1 };
  });
  const cols = [['id', 'Variant'], ['pos', 'Position (1-based)'], ['type', 'Type'], ['ac', 'AC'], ['an', 'AN'], ['af', state.role === 'broker' ? 'Pooled AF' : 'AF']];
  let sortKey = 'pos', dir = 1;
  const tbody = h('tbody');
  const heads = cols.map(([k, label]) => h('th', { scope: 'col', 'aria-sort': k === sortKey ? 'ascending' : 'none' },
    h('button', { type: 'button', class: 'sort', 'data-sort': k, onclick: () => sortBy(k) }, label)));
  function render() {
    const sorted = [...rows].sort((a, b) => (a[sortKey] < b[sortKey] ? -dir : a[sortKey] > b[sortKey] ? dir : 0));
    tbody.replaceChildren(...sorted.map((r) => h('tr', { 'data-variant': r.id },
      h('td', {}, h('button', { type: 'button', class: 'rowlink', onclick: () => go(r.id) }, r.id)),
      h('td', {}, fmtInt(r.pos)), h('td', {}, r.type), h('td', {}, r.ac < 0 ? '–' : fmtInt(r.ac)), h('td', {}, r.an < 0 ? '–' : fmtInt(r.an)),
      h('td', { 'data-col': 'af' }, r.af < 0 ? '–' : fmtAf({ alleleFrequency: r.af, alleleNumber: r.an })))));
    cols.forEach(([k], i) => heads[i].setAttribute('aria-sort', k === sortKey ? (dir > 0 ? 'ascending' : 'descending') : 'none'));
  }
  function sortBy(k) {
    dir = k === sortKey ? -dir : k === 'af' || k === 'ac' ? -1 : 1;
    sortKey = k;
    render();
  }
  render();
  return h('article', { class: 'card region' },
    h('h2', {}, q.kind === 'gene' ? q.id : `chr${q.contig}:${fmtInt(q.from)}-${fmtInt(q.to)}`),
    h('p', { class: 'meta' }, `${fmtInt(total)} variant${total === 1 ? '' : 's'} ${q.kind === 'gene' ? 'inside this gene\'s span' : 'overlap this region (1-based, inclusive)'}${records.length < total ? `; the first ${records.length} are listed` : ''}. Click a column to sort.`),
    h('p', { class: 'links' }, h('a', { href: urls.json }, 'JSON'), h('a', { href: urls.tsv }, 'TSV')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'variants' }, h('thead', {}, h('tr', {}, heads)), tbody)));
}

async function search(text) {
  const out = $('result');
  const q = parseQuery(text);
  if (q.kind === 'bad') {
    out.replaceChildren(message('error', q.message));
    return;
  }
  out.replaceChildren(h('p', { class: 'meta' }, 'Searching…'));
  const urls = urlsFor(q);
  try {
    const body = await getJson(urls.json);
    const level = levelText(body.info?.afb?.caller);
    if (level) showLevel(level);
    const records = recordsOf(body);
    const status = peerStatus(body.info);
    const coverage = window.afbCoverage.coverageCards(body, records);
    if (records.length === 0 && coverage.length > 0) {
      out.replaceChildren(...status, ...coverage);
    } else if (records.length === 0) {
      const what = q.kind === 'region' ? `No variants in chr${q.contig}:${q.from}-${q.to}` : q.kind === 'gene' ? `No variants inside ${q.id}` : `${q.id} was not found`;
      out.replaceChildren(message('empty', `${what} in any ${state.role === 'broker' ? 'answering node' : 'dataset here'}.`), ...status);
    } else if (q.kind === 'region' || q.kind === 'gene') {
      out.replaceChildren(...status, regionCard(q, records, body.responseSummary?.numTotalResults ?? records.length, urls));
    } else {
      out.replaceChildren(...status, ...records.map((r) => variantCard(r, urlsFor({ kind: 'variant', id: r.variantId }))), ...coverage);
    }
  } catch (e) {
    out.replaceChildren(message('error', e.beacon ? `The beacon could not answer: ${e.message}` : `Could not reach the beacon: ${e.message}`));
  }
  out.focus({ preventScroll: true });
}

function go(text) {
  $('q').value = text;
  const hash = `#q=${encodeURIComponent(text)}`;
  if (location.hash !== hash) history.pushState(null, '', hash);
  void search(text);
}

function fromHash() {
  const m = /^#q=(.*)$/.exec(location.hash);
  if (m) {
    const text = decodeURIComponent(m[1]);
    $('q').value = text;
    void search(text);
  } else $('result').replaceChildren();
}

async function init() {
  try {
    const info = await getJson(`${API}/info`);
    const afb = info.response?.info?.afb || {};
    state.role = afb.role || 'node';
    state.assemblies = afb.assemblies || [];
    const datasets = afb.datasets || [];
    $('beacon').textContent = `${info.response.name} · ${state.role === 'broker' ? `broker over ${new Set(datasets.map((d) => d.id.split(':')[0])).size} peers` : `${datasets.length} dataset${datasets.length === 1 ? '' : 's'}`} · ${state.assemblies.join(', ') || 'no data yet'}`;
    const sel = $('assembly');
    sel.replaceChildren(...state.assemblies.map((a) => h('option', { value: a }, a)));
    sel.hidden = state.assemblies.length < 2;
  } catch (e) {
    $('beacon').textContent = `Beacon info unavailable: ${e.message}`;
  }
}

$('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  go($('q').value);
});
$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  setToken($('token').value.trim());
  $('token').value = '';
  const q = $('q').value;
  if (q) void search(q);
});
$('token-clear').addEventListener('click', () => {
  setToken('');
  $('token').value = '';
});
if (token()) showLevel('token set: the level shows after the next search');
for (const b of document.querySelectorAll('.example')) b.addEventListener('click', () => go(b.dataset.q));
window.addEventListener('popstate', fromHash);
void init().then(fromHash);
