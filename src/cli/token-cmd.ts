import { randomBytes } from 'node:crypto';
import { sha256 } from '../access';
import { ACCESS_LEVELS, type AccessLevel } from '../domain/access';
import { AfbError } from '../domain/errors';
import { parseArgs, requiredFlag, stringFlag } from './args';

/**
 * `afb token` (usage: TOKEN_USAGE in ./usage): a new random API token, printed once for the client,
 * and the `access.tokens` entry that holds only its SHA-256 (docs/configuration.md#access).
 */
export async function tokenCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ['id', 'level', 'datasets']);
  const id = requiredFlag(args, 'id', 'lab-a');
  const level = (stringFlag(args, 'level') ?? 'registered') as AccessLevel;
  if (!ACCESS_LEVELS.includes(level)) throw new AfbError('INVALID_OPTION', `--level '${level}' must be one of ${ACCESS_LEVELS.join(', ')}`);
  const datasets = (stringFlag(args, 'datasets') ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  if (level === 'controlled' && datasets.length === 0) throw new AfbError('INVALID_OPTION', '--level controlled needs --datasets ID[,ID...]: the datasets the token opens');
  const token = `afb_${randomBytes(24).toString('base64url')}`;
  const entry = { id, sha256: sha256(token), level, ...(datasets.length > 0 ? { datasets } : {}) };
  process.stdout.write(`token (give it to the client; afb keeps only its hash): ${token}\nadd to "access": {"tokens": [...]} in the config: ${JSON.stringify(entry)}\n`);
}
