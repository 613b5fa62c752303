// Starts, kills and restarts the real orchestrator (`symphony serve`) for the browser tests, beside a
// SyncServer, on a free port with its own data folder; and points a page's client at it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { BrowserContext, Page } from '@playwright/test';
import { MONITOR_URL_STORAGE_KEY } from '@symphony/schemas';
import { repoRoot } from './paths.js';
import type { SyncServer } from './sync-server.js';

/**
 * The orchestrator the tests start: the built `symphony` CLI (`orchestrator/dist/cli.js`);
 * `SYMPHONY_ORCHESTRATOR_BIN` names another build.
 */
export const orchestratorBin =
  process.env.SYMPHONY_ORCHESTRATOR_BIN ?? resolve(repoRoot, 'orchestrator/dist/cli.js');

/** 20 s: serve opens its journal and listens in about a second; more than this means broken. */
const START_TIMEOUT_MS = 20_000;
/** 5 s for a graceful SIGTERM shutdown before the process is killed. */
const STOP_TIMEOUT_MS = 5_000;

const READY_LINE = /Symphony orchestrator is running at (http:\/\/\S+)/;

/** What {@link Orchestrator.start} runs against. */
export interface OrchestratorStart {
  /** The team server it runs workflows from; its pages are the only origin allowed to call it. */
  readonly server: SyncServer;
  /** Runs and artifacts go here (kept by {@link Orchestrator.dispose}); default: a fresh temp folder. */
  readonly dataDir?: string;
  /**
   * Its config folder (`SYMPHONY_CONFIG_DIR`: instruments, credentials, extensions); default: a
   * fresh empty one, so a test never reads the machine's own.
   */
  readonly configDir?: string;
}

/**
 * The real orchestrator as a child process: `symphony serve --port 0` for a {@link SyncServer}. It
 * can be killed (any signal, SIGKILL to crash it mid-run) and restarted on the same port and data
 * directory, so a board that knew its URL finds it again; {@link Orchestrator.dispose} stops it and
 * removes the data directory it made.
 */
export class Orchestrator {
  private child: ChildProcess | null = null;
  private port = 0;
  private baseUrl: string | null = null;
  private output: string[] = [];

  private constructor(
    private readonly server: SyncServer,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    readonly configDir: string,
    private readonly ownsConfigDir: boolean,
  ) {}

  /** Starts an orchestrator on a free port for `server`. */
  static async start({ server, dataDir, configDir }: OrchestratorStart): Promise<Orchestrator> {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'symphony-e2e-orchestrator-')));
    const config = configDir ?? (await mkdtemp(join(tmpdir(), 'symphony-e2e-config-')));
    const orchestrator = new Orchestrator(
      server,
      dir,
      dataDir === undefined,
      config,
      configDir === undefined,
    );
    try {
      await orchestrator.launch();
    } catch (error) {
      await orchestrator.dispose();
      throw error;
    }
    return orchestrator;
  }

  /** `http://127.0.0.1:<port>/`, as the orchestrator printed it. */
  get url(): string {
    if (this.baseUrl === null) throw new Error('Orchestrator.url: the orchestrator has never started');
    return this.baseUrl;
  }

  /** Whether the process is running. */
  get running(): boolean {
    return this.child !== null;
  }

  /** What the orchestrator printed, for failure reports. */
  get log(): string {
    return this.output.join('\n');
  }

  /** Sends `signal` (default SIGKILL: a crash, nothing flushed) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  /** Stops it gracefully (SIGTERM), killing it if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.kill('SIGTERM');
    clearTimeout(timer);
  }

  /** Starts it again (stopping it first if it runs) on the same port and data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops it and deletes the data directory it created. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
    if (this.ownsConfigDir) await rm(this.configDir, { recursive: true, force: true });
  }

  private launch(): Promise<void> {
    const server = new URL(this.server.url).origin;
    const args = [
      orchestratorBin,
      'serve',
      '--port',
      String(this.port),
      '--server',
      server,
      '--allow-origin',
      server,
      '--data-dir',
      this.dataDir,
    ];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, SYMPHONY_CONFIG_DIR: this.configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    return new Promise<void>((resolveReady, reject) => {
      let ready = false;
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.child = null;
        reject(new Error(`orchestrator ${why}\n--- output ---\n${this.log}`));
      };
      const timer = setTimeout(
        () => fail(`did not print its URL within ${START_TIMEOUT_MS} ms`),
        START_TIMEOUT_MS,
      );
      child.once('error', (error) => fail(`could not be spawned: ${error.message}`));
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        if (!ready) fail(`exited before it was ready (code ${code}, signal ${signal})`);
      });
      createInterface({ input: child.stderr! }).on('line', (line) => this.output.push(line));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.output.push(line);
        const match = READY_LINE.exec(line);
        if (match?.[1] === undefined || ready) return;
        const url = new URL(match[1]);
        this.port = Number(url.port);
        this.baseUrl = url.href;
        ready = true;
        clearTimeout(timer);
        resolveReady();
      });
    });
  }
}

/**
 * Points the client in `target` (a page, or every page of a context) at the orchestrator at `url`
 * from its next load on, as a person who set a non-default orchestrator URL would.
 */
export async function useOrchestrator(target: Page | BrowserContext, url: string): Promise<void> {
  await target.addInitScript(
    ([key, value]) => {
      localStorage.setItem(key, value);
    },
    [MONITOR_URL_STORAGE_KEY, url] as const,
  );
}
