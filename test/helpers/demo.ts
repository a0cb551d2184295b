import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Demo {
  page: string;
  nodes: Record<string, string>;
  /** The registered token the demo prints (its SHA-256 is in the demo's broker config). */
  token: string;
  child: ChildProcess;
  output(): string;
  /** Ctrl-C, as a user would; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `npm start`'s script on free ports with its state in `dir`; resolves once it prints the page URL. */
export async function startDemo(dir: string, timeoutMs = 110_000): Promise<Demo> {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'scripts', 'demo', 'start.js')], {
    env: { ...process.env, AFB_DEMO_DIR: dir, AFB_DEMO_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!/Ctrl-C stops everything/.test(out)) {
    if (child.exitCode !== null) throw new Error(`demo exited early:\n${out}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGINT');
      throw new Error(`demo not up within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const page = /page \(broker\): (\S+)/.exec(out)![1]!;
  const nodes = Object.fromEntries([...out.matchAll(/node (\w+): (\S+)/g)].map((m) => [m[1]!, m[2]!]));
  const token = /registered token \([^)]*\): (\S+)/.exec(out)?.[1] ?? '';
  return {
    page,
    nodes,
    token,
    child,
    output: () => out,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
