import { loadServerConfig } from '../config/server-config';
import { BROKER_SERVER_DEFAULTS, loadBrokerConfig } from '../config/broker-config';
import { loadAccessConfig } from '../config/access-config';
import { readPopulationsFile } from '../ingest/populations-file';
import { readGeneFile } from '../config/gene-file';
import { GeneIndex } from '../domain/genes';
import { FederatedCatalogue, FederatedLookup, readPeersFile } from '../broker';
import { startServer, workers } from '../server';
import { parseArgs, requiredFlag, stringFlag } from './args';
import { listen, packageVersion, runServers } from './run-server';

/**
 * `afb broker` (usage: BROKER_USAGE in ./usage): the same Beacon API and page as a node, answered
 * by asking the peers in the peers file; GET /api/network shows each peer's state.
 */
export async function brokerCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ['peers', 'port', 'host', 'config', 'workers']);
  const peers = readPeersFile(requiredFlag(args, 'peers', 'peers.json'));
  const config = loadServerConfig(
    stringFlag(args, 'config'),
    process.env,
    { port: stringFlag(args, 'port'), host: stringFlag(args, 'host'), workers: stringFlag(args, 'workers') },
    BROKER_SERVER_DEFAULTS,
  );
  const broker = loadBrokerConfig(config.file);
  // The broker's own users, recognised as a node recognises its callers; peers are asked with each peer's own token only.
  const access = loadAccessConfig(config.file, stringFlag(args, 'config'));
  const populations = broker.populationsFile
    ? new Map([...readPopulationsFile(broker.populationsFile)].map(([code, p]) => [code, p.canonical]))
    : undefined;
  // Read before forking too (each worker reads it again): a bad file stops the broker at once (exit 2), not as N failing workers.
  const genes = broker.genesFile ? new GeneIndex(await readGeneFile(broker.genesFile)) : undefined;
  const n = workers.workerCount(config.workers);
  await runServers(config, { name: 'afb-broker', policy: access.policy }, async (worker) => {
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    const lookup = new FederatedLookup({
      id: config.beaconId,
      peers,
      // Each of N workers polls every peer N times less often: a peer sees one health round per
      // healthIntervalMs on average, as from a single process (docs/network-operators.md, "Workers").
      config: worker === undefined ? broker : { ...broker, healthIntervalMs: broker.healthIntervalMs * n },
      populations,
      genes,
      log: (level, obj, msg) => server?.logger[level](obj, msg),
    });
    lookup.start();
    const catalogue = new FederatedCatalogue({ id: config.beaconId, peers, deadlineMs: broker.deadlineMs, maxBytes: broker.maxResponseBytes });
    const closeAll = async (): Promise<void> => {
      await lookup.close();
      await catalogue.close();
    };
    server = await listen(
      config,
      () => startServer({ lookup, catalogue, config, role: 'broker', version: packageVersion(), network: () => lookup.network(), access, ...(worker === undefined ? {} : { worker }) }),
      closeAll,
    );
    server.logger.info({ peers: peers.map((p) => ({ id: p.id, url: p.url })) }, 'broker peers');
    return { server, cleanup: closeAll };
  });
}
