/** What an annotation run did (printed at the end by the CLI; counted as it goes). */
export interface AnnotateSummary {
  records: number;
  /** ALT alleles read (a multi-allelic record counts each). */
  alleles: number;
  /** ALT alleles some dataset has: written with counts. */
  annotated: number;
  /** ALT alleles asked that no dataset in scope has: left unannotated. */
  notFound: number;
  /** ALT alleles not asked, by reason (symbolic, not_sequence, unknown_contig, contig_not_held). */
  skipped: Record<string, number>;
  /** Annotated ALT alleles with some count withheld by disclosure control. */
  withheldAlleles: number;
  /** Annotated ALT alleles whose pooled counts lack a peer that failed. */
  missingPeerAlleles: number;
  /** ALT alleles each dataset contributed counts to. */
  contributors: Record<string, number>;
  /** Per peer of the lookup, how many parts ended in each outcome (ok, miss, timeout, ...). */
  peers: Record<string, Record<string, number>>;
  warnings: string[];
  seconds: number;
  allelesPerSecond: number;
}

export function newSummary(): AnnotateSummary {
  return { records: 0, alleles: 0, annotated: 0, notFound: 0, skipped: {}, withheldAlleles: 0, missingPeerAlleles: 0, contributors: {}, peers: {}, warnings: [], seconds: 0, allelesPerSecond: 0 };
}

/** One progress line for stderr. */
export function progressLine(s: AnnotateSummary): string {
  return `afb annotate: ${s.records.toLocaleString('en')} records, ${s.alleles.toLocaleString('en')} variants (${s.annotated.toLocaleString('en')} annotated, ${s.notFound.toLocaleString('en')} not found), ${Math.round(s.allelesPerSecond).toLocaleString('en')} variants/s`;
}
