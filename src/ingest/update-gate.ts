import { createHash } from 'node:crypto';
import { AfbError } from '../domain/errors';

/**
 * Update gating (DESIGN §9): two published versions of a dataset whose samples differ by fewer
 * than k individuals let anyone subtract one from the other and read those few people's genotypes
 * (genome reconstruction from beacon updates). A version is compared with the published one by
 * the samples counted in each; the store keeps only digests of their ids.
 */
export function sampleDigests(ids: readonly string[]): string[] {
  return ids.map((id) => createHash('sha256').update(id).digest('hex').slice(0, 20)).sort();
}

/** How many individuals are in one set and not the other. */
export function individualsChanged(before: readonly string[], after: readonly string[]): number {
  const a = new Set(before);
  const b = new Set(after);
  let n = 0;
  for (const x of a) if (!b.has(x)) n++;
  for (const x of b) if (!a.has(x)) n++;
  return n;
}

/**
 * Refuse a new version that changes 1..k-1 individuals, unless the operator allows it. Sites-mode
 * data names no individuals, so only genotype-mode versions (with digests on both sides) are gated.
 */
export function checkUpdate(dataset: string, published: readonly string[] | undefined, next: readonly string[] | undefined, minCount: number, allow: boolean): void {
  if (minCount <= 1 || allow || !published || !next) return;
  const changed = individualsChanged(published, next);
  if (changed > 0 && changed < minCount) {
    throw new AfbError(
      'SMALL_UPDATE',
      `dataset '${dataset}': this version differs from the published one by ${changed} individual${changed === 1 ? '' : 's'}, fewer than k = ${minCount}: ` +
        `publishing both would let anyone subtract them and read those genotypes. The published version is unchanged. ` +
        `Add or remove at least ${minCount} individuals, or pass --allow-small-update if the earlier version was never public.`,
    );
  }
}
