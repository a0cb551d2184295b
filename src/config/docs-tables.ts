import type { KeySpec } from './keys';
import { CONFIG_KEYS, type ServerSettings } from './server-config';
import { BROKER_KEYS, BROKER_SERVER_DEFAULTS } from './broker-config';

/**
 * The tables of docs/configuration.md, rendered from CONFIG_KEYS and BROKER_KEYS. Each sits
 * between `<!-- generated:NAME -->` and `<!-- /generated -->`; everything outside is prose and
 * stays as written. scripts/gen-config-docs.js writes the file (`npm run docs:config`);
 * test/unit/config/docs-tables.test.ts fails when the file differs from what this renders.
 */
export const GENERATED_TABLES: Readonly<Record<string, () => string>> = {
  'server-keys': () => keyTable(CONFIG_KEYS, 'key (config file)', BROKER_SERVER_DEFAULTS),
  'broker-keys': () => keyTable(BROKER_KEYS, 'key (config `broker` section)'),
};

const REGION = /(<!-- generated:([\w-]+) -->\n)[\s\S]*?(<!-- \/generated -->)/g;

/** `markdown` with every generated region rendered afresh; an unknown or missing region is an error. */
export function renderGeneratedRegions(markdown: string): string {
  const seen = new Set<string>();
  const out = markdown.replace(REGION, (_all, open: string, name: string, close: string) => {
    const render = GENERATED_TABLES[name];
    if (!render) throw new Error(`<!-- generated:${name} -->: no such table; known: ${Object.keys(GENERATED_TABLES).join(', ')}`);
    seen.add(name);
    return `${open}${render()}${close}`;
  });
  const missing = Object.keys(GENERATED_TABLES).filter((name) => !seen.has(name));
  if (missing.length > 0) throw new Error(`no <!-- generated:${missing.join(' -->, <!-- generated:')} --> ... <!-- /generated --> region`);
  return out;
}

/** One row per key: config key, environment variable, default (and a broker's, where it differs), valid values, meaning. */
function keyTable(specs: readonly KeySpec[], keyHeading: string, brokerDefaults: Partial<ServerSettings> = {}): string {
  const rows = specs.map((spec) => {
    const brokerDefault = (brokerDefaults as Record<string, string | number | undefined>)[spec.key];
    const def = literal(spec.default) + (brokerDefault === undefined ? '' : ` (broker: ${literal(brokerDefault)})`);
    return `| \`${spec.key}\` | \`${spec.env}\` | ${def} | ${valid(spec)} | ${cell(spec.doc)} |`;
  });
  return [`| ${keyHeading} | environment | default | valid values | meaning |`, '|---|---|---|---|---|', ...rows].join('\n') + '\n';
}

function valid(spec: KeySpec): string {
  switch (spec.type) {
    case 'int':
      return `integer ${spec.min}..${spec.max}`;
    case 'enum':
      return spec.values.map((v) => `\`${v}\``).join(', ');
    case 'string':
      return 'string';
  }
}

/** A default as it is written in the JSON config file. */
function literal(v: string | number): string {
  return `\`${JSON.stringify(v)}\``;
}

/** Table-cell text: a `|` would end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
