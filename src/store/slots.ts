import type { VersionMeta } from './version-meta';

/**
 * Which slots of a counts BLOB hold frequencies (AF, stored scaled; see codec.ts) rather than
 * integer counts: the `isAf` argument of the codec. One definition for the writer, the ingest
 * parser and the reader.
 */
export function isAfSlots(slots: VersionMeta['slots']): boolean[] {
  return slots.map((s) => s.kind === 'af');
}
