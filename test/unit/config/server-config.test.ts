import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { CONFIG_KEYS, loadServerConfig } from '../../../src/config/server-config';
import { BROKER_KEYS, BROKER_SERVER_DEFAULTS, loadBrokerConfig } from '../../../src/config/broker-config';
import { tempDir } from '../../helpers/fixtures';

test('with nothing set, every server setting is its default from CONFIG_KEYS', () => {
  const c = loadServerConfig(undefined, {});
  for (const k of CONFIG_KEYS) expect([k.key, c[k.key]]).toEqual([k.key, k.default]);
  expect(c.port).toBe(8080);
  expect(c.file).toEqual({});
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
    writeFileSync(file, JSON.stringify({ beaconName: { en: 'x' } }));
    expect(() => loadServerConfig(file, {})).toThrow(/c\.json: beaconName: \{"en":"x"\} must be a string/);
    writeFileSync(file, '{oops');
    expect(() => loadServerConfig(file, {})).toThrow(/--config .*not a readable JSON file/);
  } finally {
    tmp.cleanup();
  }
});

test("a command's own defaults (the broker's port and ids) sit below the file, environment and flags", () => {
  const c = loadServerConfig(undefined, {}, {}, BROKER_SERVER_DEFAULTS);
  expect([c.port, c.beaconId]).toEqual([8090, 'org.afb.broker']);
  expect(loadServerConfig(undefined, { AFB_PORT: '7000' }, {}, BROKER_SERVER_DEFAULTS).port).toBe(7000);
});

test('the broker section: defaults from BROKER_KEYS, then the file, then AFB_BROKER_* (which wins)', () => {
  const d = loadBrokerConfig({}, {});
  // Optional files are absent when not set, not empty strings.
  const optionalFiles = ['populationsFile', 'genesFile'];
  for (const k of BROKER_KEYS.filter((k) => !optionalFiles.includes(k.key))) expect([k.key, d[k.key]]).toEqual([k.key, k.default]);
  for (const key of optionalFiles) expect(key in d).toBe(false);
  const c = loadBrokerConfig({ broker: { deadlineMs: 2000, cacheTtlMs: 0, populationsFile: 'pops.tsv' } }, { AFB_BROKER_DEADLINE_MS: '2500' });
  expect([c.deadlineMs, c.cacheTtlMs, c.populationsFile]).toEqual([2500, 0, 'pops.tsv']);
  expect(() => loadBrokerConfig({ broker: { maxDepth: 0 } }, {})).toThrow(/config broker\.maxDepth: '0' must be an integer in 1\.\.50/);
  expect(() => loadBrokerConfig({}, { AFB_BROKER_CACHE_TTL_MS: '-1' })).toThrow(/environment AFB_BROKER_CACHE_TTL_MS: '-1' must be an integer in 0\.\.3600000/);
  expect(() => loadBrokerConfig({ broker: null }, {})).toThrow(/config: broker must be an object/);
  expect(() => loadBrokerConfig({ broker: { populationsFile: 3 } }, {})).toThrow(/config broker\.populationsFile: 3 must be a string/);
});
