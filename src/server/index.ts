import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VariantLookup } from '../domain/lookup';
import type { ServerConfig } from '../config/server-config';
import type { BeaconFacts } from '../beacon/informational';
import { createApp } from './app';
import { memoDescribe } from './description-cache';
import { corsHandler } from './cors';
import { fastPath } from './fast-path';
import { countsStreamDoor } from './counts-stream-door';
import { gracefulClose } from './graceful-close';
import { createLogger, createMetrics, type Logger } from './observability';
import { createCatalogueDoor, createPipeline, disclosureFor, nodeCatalogue, type DisclosureStep } from '../pipeline';
import type { DatasetCatalogue, MetadataSource } from '../domain/catalogue';
import type { AppContext } from './context';
import type { AccessConfig } from '../config/access-config';
import type { JwksOptions } from '../access';
import { budgetFromPrimary } from './workers/shared-budget';
import { OPEN_POLICY } from '../domain/access';
import { auditSink, logAccess, publishedAccess, resolverFor } from './access-wiring';

export { createApp } from './app';
export { createLogger, type Logger } from './observability';
export type { AppContext } from './context';
export * as workers from './workers';

export interface StartOptions {
  lookup: VariantLookup;
  config: ServerConfig;
  role: 'node' | 'broker';
  version: string;
  logger?: Logger;
  network?: () => Promise<unknown>;
  /** Disclosure steps of the pipeline (default: the access section's small-cell rule, or show everything found without one). */
  disclosure?: readonly DisclosureStep[];
  /** The config's access section (config/access-config.ts); absent or unconfigured: open, everyone anonymous. */
  access?: AccessConfig;
  /** JWKS fetching (tests shorten the refetch cooldown). */
  jwks?: JwksOptions;
  /** The clock of budgets and the audit log (tests). */
  now?: () => number;
  /**
   * This process's slot when it is one of `--workers N` (server/workers): its budgets are kept by
   * the primary, its /metrics sums every worker's, and its log lines and metrics name the slot.
   */
  worker?: number;
  /** A broker's dataset catalogue (broker/catalogue.ts); a node's is made from its lookup and `metadata`. */
  catalogue?: DatasetCatalogue;
  /** A node's dataset metadata (store/catalogue-store.ts); without it, its catalogue lists only what the lookup describes. */
  metadata?: MetadataSource;
}

export interface RunningServer {
  url: string;
  port: number;
  logger: Logger;
  /** Stop taking connections, let requests in flight finish (up to shutdownGraceMs), then close. */
  close(): Promise<void>;
}

export function appContext(o: StartOptions): AppContext & { closeAudit(): Promise<void> } {
  const c = o.config;
  const logger = o.logger ?? createLogger(c.logLevel, `afb-${o.role}`, o.worker === undefined ? {} : { worker: o.worker });
  const published = publishedAccess(o.access, c.defaultGranularity);
  const facts: BeaconFacts = {
    beaconId: c.beaconId,
    name: c.beaconName,
    description: c.description,
    organizationId: c.organizationId,
    organizationName: c.organizationName,
    organizationUrl: c.organizationUrl,
    environment: c.environment,
    defaultGranularity: published.defaultGranularity,
    access: published.access,
    securityLevels: published.securityLevels,
    role: o.role,
    version: o.version,
    startedAt: new Date().toISOString(),
  };
  const describe = memoDescribe(o.lookup);
  const audit = auditSink(c.auditLog, logger);
  logAccess(logger, o.access);
  const identify = resolverFor(o.access, o.jwks);
  const pipeline = createPipeline({
    lookup: o.lookup,
    describe,
    beaconId: c.beaconId,
    role: o.role,
    sourceReference: c.sourceReference,
    limits: { maxLimit: c.maxLimit, maxRangeBases: c.maxRangeBases, defaultGranularity: c.defaultGranularity, maxBatch: c.maxBatch },
    disclosure: o.disclosure ?? (o.access?.configured ? disclosureFor(o.access.policy) : undefined),
    identify,
    access: o.access?.policy,
    ...(o.worker === undefined ? {} : { budget: budgetFromPrimary(o.access?.policy ?? OPEN_POLICY) }),
    audit: audit.sink,
    now: o.now,
  });
  const catalogueFacts = { beaconId: c.beaconId, name: c.beaconName, description: c.description, organizationName: c.organizationName, organizationUrl: c.organizationUrl };
  const catalogue = createCatalogueDoor({
    facts: catalogueFacts,
    catalogue: o.catalogue ?? nodeCatalogue(describe, o.metadata, { beaconId: c.beaconId, name: c.beaconName }),
    identify,
    access: o.access?.policy,
    audit: audit.sink,
    now: o.now,
  });
  return { lookup: o.lookup, pipeline, catalogue, describe, config: c, facts, role: o.role, logger, metrics: createMetrics(o.role, o.worker), network: o.network, closeAudit: audit.close };
}

/** Express for everything, except the one hot request the fast path answers itself. */
function handler(ctx: AppContext): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createApp(ctx);
  const fast = fastPath(ctx);
  const cors = corsHandler(ctx.config.corsOrigins);
  return (req, res) => {
    if (cors?.(req, res)) return;
    if (!fast(req, res)) app(req, res);
  };
}

export async function startServer(o: StartOptions): Promise<RunningServer> {
  const ctx = appContext(o);
  const server: Server = createServer(
    {
      requestTimeout: o.config.requestTimeoutMs,
      headersTimeout: o.config.headersTimeoutMs,
      keepAliveTimeout: o.config.keepAliveTimeoutMs,
      // node checks the two timeouts on this interval (default 30 s), so it bounds how late they fire.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(o.config.headersTimeoutMs / 2))),
    },
    handler(ctx),
  );
  const graceful = gracefulClose(server, o.config.shutdownGraceMs);
  server.on('upgrade', countsStreamDoor(ctx, graceful.hold));
  const close = async (): Promise<void> => {
    await graceful.close();
    await ctx.closeAudit();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.config.port, o.config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.config.host.includes(':') ? `[${o.config.host}]` : o.config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  ctx.logger.info({ url, role: o.role }, 'listening');
  return { url, port, logger: ctx.logger, close };
}
