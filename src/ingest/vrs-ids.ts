import type { Assembly } from '../domain/assemblies';
import { vrsAllele } from '../domain/vrs';
import { FastaReference } from '../vcf/fasta';
import type { RowBatch } from '../store/writer';
import type { VrsRow } from '../store/vrs-index';

/**
 * VRS 2.0 ids of the rows an ingest stores (docs/api.md "VRS ids"): every substitution, and every
 * insertion or deletion when the ingest has the reference (`--reference`), since its fully
 * justified form depends on the bases around it. Without it an indel gets no id (counted in the
 * report), never a guessed one.
 */
export class VrsIdMaker {
  private readonly reference?: FastaReference;
  computed = 0;
  indelsWithoutReference = 0;

  constructor(private readonly assembly: Assembly, referencePath?: string) {
    if (referencePath) this.reference = new FastaReference(referencePath);
  }

  /** Rows for the stored (not duplicate) rows of a batch. */
  rows(b: RowBatch, duplicates: readonly number[]): VrsRow[] {
    const skip = new Set(duplicates);
    const out: VrsRow[] = [];
    for (let i = 0; i < b.count; i++) {
      if (skip.has(i)) continue;
      const contig = b.contigs[i]!;
      const ref = b.refs[i]!;
      const alt = b.alts[i]!;
      const indel = ref === '' || alt === '';
      const fasta = this.reference;
      if (indel && (!fasta || !fasta.has(contig))) {
        this.indelsWithoutReference++;
        continue;
      }
      const allele = vrsAllele(this.assembly, contig, b.start0[i]!, ref, alt, indel ? (s, e) => fasta!.slice(contig, s, e) : undefined);
      if (!allele) continue;
      out.push({ digest: allele.digest, contig, start0: b.start0[i]!, ref, alt });
      this.computed++;
    }
    return out;
  }

  close(): void {
    this.reference?.close();
  }
}
