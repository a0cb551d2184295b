import type { Assembly } from '../domain/assemblies';
import { vrsAlleleDigest } from '../domain/vrs';
import type { FastaReference } from '../vcf/fasta';
import { VrsState, digestInto } from '../store/vrs-column';

/**
 * VRS 2.0 ids of the rows an ingest stores (docs/api.md "VRS ids"), computed in the parser
 * threads beside the counts: every substitution, and every insertion or deletion when the ingest
 * has the reference (`--reference`), since its fully justified form depends on the bases around
 * it. Without it an indel gets no id (counted in the report), never a guessed one.
 */
export class VrsIdMaker {
  constructor(
    private readonly assembly: Assembly,
    private readonly reference?: FastaReference,
  ) {}

  /** Write the raw digest of a row (trimmed form) at `out[offset..offset+24)`; returns what became of it. */
  into(contig: string, start0: number, ref: string, alt: string, out: Uint8Array, offset: number): VrsState {
    const indel = ref === '' || alt === '';
    const fasta = this.reference;
    if (indel && (!fasta || !fasta.has(contig))) return VrsState.IndelWithoutReference;
    const digest = vrsAlleleDigest(this.assembly, contig, start0, ref, alt, indel ? (s, e) => fasta!.slice(contig, s, e) : undefined);
    if (!digest || !digestInto(digest, out, offset)) return VrsState.None;
    return VrsState.Computed;
  }
}
