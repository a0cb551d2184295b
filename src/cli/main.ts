import { isAfbError } from '../domain/errors';
import { INGEST_USAGE, ingestCommand } from './ingest-cmd';

const USAGE = `afb: federated allele-frequency beacon

  ${INGEST_USAGE}
  afb serve  --db FILE [--port 8080] [--host 127.0.0.1] [--config FILE]
  afb broker --peers FILE [--port 8090] [--host 127.0.0.1] [--config FILE]
`;

type Command = (argv: string[]) => Promise<void>;

async function loadCommand(name: string): Promise<Command | undefined> {
  switch (name) {
    case 'ingest':
      return ingestCommand;
    case 'serve':
      return (await import('./serve-cmd')).serveCommand;
    case 'broker':
      return (await import('./broker-cmd')).brokerCommand;
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
      process.exitCode = 2;
      return;
    }
    await command(rest);
  } catch (e) {
    if (isAfbError(e)) {
      process.stderr.write(`afb ${name}: error ${e.code}: ${e.message}\n`);
      process.exitCode = e.code === 'INVALID_OPTION' ? 2 : 1;
    } else {
      process.stderr.write(`afb ${name}: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  }
}
