// Starts and stops the real workspace server for the browser tests, each in a fresh data folder.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { clientDist, repoRoot, serverBin } from './paths.js';

/**
 * 30 s: the sync-server alone starts in well under a second, but the OFB it embeds opens PGlite and
 * runs its migrations first (about 6 s on a busy machine); more than this means broken, not slow.
 */
const START_TIMEOUT_MS = 30_000;
/** 5 s for a graceful SIGTERM shutdown before the process is killed. */
const STOP_TIMEOUT_MS = 5_000;

const READY_LINE = /Symphony is running at (http:\/\/\S+)/;

/**
 * The real workspace server as a child process: `node server/dist/bin.js` serving the built client,
 * with its own fresh data directory. It can be stopped (SIGTERM) and restarted on the same port
 * and data directory; {@link SyncServer.dispose} stops it and removes the directory.
 */
export class SyncServer {
  private child: ChildProcess | null = null;
  private port = 0;
  private baseUrl: string | null = null;
  private output: string[] = [];

  private constructor(readonly dataDir: string) {}

  /** Starts a server on a free port with a fresh data directory. */
  static async start(): Promise<SyncServer> {
    const dataDir = await mkdtemp(join(tmpdir(), 'symphony-e2e-'));
    const server = new SyncServer(dataDir);
    try {
      await server.launch();
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  /** `http://127.0.0.1:<port>/`, as the server printed it. */
  get url(): string {
    if (this.baseUrl === null) throw new Error('SyncServer.url: the server has never started');
    return this.baseUrl;
  }

  /** Whether the process is running. */
  get running(): boolean {
    return this.child !== null;
  }

  /** What the server printed, for failure reports. */
  get log(): string {
    return this.output.join('\n');
  }

  /** Stops the server gracefully (SIGTERM), killing it if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** Starts the server again on the same port and data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the server and deletes its data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private launch(): Promise<void> {
    const args = [
      serverBin,
      '--port',
      String(this.port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      this.dataDir,
      '--static',
      clientDist,
      // Specs that run workflows start their own (e2e/support/orchestrator.ts) on a free port; the
      // server's own would take 4322 for every spec, whichever worker ran it.
      '--no-orchestrator',
    ];
    // Every test signs people up from 127.0.0.1: lift OFB's sign-up/sign-in limit (10 per minute).
    const env = {
      ...process.env,
      OFB_AUTH_RATE_LIMIT_PER_MINUTE: process.env.OFB_AUTH_RATE_LIMIT_PER_MINUTE ?? '100000',
    };
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.child = null;
        reject(new Error(`sync-server ${why}\n--- output ---\n${this.log}`));
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
        if (match?.[1] === undefined) return;
        const url = new URL(match[1]);
        this.port = Number(url.port);
        this.baseUrl = url.href;
        ready = true;
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
