// The variant ids benchmarks read (1-based CHROM-POS-REF-ALT, one per line, e.g. $BENCH_DIR/ids.txt, or
// the last part of a request's path) as allele queries, through afb's own id parser and coordinates.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const dist = process.env.DIST ?? join(__dirname, '..', '..', 'dist');
const { parseVariantId } = require(join(dist, 'domain', 'variant-id'));
const { pos1ToStart0 } = require(join(dist, 'domain', 'coordinates'));

/** One id as an allele query {contig, start0, ref, alt}; throws when it is not an id. */
function queryOf(id) {
  const p = parseVariantId(id);
  if (!p) throw new Error(`not a variant id: ${id}`);
  return { contig: p.contigName, start0: pos1ToStart0(p.pos1), ref: p.ref, alt: p.alt };
}

/** Every id of a file, as allele queries. */
function readQueries(file) {
  return readFileSync(file, 'utf8').trim().split('\n').map(queryOf);
}

module.exports = { queryOf, readQueries };
