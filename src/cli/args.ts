import { AfbError } from '../domain/errors';

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

/**
 * `--name value`, `--name=value` and boolean `--flag`; `booleans` lists flags that take no value.
 * Unknown flags are rejected with the list of known ones.
 */
export function parseArgs(argv: readonly string[], known: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name) && !booleans.includes(name)) {
      throw new AfbError('INVALID_OPTION', `unknown option --${name}; known options: ${[...known, ...booleans].map((k) => '--' + k).join(' ')}`);
    }
    if (booleans.includes(name)) {
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new AfbError('INVALID_OPTION', `option --${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function requiredFlag(args: ParsedArgs, name: string, example: string): string {
  const v = stringFlag(args, name);
  if (v === undefined) throw new AfbError('INVALID_OPTION', `--${name} is required, e.g. --${name} ${example}`);
  return v;
}
