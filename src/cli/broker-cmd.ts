import { loadServerConfig } from '../config/server-config';
import { BROKER_SERVER_DEFAULTS, loadBrokerConfig } from '../config/broker-config';
import { loadAccessConfig } from '../config/access-config';
import { readPopulationsFile } from '../ingest/populations-file';
import { readGeneFile } from '../config/gene-file';
import { GeneIndex } from '../domain/genes';
import { FederatedLookup, readPeersFile } from '../broker';
import { startServer } from '../server';
import { parseArgs, requiredFlag, stringFlag } from './args';
import { listen, packageVersion, runUntilSignal } from './run-server';

/**
 * `afb broker` (usage: BROKER_USAGE in ./usage): the same Beacon API and page as a node, answered
 * by asking the peers in the peers file; GET /api/network shows each peer's state.
 */
export async function brokerCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ['peers', 'port', 'host', 'config']);
  const peers = readPeersFile(requiredFlag(args, 'peers', 'peers.json'));
  const config = loadServerConfig(
    stringFlag(args, 'config'),
    process.env,
    { port: stringFlag(args, 'port'), host: stringFlag(args, 'host') },
    BROKER_SERVER_DEFAULTS,
  );
  const broker = loadBrokerConfig(config.file);
  // The broker's own users, recognised as a node recognises its callers; peers are asked with each peer's own token only.
  const access = loadAccessConfig(config.file, stringFlag(args, 'config'));
  const populations = broker.populationsFile
    ? new Map([...readPopulationsFile(broker.populationsFile)].map(([code, p]) => [code, p.canonical]))
    : undefined;
  const genes = broker.genesFile ? new GeneIndex(await readGeneFile(broker.genesFile)) : undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const lookup = new FederatedLookup({
    id: config.beaconId,
    peers,
    config: broker,
    populations,
    genes,
    log: (level, obj, msg) => server?.logger[level](obj, msg),
  });
  lookup.start();
  server = await listen(config, () => startServer({ lookup, config, role: 'broker', version: packageVersion(), network: () => lookup.network(), access }), () => lookup.close());
  server.logger.info({ peers: peers.map((p) => ({ id: p.id, url: p.url })) }, 'broker peers');
  await runUntilSignal(server, () => lookup.close());
}
