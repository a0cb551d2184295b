import type { LookupDescription, VariantLookup } from '../domain/lookup';

/**
 * The data routes need the description (assemblies, contigs, datasets) on every request; asking
 * the lookup each time costs a store read (or, on a broker, more). A one-second memo keeps that
 * off the hot path; a re-ingest shows in it within a second. Informational endpoints (service-info
 * carries the data versions brokers key their caches on) read the lookup directly.
 */
export function memoDescribe(lookup: VariantLookup, ttlMs = 1000, now: () => number = Date.now): () => Promise<LookupDescription> {
  let cached: { at: number; value: Promise<LookupDescription> } | undefined;
  return () => {
    const t = now();
    if (!cached || t - cached.at >= ttlMs) {
      const value = lookup.describe();
      cached = { at: t, value };
      // A failed describe is not remembered.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
