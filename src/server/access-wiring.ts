import { createWriteStream, type WriteStream } from 'node:fs';
import { createCallerResolver, type JwksOptions } from '../access';
import type { AccessConfig } from '../config/access-config';
import { publicPolicy } from '../config/access-config';
import { lowerGranularity, type Granularity } from '../domain/lookup';
import { EVERYONE_ANONYMOUS, type AuditSink, type CallerResolver } from '../pipeline';
import type { Logger } from './observability';

/** The identify step for a server: the access section's tokens and issuers, or everyone anonymous without one. */
export function resolverFor(access: AccessConfig | undefined, jwks?: JwksOptions): CallerResolver {
  if (!access?.configured) return EVERYONE_ANONYMOUS;
  return createCallerResolver(access.identity, jwks);
}

/** Where audit lines go: appended to `path` as JSON lines, or the server log under the key `audit`. */
export function auditSink(path: string, logger: Logger): { sink: AuditSink | undefined; close(): Promise<void> } {
  if (path === '') {
    // A log that takes no info lines (silent, warn, ...) takes no audit lines: none are made.
    return { sink: logger.isLevelEnabled('info') ? (line) => logger.info({ audit: line }, 'audit') : undefined, close: async () => undefined };
  }
  const out: WriteStream = createWriteStream(path, { flags: 'a' });
  out.on('error', (e) => logger.error({ err: String(e), auditLog: path }, 'audit log cannot be written'));
  return {
    sink: (line) => void out.write(JSON.stringify(line) + '\n'),
    close: () => new Promise((resolve) => out.end(() => resolve())),
  };
}

/** What /api/info and /api/configuration publish about access. */
export function publishedAccess(access: AccessConfig | undefined, defaultGranularity: Granularity): { access: Record<string, unknown>; securityLevels: ('PUBLIC' | 'REGISTERED' | 'CONTROLLED')[]; defaultGranularity: Granularity } {
  if (!access?.configured) return { access: { configured: false, levels: 'open: every caller sees everything (k = 1)' }, securityLevels: ['PUBLIC'], defaultGranularity };
  const id = access.identity;
  const levels = new Set<'PUBLIC' | 'REGISTERED' | 'CONTROLLED'>(['PUBLIC']);
  if (id.oidc.length > 0 || id.tokens.some((t) => t.level === 'registered')) levels.add('REGISTERED');
  if (id.oidc.length > 0 || id.tokens.some((t) => t.level === 'controlled')) levels.add('CONTROLLED');
  const g = lowerGranularity(access.policy.levels.anonymous.granularity, defaultGranularity);
  return { access: publicPolicy(access), securityLevels: [...levels], defaultGranularity: g };
}

/** One log line at start saying which access policy is in force. */
export function logAccess(logger: Logger, access: AccessConfig | undefined): void {
  if (!access?.configured) {
    logger.info('no access section in the config: open policy, every caller anonymous and shown everything (k = 1); see docs/configuration.md#access');
    return;
  }
  const l = access.policy.levels;
  logger.info(
    {
      access: Object.fromEntries(Object.entries(l).map(([k, v]) => [k, { granularity: v.granularity, minCount: v.minCount, requestsPerMinute: v.requestsPerMinute, maxBatch: v.maxBatch, maxRangeBases: v.maxRangeBases }])),
      tokens: access.identity.tokens.length,
      oidcIssuers: access.identity.oidc.map((i) => i.issuer),
      visaIssuers: access.identity.visaIssuers.map((i) => i.issuer),
    },
    'access policy',
  );
}
