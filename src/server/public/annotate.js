/* The annotate box: drop a VCF (or paste variants), get it back with the federation's pooled
 * counts per population (POST api/annotate), as VCF and as TSV downloads. Plain JS, no build step;
 * the server does all the work, the box only sends bytes and offers what comes back. */
'use strict';

(function annotateBox() {
  const box = document.getElementById('annotate');
  if (!box) return;
  const TOKEN_KEY = 'afb-token';
  let chosen = null; // the dropped or chosen File
  const urls = [];

  box.innerHTML = `
    <h2>Annotate a VCF</h2>
    <p class="hint">Every record comes back in order with pooled <code>AFB_AC</code>, <code>AFB_AN</code>, <code>AFB_AF</code>,
      <code>AFB_nhomalt</code>, <code>AFB_nhemi</code> per population as INFO fields (one value per ALT). Same as
      <code>afb annotate --broker URL in.vcf.gz</code> on the command line.</p>
    <div class="drop" id="annotate-drop" tabindex="0" role="button" aria-describedby="annotate-file-name">
      Drop a VCF here (.vcf or .vcf.gz) or <label class="pick">choose a file<input type="file" id="annotate-file" accept=".vcf,.gz,.bgz,.txt,text/plain"></label>
      <span id="annotate-file-name" class="file-name"></span>
    </div>
    <label for="annotate-paste">…or paste variants, one per line (<code>2-10297-G-T</code>, or VCF lines)</label>
    <textarea id="annotate-paste" rows="4" spellcheck="false" placeholder="2-10297-G-T&#10;2-10587-C-G"></textarea>
    <div class="row">
      <label for="annotate-pops">Populations <span class="hint">(optional, e.g. AFR,EUR; all when empty)</span></label>
      <input id="annotate-pops" type="text" spellcheck="false">
      <button type="button" id="annotate-go">Annotate</button>
    </div>
    <p id="annotate-status" class="hint" aria-live="polite"></p>
    <p id="annotate-downloads" class="links"></p>`;

  const $ = (id) => document.getElementById(id);
  const status = (text, kind) => {
    $('annotate-status').textContent = text;
    $('annotate-status').className = kind === 'error' ? 'message error' : 'hint';
  };

  function choose(file) {
    chosen = file || null;
    $('annotate-file-name').textContent = chosen ? `${chosen.name} (${chosen.size.toLocaleString('en-US')} bytes)` : '';
  }
  $('annotate-file').addEventListener('change', (ev) => choose(ev.target.files[0]));
  const drop = $('annotate-drop');
  drop.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    if (ev.dataTransfer && ev.dataTransfer.files.length > 0) choose(ev.dataTransfer.files[0]);
  });
  drop.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      $('annotate-file').click();
    }
  });

  /** Pasted text as a VCF: VCF lines pass as they are; ids (1-based, like the search box) become minimal records. */
  function pastedVcf(text) {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (lines.some((l) => l.startsWith('#CHROM'))) return text;
    const out = ['##fileformat=VCFv4.2', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO'];
    lines.forEach((l, i) => {
      if (l.startsWith('##')) return;
      if (l.includes('\t')) return void out.push(l);
      const m = /^(?:chr)?([0-9A-Za-z_.]+?)[-:_\s](\d+)[-:_\s]([ACGTNacgtn]+)[-:_>/\s]([ACGTNacgtn]+(?:,[ACGTNacgtn]+)*)$/.exec(l);
      if (!m) throw new Error(`line ${i + 1}: '${l}' is not a variant; write CONTIG-POS-REF-ALT with a 1-based POS, e.g. 2-10297-G-T`);
      out.push(`${m[1]}\t${m[2]}\t.\t${m[3].toUpperCase()}\t${m[4].toUpperCase()}\t.\t.\t.`);
    });
    if (out.length === 2) throw new Error('nothing to annotate: paste variants or drop a VCF');
    return out.join('\n') + '\n';
  }

  async function post(body, format, pops) {
    const headers = {};
    let t = '';
    try {
      t = sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      /* storage disabled */
    }
    if (t) headers.authorization = `Bearer ${t}`;
    const q = new URLSearchParams({ format });
    if (pops) q.set('populations', pops);
    const res = await fetch(`api/annotate?${q}`, { method: 'POST', headers, body });
    if (!res.ok) {
      let msg = `HTTP ${res.status}`;
      try {
        msg = (await res.json()).error.errorMessage || msg;
      } catch {
        /* not a Beacon error body */
      }
      throw new Error(msg);
    }
    return res.blob();
  }

  function link(blob, name, text) {
    const url = URL.createObjectURL(blob);
    urls.push(url);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.textContent = text;
    a.className = 'download';
    a.dataset.format = name.endsWith('.tsv') ? 'tsv' : 'vcf';
    return a;
  }

  $('annotate-go').addEventListener('click', async () => {
    const out = $('annotate-downloads');
    out.textContent = '';
    while (urls.length > 0) URL.revokeObjectURL(urls.pop());
    let body;
    let base = 'variants';
    try {
      if (chosen) {
        body = chosen;
        base = chosen.name.replace(/\.(vcf|txt)(\.b?gz)?$|\.b?gz$/i, '') || 'input';
      } else body = new Blob([pastedVcf($('annotate-paste').value)], { type: 'text/plain' });
    } catch (e) {
      return status(e.message, 'error');
    }
    const pops = $('annotate-pops').value.trim();
    status('Annotating…');
    $('annotate-go').disabled = true;
    try {
      const [vcf, tsv] = await Promise.all([post(body, 'vcf', pops), post(body, 'tsv', pops)]);
      const rows = (await tsv.text()).split('\n').filter((l) => l && !l.startsWith('#'));
      const annotated = rows.filter((l) => l.split('\t')[5] !== '.').length;
      status(`${rows.length.toLocaleString('en-US')} variants: ${annotated.toLocaleString('en-US')} found in the federation, ${(rows.length - annotated).toLocaleString('en-US')} not found.`);
      out.append(link(vcf, `${base}.annotated.vcf`, 'Download annotated VCF'), ' ', link(tsv, `${base}.annotated.tsv`, 'Download TSV'));
    } catch (e) {
      status(`Annotation failed: ${e.message}`, 'error');
    } finally {
      $('annotate-go').disabled = false;
    }
  });
})();
