// Starts, kills and restarts the real orchestrator (`symphony serve`) for the browser tests, beside a
// SyncServer, on a free port with its own data folder; and points a page's client at it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { MONITOR_URL_STORAGE_KEY } from '@symphony/schemas';
import { repoRoot } from './paths.js';
import { ServiceProcess } from './service-process.js';
import type { SyncServer } from './sync-server.js';

/**
 * The orchestrator the tests start: the built `symphony` CLI (`orchestrator/dist/cli.js`);
 * `SYMPHONY_ORCHESTRATOR_BIN` names another build.
 */
export const orchestratorBin =
  process.env.SYMPHONY_ORCHESTRATOR_BIN ?? resolve(repoRoot, 'orchestrator/dist/cli.js');

/** 20 s: serve opens its journal and listens in about a second; more than this means broken. */
const START_TIMEOUT_MS = 20_000;

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
export class Orchestrator extends ServiceProcess {
  private constructor(
    server: SyncServer,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    readonly configDir: string,
    private readonly ownsConfigDir: boolean,
  ) {
    const origin = new URL(server.url).origin;
    super({
      name: 'orchestrator',
      readyLine: /Symphony orchestrator is running at (http:\/\/\S+)/,
      startTimeoutMs: START_TIMEOUT_MS,
      args: (port) => [
        orchestratorBin,
        'serve',
        '--port',
        String(port),
        '--server',
        origin,
        '--allow-origin',
        origin,
        '--data-dir',
        dataDir,
      ],
      env: { ...process.env, SYMPHONY_CONFIG_DIR: configDir },
    });
  }

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

  /** Stops it and deletes the data directory it created. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
    if (this.ownsConfigDir) await rm(this.configDir, { recursive: true, force: true });
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
