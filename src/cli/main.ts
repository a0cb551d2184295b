import { isAfbError, type ErrorCode } from '../domain/errors';
import { INGEST_USAGE, ingestCommand } from './ingest-cmd';
import { BROKER_USAGE, GENES_USAGE, SERVE_USAGE, TOKEN_USAGE } from './usage';

const USAGE = `afb: federated allele-frequency beacon

  ${INGEST_USAGE}
  ${GENES_USAGE}
  ${SERVE_USAGE}
  ${BROKER_USAGE}
  ${TOKEN_USAGE}
`;

/** Exit status 2: the command line was wrong (unknown command, bad flag or option value); fix it and rerun. */
const EXIT_USAGE = 2;
/** Exit status 1: the command was valid but failed while running (bad input file, LISTEN_FAILED, INTERRUPTED, ...). */
const EXIT_FAILURE = 1;
const USAGE_ERRORS: ReadonlySet<ErrorCode> = new Set(['INVALID_OPTION']);

type Command = (argv: string[]) => Promise<void>;

async function loadCommand(name: string): Promise<Command | undefined> {
  switch (name) {
    case 'ingest':
      return ingestCommand;
    case 'genes':
      return (await import('./genes-cmd')).genesCommand;
    case 'serve':
      return (await import('./serve-cmd')).serveCommand;
    case 'broker':
      return (await import('./broker-cmd')).brokerCommand;
    case 'token':
      return (await import('./token-cmd')).tokenCommand;
    default:
      return undefined;
  }
}

/** The only place that turns errors into exit codes. */
export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  try {
    const command = await loadCommand(name);
    if (!command) {
      process.stderr.write(`afb: unknown command '${name}'\n\n${USAGE}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    await command(rest);
  } catch (e) {
    if (isAfbError(e)) {
      process.stderr.write(`afb ${name}: error ${e.code}: ${e.message}\n`);
      process.exitCode = USAGE_ERRORS.has(e.code) ? EXIT_USAGE : EXIT_FAILURE;
    } else {
      process.stderr.write(`afb ${name}: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = EXIT_FAILURE;
    }
  }
}
