import { existsSync } from 'node:fs';
import { AfbError } from '../domain/errors';
import { loadServerConfig } from '../config/server-config';
import { loadAccessConfig } from '../config/access-config';
import { openNodeLookup } from '../store';
import { startServer } from '../server';
import { parseArgs, requiredFlag, stringFlag } from './args';
import { listen, packageVersion, runUntilSignal } from './run-server';

/**
 * `afb serve` (usage: SERVE_USAGE in ./usage): the Beacon API over a node's store, read-only (an
 * ingest may replace datasets meanwhile).
 */
export async function serveCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ['db', 'port', 'host', 'config']);
  const db = requiredFlag(args, 'db', 'node.db');
  if (!existsSync(db)) throw new AfbError('INVALID_OPTION', `--db ${db}: no such store; create it with afb ingest --db ${db} ...`);
  const config = loadServerConfig(stringFlag(args, 'config'), process.env, { port: stringFlag(args, 'port'), host: stringFlag(args, 'host') });
  const access = loadAccessConfig(config.file, stringFlag(args, 'config'));
  const store = openNodeLookup(db);
  const server = await listen(config, () => startServer({ lookup: store.lookup, config, role: 'node', version: packageVersion(), access }), () => store.close());
  await runUntilSignal(server, () => store.close());
}
