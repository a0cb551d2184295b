import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderGeneratedRegions } from '../../../src/config/docs-tables';
import { CONFIG_KEYS } from '../../../src/config/server-config';
import { BROKER_KEYS } from '../../../src/config/broker-config';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'configuration.md');

test('docs/configuration.md holds exactly the tables CONFIG_KEYS and BROKER_KEYS render (npm run docs:config)', () => {
  const doc = readFileSync(DOC, 'utf8');
  expect(renderGeneratedRegions(doc)).toBe(doc);
});

test('every key, its environment variable and its default appear in the generated tables', () => {
  const doc = readFileSync(DOC, 'utf8');
  for (const k of [...CONFIG_KEYS, ...BROKER_KEYS]) expect(doc).toContain(`| \`${k.key}\` | \`${k.env}\` | \`${JSON.stringify(k.default)}\``);
});

test('only the regions between the markers are rewritten; a missing or unknown region is an error', () => {
  const doc = readFileSync(DOC, 'utf8');
  const stale = doc.replace(/(<!-- generated:server-keys -->\n)[\s\S]*?(<!-- \/generated -->)/, '$1| stale |\n$2');
  expect(stale).not.toBe(doc);
  expect(renderGeneratedRegions(stale)).toBe(doc);
  expect(() => renderGeneratedRegions(doc.replace('<!-- generated:broker-keys -->', ''))).toThrow(/no <!-- generated:broker-keys -->/);
  expect(() => renderGeneratedRegions(`${doc}\n<!-- generated:nope -->\n<!-- /generated -->\n`)).toThrow(/generated:nope -->: no such table/);
});
