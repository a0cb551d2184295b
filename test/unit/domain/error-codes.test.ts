/**
 * One table of error codes (src/domain/errors.ts ERROR_CODES), rendered in docs/api.md: the doc
 * must show exactly the table, and every code in it must be raised somewhere in src/ (no dead
 * codes). To refresh the doc after a change: AFB_WRITE_DOCS=1 npx jest test/unit/domain/error-codes
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../../src/domain/errors';

const ROOT = join(__dirname, '..', '..', '..');
const DOC = join(ROOT, 'docs', 'api.md');
const BEGIN = '<!-- generated:error-codes (test/unit/domain/error-codes.test.ts) -->';
const END = '<!-- /generated:error-codes -->';

function table(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.when} |`);
  return ['| code (`errorCodeName`) | HTTP status | when |', '|---|---|---|', ...rows].join('\n');
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('docs/api.md lists exactly the error codes of ERROR_CODES', () => {
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  expect(a).toBeGreaterThan(0);
  expect(b).toBeGreaterThan(a);
  const expected = `${doc.slice(0, a + BEGIN.length)}\n${table()}\n${doc.slice(b)}`;
  if (process.env.AFB_WRITE_DOCS) writeFileSync(DOC, expected);
  expect(doc).toBe(expected);
});

test('every documented code is raised somewhere in src/', () => {
  const text = sources(join(ROOT, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
  // The table's keys are bare identifiers; a quoted code is where it is raised or sent.
  const unused = Object.keys(ERROR_CODES).filter((code) => !text.includes(`'${code}'`));
  expect(unused).toEqual([]);
});
