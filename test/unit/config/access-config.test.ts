import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAccessConfig, minCount, publicPolicy } from '../../../src/config/access-config';
import { OPEN_POLICY } from '../../../src/domain/access';
import { isAfbError } from '../../../src/domain/errors';

const HASH = 'a'.repeat(64);

function error(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isAfbError(e)) {
      expect(e.code).toBe('INVALID_OPTION');
      return e.message;
    }
    throw e;
  }
  throw new Error('no error');
}

test('no access section: the open policy, nobody identified', () => {
  const c = loadAccessConfig({}, 'node.json');
  expect(c.configured).toBe(false);
  expect(c.policy).toBe(OPEN_POLICY);
  expect(c.identity.tokens).toEqual([]);
});

test('levels merge over the documented defaults; presets name k; per-dataset overrides', () => {
  const c = loadAccessConfig(
    {
      access: {
        levels: { anonymous: { minCount: 'ukbiobank', requestsPerMinute: 60, maxBatch: null }, registered: { preset: 'ons' } },
        datasets: { kg: { anonymous: { minCount: 20, granularity: 'count' } } },
        tokens: [{ id: 'lab-a', sha256: HASH, level: 'registered' }],
        oidc: [{ issuer: 'https://login.example.org/', jwksUri: 'https://login.example.org/jwks', audience: 'afb' }],
      },
    },
    'node.json',
  );
  expect(c.policy.levels.anonymous).toEqual({ granularity: 'record', minCount: 5, requestsPerMinute: 60, maxRangeBases: 250000 });
  expect(c.policy.levels.registered).toEqual({ granularity: 'record', minCount: 10 });
  expect(c.policy.datasets.kg).toEqual({ anonymous: { minCount: 20, granularity: 'count' } });
  expect(c.identity.oidc[0]!.audience).toEqual(['afb']);
  expect(JSON.stringify(publicPolicy(c))).not.toContain(HASH);
});

test('presets: open/gnomAD 1, UK Biobank/TogoVar 5, ONS 10, All of Us 20', () => {
  expect(['open', 'gnomAD', 'ukbiobank', 'TogoVar', 'ONS', 'all-of-us'].map((p) => minCount(p, 'x'))).toEqual([1, 1, 5, 5, 10, 20]);
});

test('k = 2 is refused with the reason; errors name the file, the JSON path and the valid form', () => {
  expect(error(() => loadAccessConfig({ access: { levels: { anonymous: { minCount: 2 } } } }, 'node.json'))).toMatch(
    /^node\.json: access\.levels\.anonymous\.minCount: 2 is refused: with k = 2 every withheld count is exactly 1.*valid: an integer 1 or 3\.\.1000, or a preset/,
  );
  expect(error(() => loadAccessConfig({ access: { datasets: { kg: { anonymous: { minCount: 'strict' } } } } }, 'n.json'))).toMatch(/n\.json: access\.datasets\.kg\.anonymous\.minCount: 'strict' is not a preset/);
  expect(error(() => loadAccessConfig({ access: { levels: { guest: {} } } }, 'n.json'))).toMatch(/access\.levels: unknown key guest; valid keys: anonymous, registered, controlled/);
  expect(error(() => loadAccessConfig({ access: { tokens: [{ id: 'a', token: 'plain', level: 'registered' }] } }, 'n.json'))).toMatch(/access\.tokens\[0\]: holds a token in clear/);
  expect(error(() => loadAccessConfig({ access: { tokens: [{ id: 'a', sha256: 'abc', level: 'registered' }] } }, 'n.json'))).toMatch(/access\.tokens\[0\]\.sha256: must be 64 hex digits/);
  expect(error(() => loadAccessConfig({ access: { tokens: [{ id: 'a', sha256: HASH, level: 'controlled' }] } }, 'n.json'))).toMatch(/a controlled token names the datasets/);
  expect(error(() => loadAccessConfig({ access: { oidc: [{ issuer: 'i', jwksUri: 'https://x/jwks', audience: 'a', algorithms: ['HS256'] }] } }, 'n.json'))).toMatch(
    /access\.oidc\[0\]\.algorithms: HS256 not allowed; valid \(asymmetric only, never none or HS\*\)/,
  );
  expect(error(() => loadAccessConfig({ access: { oidc: [{ issuer: 'i', jwksUri: 'https://x/jwks' }] } }, 'n.json'))).toMatch(/audience: required/);
  expect(error(() => loadAccessConfig({ access: [] }, 'n.json'))).toMatch(/^n\.json: access: must be an object/);
});

test('the example in docs/configuration.md#access is a valid access section', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
  const example = /## Access[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)![1]!;
  const c = loadAccessConfig(JSON.parse(example), 'docs/configuration.md');
  expect(c.configured).toBe(true);
  expect(c.policy.levels.anonymous.minCount).toBe(5);
  expect(c.identity.tokens.map((t) => t.id)).toEqual(['lab-a', 'dac-fi']);
});
