/**
 * A problem with one VCF record. `reason` is a stable code that the ingest report counts
 * skipped records by; `field` names the column or INFO/FORMAT key at fault.
 */
export class RecordError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RecordError';
  }
}
