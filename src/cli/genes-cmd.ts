import { requireAssembly } from '../domain/assemblies';
import { AfbError } from '../domain/errors';
import { readGeneFile } from '../config/gene-file';
import { openForWrite } from '../store/open';
import { writeGenes } from '../store';
import { parseArgs, requiredFlag } from './args';

/** `afb genes`: load (replace) a node's gene table for one assembly from a GENCODE/Ensembl GTF or GFF3. */
export async function genesCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ['db', 'assembly'], []);
  const db = requiredFlag(args, 'db', 'node.db');
  const assembly = requireAssembly(requiredFlag(args, 'assembly', 'GRCh38'), '--assembly');
  if (args.positionals.length !== 1) throw new AfbError('INVALID_OPTION', 'give one GTF or GFF3 file after the options, e.g. afb genes --db node.db --assembly GRCh38 gencode.v46.annotation.gtf.gz');
  const file = args.positionals[0]!;
  let shown = false;
  const genes = await readGeneFile(file, (n) => {
    shown = true;
    process.stderr.write(`\r${n} genes read`);
  });
  if (shown) process.stderr.write('\n');
  const store = openForWrite(db);
  try {
    writeGenes(store, assembly, genes);
  } finally {
    store.close();
  }
  process.stdout.write(JSON.stringify({ db, assembly, source: file, genes: genes.length }) + '\n');
}
