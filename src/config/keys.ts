import { AfbError } from '../domain/errors';

/**
 * One configuration key, in the one shape both tables use (CONFIG_KEYS for `afb serve` and
 * `afb broker`, BROKER_KEYS for the broker's own section): the config-file key, its environment
 * variable, what it may hold, its default, and the line docs/configuration.md shows for it.
 */
export type KeySpec<K extends string = string> = StringKey<K> | IntKey<K> | EnumKey<K>;

interface Common<K extends string> {
  key: K;
  env: string;
  /** One line for the table in docs/configuration.md. */
  doc: string;
}
export interface StringKey<K extends string = string> extends Common<K> {
  type: 'string';
  default: string;
}
export interface IntKey<K extends string = string> extends Common<K> {
  type: 'int';
  default: number;
  min: number;
  max: number;
}
export interface EnumKey<K extends string = string> extends Common<K> {
  type: 'enum';
  default: string;
  values: readonly string[];
}

/** The spec a setting of type V gets: int for numbers, enum for string unions, string otherwise. */
type SpecOf<V> = [V] extends [number]
  ? Omit<IntKey, 'key'>
  : string extends V
    ? Omit<StringKey, 'key'>
    : Omit<EnumKey, 'key' | 'default' | 'values'> & { default: V; values: readonly V[] };

/**
 * A table over the settings type T: every key of T exactly once (a new setting without a spec, and
 * so without docs, does not compile), each default of its setting's type.
 */
export type KeyTable<T> = { [K in keyof T & string]-?: SpecOf<NonNullable<T[K]>> };

/** The table as a list in its written order, each spec carrying its key. */
export function keyList<T>(table: KeyTable<T>): readonly KeySpec<keyof T & string>[] {
  return Object.entries(table).map(([key, spec]) => ({ key, ...(spec as object) }) as KeySpec<keyof T & string>);
}

/** Where one layer (config file, environment, flags) sets a key: the raw value and how to name its source. */
export type Layer<K extends string = string> = (spec: KeySpec<K>) => [raw: unknown, where: string];

/**
 * Each key's default, then each layer in turn (later layers win; undefined and '' leave the key
 * alone). A bad value stops with its source and the valid form.
 */
export function resolveKeys<K extends string>(specs: readonly KeySpec<K>[], layers: readonly Layer<K>[]): Record<K, string | number> {
  const out = {} as Record<K, string | number>;
  for (const spec of specs) {
    out[spec.key] = spec.default;
    for (const layer of layers) {
      const [raw, where] = layer(spec);
      if (raw === undefined || raw === '') continue;
      out[spec.key] = coerce(spec, raw, where);
    }
  }
  return out;
}

function coerce(spec: KeySpec, raw: unknown, where: string): string | number {
  switch (spec.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(String(raw).trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < spec.min || n > spec.max) {
        throw new AfbError('INVALID_OPTION', `${where}: '${String(raw)}' must be an integer in ${spec.min}..${spec.max}`);
      }
      return n;
    }
    case 'enum': {
      const s = String(raw);
      if (!spec.values.includes(s)) throw new AfbError('INVALID_OPTION', `${where}: '${s}' must be one of ${spec.values.join(', ')}`);
      return s;
    }
    case 'string':
      if (typeof raw !== 'string') throw new AfbError('INVALID_OPTION', `${where}: ${JSON.stringify(raw)} must be a string`);
      return raw;
  }
}
