// `symphony serve`'s composition: the engine on the data dir with per-user documents, the run index
// and its journal followers, the recorder, the gatekeeper, the HTTP app and the live WebSocket, on a
// loopback port; and stopping them in order.
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { type ServerType, serve } from '@hono/node-server';
import {
  IsolationLevel,
  MONITOR_LIVE_PATH,
  MonitorCloseCode,
  MonitorErrorCode,
  type MonitorHealth,
} from '@symphony/schemas';
import { WebSocketServer } from 'ws';
import { type DataPaths, type Engine, openEngine } from '../cli/data-dir.js';
import { CommandFailedError } from '../cli/errors.js';
import { OfbClient } from '../cli/ofb-client.js';
import { systemClock } from '../executor/options.js';
import { detectIsolation } from '../extensions/sandbox/isolation.js';
import { loadWorkflowFromServer } from '../sources/automerge-workflow.js';
import { loadWorkflowAt } from '../sources/load-workflow.js';
import { AccessCache } from './AccessCache.js';
import { anyMember, type UserPolicy } from './allowed-users.js';
import { ExternalJournals } from './ExternalJournals.js';
import { Gatekeeper } from './Gatekeeper.js';
import { monitorApp } from './http-app.js';
import { LiveConnection } from './LiveConnection.js';
import { LiveNodes } from './LiveNodes.js';
import { hostAllowed, loopbackUrl, originAllowed } from './loopback.js';
import { MonitorError } from './monitor-error.js';
import { OfbTeamAuthority } from './OfbTeamAuthority.js';
import { RunControl } from './RunControl.js';
import { RunIndex } from './RunIndex.js';
import { RunRecorder } from './RunRecorder.js';
import type { MonitorServices } from './services.js';
import type { TeamAuthority } from './TeamAuthority.js';
import { UserDocuments } from './UserDocuments.js';
import { UserTokens } from './UserTokens.js';

/** 1 MiB: frames up to this reach the monitor's own size check (4413); larger ones ws refuses itself (1009). */
const MAX_FRAME_BYTES = 1024 * 1024;

/** The orchestrator's version, from its package.json. */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** What {@link startMonitor} needs. */
export interface MonitorServerOptions {
  /** The team server's base URL, without a trailing slash. */
  readonly server: string;
  readonly paths: DataPaths;
  /** 0: a free port. */
  readonly port: number;
  /** A loopback address (see `loopbackBindAddress`). */
  readonly address: string;
  readonly origins: ReadonlySet<string>;
  /** Who it runs workflows for (default: every member the team server vouches for). */
  readonly users?: UserPolicy;
  readonly env: NodeJS.ProcessEnv;
  readonly workspaceDir: string;
  readonly warn: (message: string) => void;
  /** Default: OFB's functions at `server`. */
  readonly authority?: TeamAuthority;
}

/** A listening monitor. */
export interface RunningMonitor {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Closes sockets and the engine (runs executing stay resumable). */
  close(): Promise<void>;
}

