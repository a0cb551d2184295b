import { requireAssembly } from '../domain/assemblies';
import { AfbError } from '../domain/errors';
import { ingestVcf, terminalProgress } from '../ingest';
import { parseArgs, requiredFlag, stringFlag } from './args';

export const INGEST_USAGE = `afb ingest --db FILE --dataset ID --assembly GRCh37|GRCh38 [--name TEXT] [--description TEXT]
           [--mode sites|genotypes] [--panel FILE] [--samples FILE] [--populations FILE]
           [--fields FILE] [--reference FASTA] [--skip-invalid] [--max-line-bytes N]
           [--min-count K [--allow-small-update]] [--callable FILE.bed[.gz]] [--no-vrs-ids] VCF...`;

/** `afb ingest`: prints the JSON report on stdout; the progress bar goes to stderr. */
export async function ingestCommand(argv: string[]): Promise<void> {
  const args = parseArgs(
    argv,
    ['db', 'dataset', 'assembly', 'name', 'description', 'mode', 'panel', 'samples', 'populations', 'fields', 'reference', 'max-line-bytes', 'min-count', 'callable'],
    ['skip-invalid', 'allow-small-update', 'no-vrs-ids'],
  );
  const mode = stringFlag(args, 'mode');
  if (mode !== undefined && mode !== 'sites' && mode !== 'genotypes') throw new AfbError('INVALID_OPTION', `--mode '${mode}' must be sites or genotypes`);
  const maxLine = stringFlag(args, 'max-line-bytes');
  if (maxLine !== undefined && !/^[1-9][0-9]{0,15}$/.test(maxLine)) throw new AfbError('INVALID_OPTION', `--max-line-bytes '${maxLine}' must be a positive whole number of bytes`);
  const minCount = stringFlag(args, 'min-count');
  if (minCount !== undefined && !/^[1-9][0-9]{0,5}$/.test(minCount)) throw new AfbError('INVALID_OPTION', `--min-count '${minCount}' must be the node's small-cell threshold k, a whole number >= 1 (e.g. 5)`);
  const progress = terminalProgress();
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await ingestVcf(
      {
        db: requiredFlag(args, 'db', 'node.db'),
        dataset: requiredFlag(args, 'dataset', 'gnomad-v3'),
        assembly: requireAssembly(requiredFlag(args, 'assembly', 'GRCh38'), '--assembly'),
        name: stringFlag(args, 'name'),
        description: stringFlag(args, 'description'),
        mode,
        panel: stringFlag(args, 'panel'),
        samples: stringFlag(args, 'samples'),
        populations: stringFlag(args, 'populations'),
        fields: stringFlag(args, 'fields'),
        reference: stringFlag(args, 'reference'),
        skipInvalid: args.flags.get('skip-invalid') === true,
        runner: 'worker',
        maxLineBytes: maxLine === undefined ? undefined : Number(maxLine),
        minCount: minCount === undefined ? undefined : Number(minCount),
        allowSmallUpdate: args.flags.get('allow-small-update') === true,
        callable: stringFlag(args, 'callable'),
        vrsIds: args.flags.get('no-vrs-ids') !== true,
        inputs: args.positionals,
      },
      progress.listener,
      controller.signal,
    );
    progress.done();
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Interrupted: the ingest has cleaned up and main() reports it. A read that never completes
    // (a stalled FIFO or pipe) would still keep the process alive, so exit shortly after with
    // the code main() sets. Unref'd: a process with nothing left to do exits before it fires.
    if (controller.signal.aborted) setTimeout(() => process.exit(), 500).unref();
  }
}
