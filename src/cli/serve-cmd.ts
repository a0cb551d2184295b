import { existsSync } from 'node:fs';
import { AfbError } from '../domain/errors';
import { loadServerConfig } from '../config/server-config';
import { loadAccessConfig } from '../config/access-config';
import { openMetadataSource, openNodeLookup } from '../store';
import { startServer } from '../server';
import { parseArgs, requiredFlag, stringFlag } from './args';
import { listen, packageVersion, runServers } from './run-server';

/**
 * `afb serve` (usage: SERVE_USAGE in ./usage): the Beacon API over a node's store, read-only (an
 * ingest may replace datasets meanwhile), from `--workers` processes.
 */
export async function serveCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ['db', 'port', 'host', 'config', 'workers']);
  const db = requiredFlag(args, 'db', 'node.db');
  if (!existsSync(db)) throw new AfbError('INVALID_OPTION', `--db ${db}: no such store; create it with afb ingest --db ${db} ...`);
  const config = loadServerConfig(stringFlag(args, 'config'), process.env, { port: stringFlag(args, 'port'), host: stringFlag(args, 'host'), workers: stringFlag(args, 'workers') });
  const access = loadAccessConfig(config.file, stringFlag(args, 'config'));
  // Each worker opens the store read-only itself: SQLite's WAL lets them all read one file while an ingest publishes.
  await runServers(config, { name: 'afb-node', policy: access.policy }, async (worker) => {
    const store = openNodeLookup(db);
    const metadata = openMetadataSource(db);
    const closeAll = (): void => {
      store.close();
      metadata.close();
    };
    const server = await listen(
      config,
      () => startServer({ lookup: store.lookup, metadata, config, role: 'node', version: packageVersion(), access, ...(worker === undefined ? {} : { worker }) }),
      closeAll,
    );
    return { server, cleanup: closeAll };
  });
}
