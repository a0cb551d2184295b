// The "Datasets" view of the afb page: the federation's dataset catalogue (GET api/datasets, Beacon v2
// datasets; docs/api.md "Dataset catalogue") as a filterable table of sizes per population and
// conditions of use, and the link under each pooled frequency to the datasets behind it. Plain JS,
// loaded before app.js, whose helpers (h, $, getJson, message, fmtInt, showLevel, levelText) it uses at call time.
'use strict';

// eslint-disable-next-line no-unused-vars -- used by app.js (a classic script sharing this global scope)
const afbDatasets = (() => {
  const FILTERS = [
    ['population', 'Population'],
    ['sex', 'Sex'],
    ['assembly', 'Assembly'],
    ['technology', 'Technology'],
    ['duo', 'Data use (DUO)'],
  ];
  let everything; // the unfiltered catalogue, for the filters' choices and the pooled links

  /** `#datasets?population=AFR&ids=a,b` -> { population: 'AFR', ids: ['a', 'b'] }. */
  function parseHash(hash) {
    const q = new URLSearchParams(hash.replace(/^#datasets\??/, ''));
    const out = {};
    for (const [k] of FILTERS) if (q.get(k)) out[k] = q.get(k);
    if (q.get('ids')) out.ids = q.get('ids').split(',').filter(Boolean);
    return out;
  }

  function hashOf(p) {
    const q = new URLSearchParams();
    for (const [k] of FILTERS) if (p[k]) q.set(k, p[k]);
    if (p.ids && p.ids.length) q.set('ids', p.ids.join(','));
    const s = q.toString();
    return `#datasets${s ? `?${s}` : ''}`;
  }

  async function catalogue(filters) {
    const q = new URLSearchParams();
    for (const [k] of FILTERS) if (filters && filters[k]) q.set(k, filters[k]);
    const s = q.toString();
    return getJson(`${API}/datasets${s ? `?${s}` : ''}`);
  }

  async function all() {
    if (!everything) everything = catalogue().catch((e) => {
      everything = undefined;
      throw e;
    });
    return everything;
  }

  const individualsOf = (d) => d.info?.afb?.individuals;

  /** A count as shown: withheld cells read "withheld (k=5)", never a number. */
  function countText(cell, k) {
    return cell.withheld ? `withheld${k ? ` (k=${k})` : ''}` : fmtInt(cell.count);
  }

  function cellList(cells, k, kind) {
    if (!cells || cells.length === 0) return '–';
    return h('ul', { class: 'cells' }, cells.map((c) => h('li', { 'data-code': c.code, 'data-kind': kind, title: c.label || c.code },
      h('span', { class: 'code' }, c.code), ' ', h('span', { class: 'n' }, countText(c, k)))));
  }

  function row(d) {
    const a = d.info?.afb || {};
    const m = a.metadata || {};
    const ind = individualsOf(d);
    const k = ind?.minCount;
    const duo = d.dataUseConditions?.duoDataUse || [];
    return h('tr', { 'data-dataset': d.id, 'data-status': a.status || 'available' },
      h('td', {}, h('strong', {}, d.name), h('small', {}, d.id), m.cohort ? h('small', {}, m.cohort) : null),
      h('td', {}, a.node?.name || '–', a.node?.country ? h('small', {}, a.node.country) : null),
      h('td', { class: `status ${a.status || 'available'}` }, a.status || 'available'),
      h('td', {}, a.assemblyId || '–'),
      h('td', {}, m.technology || '–', m.captureRegions ? h('small', {}, m.captureRegions) : null),
      h('td', { 'data-col': 'total' }, ind ? (ind.totalWithheld ? `withheld${k ? ` (k=${k})` : ''}` : fmtInt(ind.total)) : '–'),
      h('td', { 'data-col': 'populations' }, cellList(ind?.populations, k, 'population')),
      h('td', { 'data-col': 'sexes' }, cellList(ind?.sexes, k, 'sex')),
      h('td', {}, m.release?.version || d.version || '–', m.release?.date ? h('small', {}, m.release.date) : null),
      h('td', { 'data-col': 'conditions' }, duo.length ? h('ul', { class: 'cells' }, duo.map((t) => h('li', { title: t.id }, t.label || t.id))) : '–',
        m.licence ? h('small', {}, h('a', { href: m.licence, rel: 'noopener' }, 'licence')) : null),
      h('td', {}, m.contact?.email ? h('a', { href: `mailto:${m.contact.email}` }, m.contact.name || m.contact.email) : m.contact?.name || '–',
        d.externalUrl ? h('small', {}, h('a', { href: d.externalUrl, rel: 'noopener' }, 'landing page')) : null));
  }

  /** Choices of one filter, from the whole catalogue (so the choices do not shrink as filters apply). */
  function choices(list, key) {
    const set = new Set();
    for (const d of list) {
      const a = d.info?.afb || {};
      if (key === 'population') for (const c of a.individuals?.populations || []) set.add(c.code);
      if (key === 'sex') for (const c of a.individuals?.sexes || []) set.add(c.code);
      if (key === 'assembly' && a.assemblyId) set.add(a.assemblyId);
      if (key === 'technology' && a.metadata?.technology) set.add(a.metadata.technology);
      if (key === 'duo') for (const t of d.dataUseConditions?.duoDataUse || []) set.add(t.id);
    }
    return [...set].sort();
  }

  function sumTotals(list) {
    let n = 0;
    let partial = false;
    for (const d of list) {
      const ind = individualsOf(d);
      if (ind && typeof ind.total === 'number') n += ind.total;
      else partial = true;
    }
    return { n, partial };
  }

  async function show(params) {
    const view = $('datasets');
    $('search').hidden = true;
    document.querySelector('.coords').hidden = true;
    $('result').replaceChildren();
    view.hidden = false;
    view.replaceChildren(h('p', { class: 'meta' }, 'Loading the catalogue…'));
    try {
      const whole = await all();
      const body = FILTERS.some(([k]) => params[k]) ? await catalogue(params) : whole;
      const level = levelText(body.info?.afb?.caller);
      if (level) showLevel(level);
      let list = body.response?.collections || [];
      if (params.ids) list = list.filter((d) => params.ids.includes(d.id));
      const selects = FILTERS.map(([k, label]) => h('label', {}, label, ' ',
        h('select', { name: k, 'data-filter': k, onchange: (ev) => go2({ ...params, [k]: ev.target.value || undefined }) },
          h('option', { value: '' }, 'any'),
          choices(whole.response?.collections || [], k).map((c) => h('option', { value: c, selected: params[k] === c }, c)))));
      const { n, partial } = sumTotals(list);
      const peers = body.info?.afb?.peers || [];
      const failed = peers.filter((p) => p.status === 'failed');
      view.replaceChildren(...[
        h('h2', {}, 'Datasets'),
        params.ids ? h('p', { class: 'scope', role: 'status' }, `The ${params.ids.length} dataset${params.ids.length === 1 ? '' : 's'} a pooled frequency came from. `,
          h('button', { type: 'button', class: 'example', onclick: () => go2({ ...params, ids: undefined }) }, 'show every dataset')) : null,
        h('form', { class: 'filters', onsubmit: (ev) => ev.preventDefault() }, selects),
        failed.length ? message('warn', `${failed.map((p) => p.name || p.peer).join(', ')} did not answer: ${failed.length === 1 ? 'its' : 'their'} datasets show as last seen (unreachable).`) : null,
        h('p', { class: 'meta', id: 'datasets-summary' }, `${list.length} dataset${list.length === 1 ? '' : 's'}, ${partial ? 'at least ' : ''}${fmtInt(n)} individuals. Counts below the caller's threshold k read “withheld”.`),
        list.length === 0 ? message('empty', 'No dataset matches these filters.') : h('div', { class: 'table-wrap' }, h('table', { class: 'datasets' },
          h('thead', {}, h('tr', {}, ['Dataset', 'Node', 'Status', 'Assembly', 'Technology', 'Individuals', 'Per population', 'Per sex', 'Release', 'Conditions of use', 'Contact'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, list.map(row)))),
        h('p', { class: 'links' }, h('a', { href: `${API}/datasets` }, 'Beacon JSON'), h('a', { href: `${API}/catalogue` }, 'DCAT-AP JSON-LD')),
      ].filter(Boolean));
    } catch (e) {
      view.replaceChildren(message('error', `The catalogue could not be read: ${e.message}`));
    }
  }

  function go2(params) {
    const hash = hashOf(params);
    if (location.hash !== hash) history.pushState(null, '', hash);
    void show(params);
  }

  function hide() {
    $('datasets').hidden = true;
    $('search').hidden = false;
    document.querySelector('.coords').hidden = false;
  }

  /** app.js's router asks first: true when the hash is this view's. */
  function route(hash) {
    if (!/^#datasets(\?|$)/.test(hash)) {
      hide();
      return false;
    }
    void show(parseHash(hash));
    return true;
  }

  /**
   * Under a frequency table: "pooled from these N datasets, M individuals", linking to them in the
   * Datasets view. The individuals are the catalogue's shown totals (at least, when some are withheld).
   * A contributor is found in the catalogue by its id or, failing that, by the origin its entry in
   * the record carries (the same dataset reached through another broker has another id).
   */
  function pooledLink(entry, rec) {
    const contributors = entry.datasetId === 'pooled' ? entry.contributors || [] : [entry.datasetId];
    if (contributors.length === 0) return null;
    const originOf = new Map((rec?.frequencyInPopulations || []).filter((f) => f.origin).map((f) => [f.datasetId, f.origin]));
    const p = h('p', { class: 'pooled-from' });
    const what = (n) => `${entry.datasetId === 'pooled' ? 'pooled from these' : 'from'} ${n === 1 ? 'dataset' : `${n} datasets`}`;
    const link = (ids, text) => h('a', { href: hashOf({ ids }), 'data-datasets': ids.join(',') }, text);
    p.append(link(contributors, what(contributors.length)));
    all().then((body) => {
      const catalogueList = body.response?.collections || [];
      const list = contributors
        .map((id) => catalogueList.find((d) => d.id === id) || catalogueList.find((d) => originOf.get(id) && d.info?.afb?.origin === originOf.get(id)))
        .filter(Boolean);
      if (list.length === 0) return;
      const { n, partial } = sumTotals(list);
      p.replaceChildren(link(list.map((d) => d.id), `${what(list.length)}, ${partial ? 'at least ' : ''}${fmtInt(n)} individuals`));
    }).catch(() => undefined);
    return p;
  }

  return { route, pooledLink, forget: () => (everything = undefined) };
})();
