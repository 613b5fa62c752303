// Starts and stops the real workspace server for the browser tests, each in a fresh data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientDist, serverBin } from './paths.js';
import { ServiceProcess } from './service-process.js';

/**
 * 30 s: the sync-server alone starts in well under a second, but the OFB it embeds opens PGlite and
 * runs its migrations first (about 6 s on a busy machine); more than this means broken, not slow.
 */
const START_TIMEOUT_MS = 30_000;

/**
 * The real workspace server as a child process: `node server/dist/bin.js` serving the built client,
 * with its own fresh data directory. It can be stopped (SIGTERM) and restarted on the same port
 * and data directory; {@link SyncServer.dispose} stops it and removes the directory.
 */
export class SyncServer extends ServiceProcess {
  private constructor(readonly dataDir: string) {
    super({
      name: 'sync-server',
      readyLine: /Symphony is running at (http:\/\/\S+)/,
      startTimeoutMs: START_TIMEOUT_MS,
      args: (port) => [
        serverBin,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--data-dir',
        dataDir,
        '--static',
        clientDist,
        // Specs that run workflows start their own (e2e/support/orchestrator.ts) on a free port; the
        // server's own would take 4322 for every spec, whichever worker ran it.
        '--no-orchestrator',
      ],
      // Every test signs people up from 127.0.0.1: lift OFB's sign-up/sign-in limit (10 per minute).
      env: {
        ...process.env,
        OFB_AUTH_RATE_LIMIT_PER_MINUTE: process.env.OFB_AUTH_RATE_LIMIT_PER_MINUTE ?? '100000',
      },
    });
  }

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

  /** Stops the server and deletes its data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
