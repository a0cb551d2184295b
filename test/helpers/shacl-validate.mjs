// SHACL validation in a child process (rdf-validate-shacl and its @rdfjs dependencies are ES
// modules, which Jest's CommonJS runtime cannot load). Usage: node shacl-validate.mjs SHAPES.ttl...
// with the data as N-Quads on stdin; prints {conforms, results:[{focus, path, message, shape}]}.
import { readFileSync } from 'node:fs';
import N3 from 'n3';
import SHACLValidator from 'rdf-validate-shacl';

const parse = (text, format) => {
  const store = new N3.Store();
  store.addQuads(new N3.Parser({ format }).parse(text));
  return store;
};
const shapes = new N3.Store();
for (const f of process.argv.slice(2)) shapes.addQuads(parse(readFileSync(f, 'utf8'), 'text/turtle').getQuads());
const data = parse(readFileSync(0, 'utf8'), 'application/n-quads');
const report = await new SHACLValidator(shapes).validate(data);
process.stdout.write(JSON.stringify({
  conforms: report.conforms,
  shapes: shapes.size,
  triples: data.size,
  results: report.results.map((r) => ({ focus: r.focusNode?.value, path: r.path?.value, message: r.message.map((m) => m.value), shape: r.sourceShape?.value })),
}) + '\n');
