import { GenerationalMemo } from '../../../src/domain/generational-memo';

test('a generational memo keeps the last two generations: a key one generation old still hits, two generations old is gone', () => {
  const m = new GenerationalMemo(3);
  for (const k of [1, 2, 3]) m.set(k, k * 10); // young: 1 2 3
  m.set(4, 40); // 1 2 3 become old; young: 4
  expect(m.get(1)).toBe(10); // an old hit moves to the young generation: young 4 1
  for (const k of [5, 6]) m.set(k, k * 10); // young full (4 1 5): 6 starts a new one, 4 1 5 old
  expect([m.get(2), m.get(3)]).toEqual([undefined, undefined]); // two generations old
  expect([m.get(1), m.get(4), m.get(5), m.get(6)]).toEqual([10, 40, 50, 60]);
});
