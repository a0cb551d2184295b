import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const AFB = join(__dirname, '..', '..', 'bin', 'afb.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `afb ...` to completion (the built CLI, as an operator runs it). */
export function runAfb(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [AFB, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start `afb ...` in the background. */
export function startAfb(args: string[]): ChildProcess {
  return spawn(process.execPath, [AFB, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
