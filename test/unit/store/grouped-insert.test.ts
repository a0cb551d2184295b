import Database from 'better-sqlite3';
import { GroupedInsert, ROWS_PER_INSERT } from '../../../src/store/grouped-insert';

// Against the oracle of one INSERT a row: the same rows stored, the same ones refused as duplicates.
test('grouped inserts store and refuse exactly the rows one INSERT a row would', () => {
  const keys: number[] = [];
  for (let i = 0; i < 5 * ROWS_PER_INSERT + 3; i++) keys.push(i);
  // Duplicates: inside one group, of a row in an earlier group, at a group's first and last place, in the remainder.
  keys.push(2, 2, 40, 0);
  keys.splice(ROWS_PER_INSERT, 0, 5);
  keys.splice(2 * ROWS_PER_INSERT - 1, 0, 7);
  keys.push(9);
  const run = (grouped: boolean): { stored: unknown[]; inserted: number[]; duplicates: number[] } => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT) STRICT, WITHOUT ROWID');
    const inserted: number[] = [];
    const duplicates: number[] = [];
    if (grouped) {
      const g = new GroupedInsert(db, 't', ['k', 'v']);
      keys.forEach((k, i) => g.add([k, `row ${i}`], i, (t) => inserted.push(t), (t) => duplicates.push(t)));
      g.flush((t) => inserted.push(t), (t) => duplicates.push(t));
    } else {
      const one = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
      keys.forEach((k, i) => {
        try {
          one.run(k, `row ${i}`);
          inserted.push(i);
        } catch {
          duplicates.push(i);
        }
      });
    }
    return { stored: db.prepare('SELECT k, v FROM t ORDER BY k').all(), inserted, duplicates };
  };
  const want = run(false);
  expect(want.duplicates.length).toBe(7);
  expect(run(true)).toEqual(want);
});

test('an error other than a duplicate key is thrown, not taken for a duplicate', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT, WITHOUT ROWID');
  const g = new GroupedInsert(db, 't', ['k', 'v']);
  const none = (): void => undefined;
  expect(() => {
    for (let i = 0; i < ROWS_PER_INSERT; i++) g.add([i, i === 3 ? null : 'x'], i, none, none);
  }).toThrow(/NOT NULL/);
});
