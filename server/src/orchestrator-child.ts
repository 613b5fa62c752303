// The orchestrator beside the team server: `symphony serve` as a child process that runs workflows
// from this server, restarted with backoff when it exits, so that a crash of the orchestrator never
// takes the team server down. The server imports no orchestrator code (the orchestrator depends on
// the server); it finds the built CLI and runs it with this Node.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@symphony/sync-server';

/** How the orchestrator child is restarted and stopped. */
export const OrchestratorRestart = {
  /** 1 s: the first restart after a crash; each further crash in a row doubles it. */
  firstDelayMs: 1000,
  /** 30 s: the longest wait between restarts, so a fixed fault is picked up within half a minute. */
  maxDelayMs: 30_000,
  /** 1 min: a child that stayed up this long was healthy; its crash starts the backoff over. */
  stableAfterMs: 60_000,
  /** 30 s: a child that has not said it is ready by then is hung; it is killed and restarted. */
  readyTimeoutMs: 30_000,
  /** 5 s: how long a stopping child may take after SIGTERM before it gets SIGKILL. */
  stopGraceMs: 5000,
} as const;

/**
 * The wait before the next restart: {@link OrchestratorRestart.firstDelayMs} after the first crash or
 * after a child that ran {@link OrchestratorRestart.stableAfterMs}, else twice the previous wait, at
 * most {@link OrchestratorRestart.maxDelayMs}.
 */
export function nextRestartDelay(previousDelayMs: number | undefined, upForMs: number): number {
  if (previousDelayMs === undefined || upForMs >= OrchestratorRestart.stableAfterMs)
    return OrchestratorRestart.firstDelayMs;
  return Math.min(previousDelayMs * 2, OrchestratorRestart.maxDelayMs);
}

/** The line `symphony serve` prints once it listens: `Symphony orchestrator is running at <url>`. */
const READY_LINE = /Symphony orchestrator is running at (https?:\/\/\S+)/;

/** Lines of the child's output kept to say why it exited. */
const TAIL_LINES = 20;

/** 1 s: how long after its exit the child's output is still read before the exit is handled. */
const DRAIN_MS = 1000;

/** How a child ended, and what it said last. */
interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
  readonly lastOutput: string;
}

/** Where the orchestrator's built CLI is, or where it was looked for. */
export type OrchestratorBin = { readonly found: string } | { readonly missing: readonly string[] };

/**
 * The built `symphony` CLI (`orchestrator/dist/cli.js`): `SYMPHONY_ORCHESTRATOR_BIN` if set, else the
 * `@symphony/orchestrator` workspace package as Node resolves it from here, else its place in the
 * repository beside this package.
 */
export function locateOrchestratorBin(env: NodeJS.ProcessEnv): OrchestratorBin {
  const candidates = env.SYMPHONY_ORCHESTRATOR_BIN
    ? [resolve(env.SYMPHONY_ORCHESTRATOR_BIN)]
    : [packageCli(), fileURLToPath(new URL('../../orchestrator/dist/cli.js', import.meta.url))].filter(
        (path): path is string => path !== undefined,
      );
  const found = candidates.find((path) => existsSync(path));
  return found === undefined ? { missing: [...new Set(candidates)] } : { found };
}

/** `cli.js` beside the package's entry point, when `@symphony/orchestrator` resolves. */
function packageCli(): string | undefined {
  try {
    return fileURLToPath(new URL('./cli.js', import.meta.resolve('@symphony/orchestrator')));
  } catch {
    return undefined;
  }
}

/** What the orchestrator serves and from where. */
export interface OrchestratorServeSettings {
  /** The team server's own URL (`http://127.0.0.1:4321`): the orchestrator runs workflows from it. */
  readonly serverUrl: string;
  /** The port on 127.0.0.1 (0: any free one, kept across restarts). */
  readonly port: number;
  /** The Symphony data root the server uses; runs and artifacts go under it. */
  readonly dataDir: string;
}

/**
 * The arguments of `symphony serve` for a team server at `serverUrl`: pages of the server's origin
 * (and its `localhost` / `127.0.0.1` twin, since both reach a loopback server) may call it.
 */
export function orchestratorServeArgs(settings: OrchestratorServeSettings): string[] {
  const server = new URL(settings.serverUrl);
  if (server.hostname === '0.0.0.0' || server.hostname === '[::]') server.hostname = '127.0.0.1';
  const origins = [server.origin];
  const twin = { '127.0.0.1': 'localhost', localhost: '127.0.0.1' }[server.hostname];
  if (twin !== undefined) {
    const other = new URL(server.origin);
    other.hostname = twin;
    origins.push(other.origin);
  }
  return [
    'serve',
    '--port',
    String(settings.port),
    '--server',
    server.origin,
    ...origins.flatMap((origin) => ['--allow-origin', origin]),
    '--data-dir',
    resolve(settings.dataDir),
  ];
}

/**
 * The child's environment: the server's, without `SYMPHONY_ALLOWED_ORIGINS`. That names the pages
 * that may open the team server's sockets (and may be `*`); the orchestrator is told the pages it
 * answers with `--allow-origin` ({@link orchestratorServeArgs}), and reads its own
 * `SYMPHONY_ORCHESTRATOR_ALLOWED_ORIGINS` for more.
 */
export function orchestratorChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SYMPHONY_ALLOWED_ORIGINS: _, ...child } = env;
  return child;
}

/**
 * Code loaded into the child before the CLI (`--import`): when the team server that started it is
 * gone, even by SIGKILL, its IPC channel closes and the orchestrator stops rather than linger on the
 * port. The channel is unreferenced so it keeps nothing alive.
 */
