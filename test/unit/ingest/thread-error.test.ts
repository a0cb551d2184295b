import { AfbError, isAfbError } from '../../../src/domain/errors';
import { fromThreadError, toThreadError } from '../../../src/ingest/thread-error';

test('an AfbError crosses the thread with its code, message, stack and cause chain', () => {
  const root = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  const e = new AfbError('INVALID_INPUT_FILE', 'x.vcf: no such file or not readable', { cause: root });
  const back = fromThreadError(structuredClone(toThreadError(e)));
  expect(isAfbError(back)).toBe(true);
  expect((back as AfbError).code).toBe('INVALID_INPUT_FILE');
  expect(back.message).toBe(e.message);
  expect(back.stack).toContain(e.stack!.split('\n')[1]!.trim());
  expect((back.cause as Error).message).toBe('ENOENT: no such file');
  expect((back.cause as { code?: string }).code).toBe('ENOENT');
  expect(isAfbError(back.cause)).toBe(false);
});

test('a plain error stays a plain error (never relabelled with an AfbError code)', () => {
  const back = fromThreadError(toThreadError(new TypeError('x is undefined')));
  expect(isAfbError(back)).toBe(false);
  expect(back.name).toBe('TypeError');
  expect(back.message).toBe('x is undefined');
  expect(fromThreadError(toThreadError('a string')).message).toBe('a string');
});
