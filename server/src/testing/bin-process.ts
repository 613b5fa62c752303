// The composed process for tests of this and other packages: `symphony-server` (the built bin)
// started in a folder on a free port, and waiting for it to exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built bin, `symphony-server` (`npm run build` first); the same path from src/ and dist/. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** A started bin: its process, `http://127.0.0.1:<port>`, and what it wrote to stderr so far. */
export interface RunningBin {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly output: string[];
}

/**
 * The real bin, started in `cwd` with its defaults (embedded OFB in `.symphony/`) unless `args` say
 * otherwise, but without its orchestrator (tests in parallel would share its port):
 * `SYMPHONY_ORCHESTRATOR: 'on'` in `extraEnv`, or `--orchestrator` in `args`, starts one.
 */
export async function startBin(
  cwd: string,
  args: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<RunningBin> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  const env: NodeJS.ProcessEnv = { ...process.env, SYMPHONY_ORCHESTRATOR: 'off', ...extraEnv };
  delete env.DATABASE_URL;
  delete env.SUPABASE_JWT_SECRET;
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Symphony is running at (http:\/\/\S+?)\/\s/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bin exited with ${code}: ${output.join('')}`)));
  });
  return { child, origin, output };
}

/** Resolves with the exit code once `child` has exited (null if a signal ended it). */
export function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