const PARENT_WATCH = `if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), ${OrchestratorRestart.stopGraceMs}).unref();
  });
}`;

/** Timers and the time, injected so that backoff is tested without waiting for it. */
export interface SupervisorClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const systemClock: SupervisorClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What an {@link OrchestratorChild} runs and where it reports. */
export interface OrchestratorChildOptions {
  /** The built CLI (see {@link locateOrchestratorBin}). */
  readonly bin: string;
  readonly settings: OrchestratorServeSettings;
  readonly env?: NodeJS.ProcessEnv;
  /** Starts, exits and restarts. */
  readonly log: Logger;
  /** Called with the orchestrator's URL (`http://127.0.0.1:4322/`) each time it is ready. */
  readonly onReady?: (url: string) => void;
  /** Each line the child writes, other than its ready line; default: stderr, prefixed. */
  readonly output?: (line: string) => void;
  readonly clock?: SupervisorClock;
}

/**
 * Runs `symphony serve` as a child of this process and keeps it running: when it exits (or hangs
 * before it is ready), it is started again after {@link nextRestartDelay}, on the same port.
 * {@link OrchestratorChild.stop} ends it (SIGTERM, then SIGKILL) and restarts nothing.
 */
export class OrchestratorChild {
  private child: ChildProcess | undefined;
  private port: number;
  private startedAt = 0;
  private delayMs: number | undefined;
  private restartTimer: unknown;
  private readyTimer: unknown;
  private stopping = false;
  private readyUrl: string | undefined;
  private readonly clock: SupervisorClock;

  constructor(private readonly options: OrchestratorChildOptions) {
    this.port = options.settings.port;
    this.clock = options.clock ?? systemClock;
  }

  /** The URL the running child said it serves, if it is running and ready. */
  get url(): string | undefined {
    return this.readyUrl;
  }

  /** The pid of the current child, if one is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child (once); later exits restart it until {@link stop}. */
  start(): void {
    if (this.child === undefined && !this.stopping) this.launch();
  }

  /** Stops the child and every restart: SIGTERM, SIGKILL after {@link OrchestratorRestart.stopGraceMs}. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clock.clearTimeout(this.restartTimer);
    this.clock.clearTimeout(this.readyTimer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const kill = this.clock.setTimeout(() => child.kill('SIGKILL'), OrchestratorRestart.stopGraceMs);
    await exited;
    this.clock.clearTimeout(kill);
  }

  private launch(): void {
    const args = orchestratorServeArgs({ ...this.options.settings, port: this.port });
    const child = spawn(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(PARENT_WATCH)}`, this.options.bin, ...args],
      // Its own process group: a Ctrl-C in the terminal reaches the server, which stops the child
      // itself, after it stopped restarting it.
      {
        env: orchestratorChildEnv(this.options.env ?? process.env),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        detached: true,
      },
    );
    this.child = child;
    this.startedAt = this.clock.now();
    this.readyUrl = undefined;
    const tail: string[] = [];
    this.readyTimer = this.clock.setTimeout(() => {
      this.options.log.error('the orchestrator did not say it was ready; killing it', {
        pid: child.pid,
        waitedMs: OrchestratorRestart.readyTimeoutMs,
      });
      child.kill('SIGKILL');
    }, OrchestratorRestart.readyTimeoutMs);

    const onLine = (line: string) => {
      if (this.onReadyLine(child, line)) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      (this.options.output ?? writeToStderr)(line);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (ended) return;
      ended = true;
      this.onExit(child, { code, signal, error, lastOutput: tail.join('\n') });
    };
    child.once('error', (error) => end(null, null, error));
    // Its last words (a stack trace) may still be in the pipes at `exit`: they are read until `close`,
    // but a grandchild (a sandbox) holding the pipes open does not hold up the restart.
    child.once('exit', (code, signal) => {
      child.once('close', () => end(code, signal));
      setTimeout(() => end(code, signal), DRAIN_MS).unref();
    });
  }

  /** Whether `line` is the child's ready line (and it is now ready). */
  private onReadyLine(child: ChildProcess, line: string): boolean {
    const ready = READY_LINE.exec(line);
    if (ready?.[1] !== undefined && this.readyUrl === undefined && child === this.child) {
      const url = new URL(ready[1]);
      this.clock.clearTimeout(this.readyTimer);
      this.port = Number(url.port);
      this.readyUrl = url.href;
      this.options.log.info('orchestrator ready', { pid: child.pid, url: url.href });
      this.options.onReady?.(url.href);
      return true;
    }
    return false;
  }

  private onExit(child: ChildProcess, exit: ChildExit): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.readyUrl = undefined;
    this.clock.clearTimeout(this.readyTimer);
    if (this.stopping) return;
    const upForMs = this.clock.now() - this.startedAt;
    this.delayMs = nextRestartDelay(this.delayMs, upForMs);
    this.options.log.error('the orchestrator exited; restarting it (the team server keeps running)', {
      pid: child.pid,
      code: exit.code,
      signal: exit.signal,
      ...(exit.error ? { error: exit.error.message } : {}),
      upForMs,
      restartInMs: this.delayMs,
      lastOutput: exit.lastOutput,
    });
    this.restartTimer = this.clock.setTimeout(() => {
      if (!this.stopping) this.launch();
    }, this.delayMs);
  }
}

function writeToStderr(line: string): void {
  process.stderr.write(`[orchestrator] ${line}\n`);
}