/** Opens the engine and starts the monitor's HTTP and WebSocket API on a loopback port. */
export async function startMonitor(options: MonitorServerOptions): Promise<RunningMonitor> {
  const { server, paths, warn, env } = options;
  const now = () => systemClock.now();
  const tokens = new UserTokens(now);
  let control: RunControl | undefined;
  const documents = new UserDocuments(server, tokens, (runId) => control?.userOf(runId));
  let engine: Engine;
  try {
    engine = await openEngine(paths, { warn, env, workspaceDir: options.workspaceDir, documents });
  } catch (error) {
    await documents.close();
    throw error;
  }
  const closers: (() => unknown)[] = [() => engine.close()];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (error) {
        warn(`stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  try {
    const authority = options.authority ?? new OfbTeamAuthority(new OfbClient(server, env));
    const index = await RunIndex.load(engine.tracker, warn);
    closers.push(engine.tracker.subscribe((event) => index.apply(event)));
    const recorder = await RunRecorder.open({
      dir: `${paths.root}/monitor`,
      tracker: engine.tracker,
      authority,
      tokens,
      clock: systemClock,
      warn,
    });
    closers.push(() => recorder.close());
    const gate = new Gatekeeper(new AccessCache(authority, now), tokens, server, options.users ?? anyMember);
    control = new RunControl({
      engine,
      index,
      recorder,
      tokens,
      gate,
      runsDir: paths.runs,
      server,
      warn,
      loader: {
        current: (workflowId, token) => loadWorkflowFromServer({ server, workflowId, token }),
        again: (source, token) => loadWorkflowAt(source, { token }),
      },
    });
    const runs = control;
    closers.push(() => runs.close());
    await control.adoptUnfinished();
    const live = new LiveNodes();
    const isolation = await detectIsolation(env);
    const services: MonitorServices = {
      server,
      paths,
      engine,
      index,
      gate,
      runs: control,
      live,
      env,
      now,
      warn,
      health: (): MonitorHealth => ({
        service: 'symphony-orchestrator',
        version: VERSION,
        server,
        isolation: isolation === IsolationLevel.sandboxed ? 'full' : 'reduced',
        running: engine.executor.running.length,
      }),
    };
    const connections = new Set<LiveConnection>();
    closers.push(
      index.subscribe((event, summary) => {
        if (summary.source.kind !== 'automerge' || summary.source.server !== server) return;
        for (const connection of connections) connection.event(summary.source.workflowId, event);
      }),
      engine.executor.onProgress((event) => {
        live.add(event);
        const source = index.summary(event.runId)?.source;
        if (source?.kind !== 'automerge' || source.server !== server) return;
        for (const connection of connections) connection.progress(source.workflowId, event);
      }),
    );
    const external = new ExternalJournals(paths.runs, engine.tracker, index, warn, (runId) =>
      engine.executor.running.includes(runId),
    );
    external.start();
    closers.push(() => external.close());
    // Records another process made between loading the index and watching the folder.
    for (const runId of await engine.tracker.runs()) {
      const status = index.summary(runId)?.status;
      if (status === undefined || status === 'running') external.changed(runId);
    }
    const policy = { port: options.port, address: options.address, origins: options.origins };
    const app = monitorApp(services, policy);
    const http = await listen(app.fetch, options.port, options.address);
    policy.port = http.port;
    closers.push(() => http.close());
    const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    http.server.on('upgrade', (request, socket, head) => {
      // Whatever an upgrade request holds, it ends this socket at worst, never the process.
      socket.on('error', () => socket.destroy());
      try {
        const refusal = upgradeRefusal(request.url, request.headers, policy);
        if (refusal !== undefined) return refuseUpgrade(socket, refusal);
        sockets.handleUpgrade(request, socket, head, (ws) => {
          connections.add(new LiveConnection(ws, services, (c) => connections.delete(c)));
        });
      } catch (error) {
        warn(`a WebSocket upgrade failed: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      }
    });
    closers.push(() => {
      for (const connection of [...connections])
        connection.close(MonitorCloseCode.goingAway, 'the orchestrator is stopping');
      sockets.close();
    });
    return { url: loopbackUrl(options.address, http.port), port: http.port, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Why a WebSocket upgrade is refused, or undefined when it may go ahead. */
function upgradeRefusal(
  url: string | undefined,
  headers: Record<string, string | string[] | undefined>,
  policy: { port: number; address: string; origins: ReadonlySet<string> },
): MonitorError | undefined {
  const host = typeof headers.host === 'string' ? headers.host : undefined;
  if (!hostAllowed(host, policy.port, policy.address)) {
    return new MonitorError(
      MonitorErrorCode.forbiddenHost,
      `this orchestrator answers 127.0.0.1:${policy.port} only`,
    );
  }
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  if (!originAllowed(origin, policy.origins)) {
    return new MonitorError(
      MonitorErrorCode.forbiddenOrigin,
      `pages of ${origin} may not open the orchestrator's live stream`,
    );
  }
  // The request target as sent (`/v1/live?x`): parsed as a URL, `//%` would throw.
  if ((url ?? '/').split('?', 1)[0] !== MONITOR_LIVE_PATH) {
    return new MonitorError(MonitorErrorCode.notFound, `the live stream is at ${MONITOR_LIVE_PATH}`);
  }
  return undefined;
}

/** Answers a refused upgrade with the refusal's status and body, then ends the socket. */
function refuseUpgrade(socket: Duplex, refusal: MonitorError): void {
  const body = JSON.stringify(refusal.body());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Serves `fetch` on `address:port`; resolves once listening. */
function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  address: string,
): Promise<{ server: ServerType & import('node:http').Server; port: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: address }, (info) => {
      const http = server as ServerType & import('node:http').Server;
      resolve({
        server: http,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            http.close(() => done());
            http.closeAllConnections();
          }),
      });
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new CommandFailedError(
              `port ${port} on ${address} is taken: is an orchestrator running there already? Stop it, or pick another port (--port 0: a free one)`,
            )
          : error,
      );
    });
  });
}
