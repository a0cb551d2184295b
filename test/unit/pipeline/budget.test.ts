import { capGranularity, checkBatch, checkRange, rateLimiter, requestPolicy } from '../../../src/pipeline/budget';
import { OPEN_POLICY, type AccessPolicy, type Caller } from '../../../src/domain/access';
import { isAfbError } from '../../../src/domain/errors';

const policy: AccessPolicy = {
  levels: {
    anonymous: { granularity: 'record', minCount: 5, requestsPerMinute: 2, maxBatch: 10, maxRangeBases: 1000 },
    registered: { granularity: 'record', minCount: 1 },
    controlled: { granularity: 'record', minCount: 1 },
  },
  datasets: { small: { anonymous: { granularity: 'count', minCount: 20, maxBatch: 5 } } },
};
const anon = (ip: string): Caller => ({ level: 'anonymous', controlledDatasets: [], clientId: `ip:${ip}` });

function thrown(f: () => void): { code: string; status: number; message: string; headers?: Record<string, string> } {
  try {
    f();
  } catch (e) {
    if (isAfbError(e)) return { code: e.code, status: e.httpStatus, message: e.message, headers: e.headers as Record<string, string> | undefined };
    throw e;
  }
  throw new Error('nothing thrown');
}

test('the strictest policy over the datasets a request touches', () => {
  expect(requestPolicy(policy, anon('a'), ['kg'])).toEqual({ level: 'anonymous', granularity: 'record', minCount: 5, maxBatch: 10, maxRangeBases: 1000 });
  expect(requestPolicy(policy, anon('a'), ['kg', 'small'])).toEqual({ level: 'anonymous', granularity: 'count', minCount: 20, maxBatch: 5, maxRangeBases: 1000 });
  expect(requestPolicy(policy, { level: 'registered', controlledDatasets: [], clientId: 'token:x' }, ['kg', 'small'])).toEqual({ level: 'registered', granularity: 'record', minCount: 1 });
  expect(requestPolicy(OPEN_POLICY, anon('a'), [])).toEqual({ level: 'anonymous', granularity: 'record', minCount: 1 });
});

test('a controlled caller is controlled only for its datasets: elsewhere the registered policy holds', () => {
  const p: AccessPolicy = {
    levels: {
      anonymous: { granularity: 'count', minCount: 5 },
      registered: { granularity: 'count', minCount: 1, maxBatch: 100 },
      controlled: { granularity: 'record', minCount: 1, maxBatch: 10_000 },
    },
    datasets: {},
  };
  const c: Caller = { level: 'controlled', controlledDatasets: ['kg'], clientId: 'token:dac' };
  expect(requestPolicy(p, c, ['kg'])).toMatchObject({ granularity: 'record', maxBatch: 10_000 });
  expect(requestPolicy(p, c, ['kg', 'other'])).toMatchObject({ granularity: 'count', maxBatch: 100 });
});

test('granularity is capped, never raised', () => {
  expect(capGranularity('record', 'count')).toBe('count');
  expect(capGranularity('boolean', 'record')).toBe('boolean');
});

test('batch and range limits name the level and the limit', () => {
  const p = requestPolicy(policy, anon('a'), ['kg']);
  expect(() => checkBatch(p, 10)).not.toThrow();
  expect(thrown(() => checkBatch(p, 11))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413, message: expect.stringMatching(/anonymous access level takes at most 10/) });
  expect(() => checkRange(p, { kind: 'range', contig: '2', start0: 0, end0: 1000 })).not.toThrow();
  expect(thrown(() => checkRange(p, { kind: 'range', contig: '2', start0: 0, end0: 1001 }))).toMatchObject({ code: 'INVALID_PARAMETER', status: 400, message: expect.stringMatching(/allows at most 1000/) });
  expect(thrown(() => checkRange(p, { kind: 'bracket', contig: '2', startMin0: 0, startMax0: 10, endMin0: 20, endMax0: 5000 })).message).toMatch(/the bracket spans 5000 bases/);
});

test('requests per minute: sliding window per client and level, Retry-After until the oldest leaves; idle clients forgotten', () => {
  let t = 0;
  const take = rateLimiter(policy, () => t);
  take(anon('a'));
  t = 20_000;
  take(anon('a'));
  take(anon('b'));
  t = 30_000;
  const over = thrown(() => take(anon('a')));
  expect(over).toMatchObject({ code: 'RATE_LIMITED', status: 429, headers: { 'Retry-After': '30' } });
  t = 60_000;
  take(anon('a')); // the first left the window
  expect(thrown(() => take(anon('a'))).headers).toEqual({ 'Retry-After': '20' });
  // No limit at the registered level.
  for (let i = 0; i < 100; i++) take({ level: 'registered', controlledDatasets: [], clientId: 'token:x' });
});
