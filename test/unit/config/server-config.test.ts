import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { CONFIG_KEYS, loadServerConfig } from '../../../src/config/server-config';
import { tempDir } from '../../helpers/fixtures';

test('docs/configuration.md documents every key with its environment variable', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
  const missing = CONFIG_KEYS.filter((k) => !doc.includes(`| \`${k.key}\` | \`${k.env}\` |`)).map((k) => k.key);
  expect(missing).toEqual([]);
});

test('precedence: flag > environment > file > default; bad values name their source', () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'c.json');
    writeFileSync(file, JSON.stringify({ port: 9000, maxLimit: 50, beaconName: 'from file' }));
    const c = loadServerConfig(file, { AFB_PORT: '9100', AFB_MAX_LIMIT: '70' }, { port: '9200' });
    expect(c.port).toBe(9200);
    expect(c.maxLimit).toBe(70);
    expect(c.beaconName).toBe('from file');
    expect(c.maxBatch).toBe(10000);
    expect(() => loadServerConfig(undefined, { AFB_MAX_LIMIT: 'lots' })).toThrow(/environment AFB_MAX_LIMIT: 'lots' must be an integer in 1\.\.100000/);
    expect(() => loadServerConfig(undefined, { AFB_ENVIRONMENT: 'live' })).toThrow(/must be one of prod, test, dev, staging/);
    writeFileSync(file, '{oops');
    expect(() => loadServerConfig(file, {})).toThrow(/--config .*not a readable JSON file/);
  } finally {
    tmp.cleanup();
  }
});
