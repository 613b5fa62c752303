// The sync-server's HTTP server: the request edge (targets, hosts, origins, security headers),
// /healthz, static files, and the websocket upgrades it hands to the /yjs and /automerge endpoints.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { StorageAdapterInterface } from '@automerge/automerge-repo';
import {
  ErrorCategory,
  errorBody,
  type Health,
  SyncServerConfig,
  type SyncServerOptions,
} from '@symphony/schemas';
import { AccessCache } from './access/AccessCache.js';
import type { AccessControl } from './access/AccessControl.js';
import { OpenAccess } from './access/OpenAccess.js';
import { type AuthorizationOptions, DEFAULT_AUTHORIZATION } from './access/pre-authorization.js';
import { Revalidator } from './access/Revalidator.js';
import { type AutomergeEndpoint, startAutomergeEndpoint } from './automerge/automerge-endpoint.js';
import { type EdgePolicy, isAllowedHost, isAllowedOrigin, SECURITY_HEADERS } from './http-edge.js';
import { consoleLogger, type Logger, repeatLimited } from './logger.js';
import type { DocumentPersistence } from './persistence/DocumentPersistence.js';
import { FsAutomergeStorage } from './persistence/FsAutomergeStorage.js';
import { FsDocumentPersistence } from './persistence/FsDocumentPersistence.js';
import { parseRequestTarget } from './request-target.js';
import { staticFiles } from './static-files.js';
import type { CompactionPolicy } from './yjs/shared-document.js';
import { YjsEndpoint } from './yjs/yjs-endpoint.js';

/** What {@link startSyncServer} takes beyond the serializable {@link SyncServerConfig}. */
export interface SyncServerDependencies {
  /** Where documents are stored; defaults to files under `dataDir`. */
  persistence?: DocumentPersistence;
  logger?: Logger;
  /** When to compact a document's stored updates; defaults to 500 updates or 4 MiB. */
  compaction?: CompactionPolicy;
  /** Where `/automerge` documents are stored; defaults to files under `dataDir/automerge`. */
  automergeStorage?: StorageAdapterInterface;
  /** automerge-repo's save batching interval for `/automerge` documents; defaults to 20 ms. */
  automergeSaveDebounceMs?: number;
  /**
   * Who may open which document with which role. Defaults to {@link OpenAccess} (everyone is an
   * editor), which only protocol tests and benchmarks should use; the bin always passes OFB's.
   */
  access?: AccessControl;
  /** How connections are held while and after they are authorized. */
  authorization?: Partial<AuthorizationOptions>;
  /**
   * More HTTP routes on the same server, tried before `/healthz` and static files with the request's
   * path (its target already checked to be a well-formed path, and its `Host` allowed): returns true
   * when it has taken the request (the bin mounts OFB's functions at `/functions/v1/` this way).
   */
  handleHttp?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}

/** A running sync-server. */
export interface SyncServer {
  /** The port it listens on (the real one when started with port 0). */
  readonly port: number;
  /**
   * `http://host:port`: the app, `/healthz`; `ws://host:port/yjs/<id>` for Yjs documents and
   * `ws://host:port/automerge` for automerge-repo clients.
   */
  readonly url: string;
  /** Yjs documents currently held in memory. */
  readonly openDocuments: number;
  /** Automerge documents currently held in memory. */
  readonly openAutomergeDocuments: number;
  /** Stops accepting, closes every connection (1001), stores everything pending, then resolves. */
  close(): Promise<void>;
}

const AUTOMERGE_PATH = '/automerge';

/**
 * Starts the team server's real-time layer: the y-websocket protocol at `/yjs/<documentId>`,
 * automerge-repo's websocket protocol at `/automerge`, `/healthz`, and (with `staticDir`) the
 * built client at `/`.
 */
export async function startSyncServer(
  options: SyncServerOptions = {},
  dependencies: SyncServerDependencies = {},
): Promise<SyncServer> {
  const config = SyncServerConfig.parse(options);
  const log = dependencies.logger ?? consoleLogger;
  const persistence = dependencies.persistence ?? new FsDocumentPersistence(config.dataDir, log);
  const documentOptions = {
    compaction: dependencies.compaction ?? { updates: 500, bytes: 4 * 1024 * 1024 },
    maxPendingBytes: 4 * config.maxMessageBytes,
    maxDocumentBytes: config.maxDocumentBytes,
  };
  const authorization: AuthorizationOptions = { ...DEFAULT_AUTHORIZATION, ...dependencies.authorization };
  const access = new AccessCache(dependencies.access ?? new OpenAccess(), authorization.cacheMs);
  const revalidator = new Revalidator(access, authorization.authRecheckMs, log, authorization.maxStaleMs);
  const automerge = startAutomergeEndpoint({
    access,
    revalidator,
    authorization,
    storage: dependencies.automergeStorage ?? new FsAutomergeStorage(join(config.dataDir, 'automerge')),
    log,
    maxMessageBytes: config.maxMessageBytes,
    ...(dependencies.automergeSaveDebounceMs === undefined
      ? {}
      : { saveDebounceMs: dependencies.automergeSaveDebounceMs }),
  });
  const yjs = new YjsEndpoint({
    persistence,
    log,
    documentOptions,
    limits: {
      maxUpdateCost: config.maxUpdateCost,
      maxPendingMessages: 1000,
      maxPendingBytes: 4 * config.maxMessageBytes,
      maxAwarenessClients: 8,
      maxBufferedBytes: 64 * 1024 * 1024,
      authorization,
    },
    access,
    revalidator,
    maxMessageBytes: config.maxMessageBytes,
  });
  const startedAt = Date.now();
  let closing = false;
  const routes: Routes = {
    log,
    // Anyone who reaches the port can send refused requests: each kind is logged a few times a minute.
    edgeLog: repeatLimited(log),
    edge: {
      // A server bound to one name (not a wildcard) is reached by that name too.
      allowedHosts: WILDCARD_HOSTS.has(config.host)
        ? config.allowedHosts
        : [...config.allowedHosts, config.host],
      allowedOrigins: config.allowedOrigins,
    },
    extra: dependencies.handleHttp,
    serveStatic: config.staticDir ? staticFiles(config.staticDir) : undefined,
    health: () => ({
      status: 'ok',
      documents: yjs.documents,
      connections: yjs.connections + automerge.connections,
      automergeDocuments: automerge.documents,
      uptimeSeconds: (Date.now() - startedAt) / 1000,
    }),
    closing: () => closing,
    yjs,
    automerge,
  };

  const http = createServer((req, res) => {
    answerHttp(routes, req, res).catch((error: unknown) => {
      log.error('HTTP request failed', { method: req.method, error: String(error) });
      if (!res.headersSent)
        sendJson(res, 500, errorBody(ErrorCategory.internal, 'internal', 'the server failed'));
      else res.destroy();
    });
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's own socket error handler is gone once 'upgrade' fires, and ws adds one only inside
    // handleUpgrade: a client resetting the connection while it is refused (or waits for the
    // automerge endpoint) would emit an 'error' nobody handles, and that ends the process.
    socket.on('error', (error: Error) => {
      routes.edgeLog.info('websocket upgrade socket failed', { error: error.message });
      socket.destroy();
    });
    try {
      routeUpgrade(routes, req, socket, head);
    } catch (error) {
      log.error('websocket upgrade failed', { error: String(error) });
      refuseUpgrade(socket, 500, 'Internal Server Error');
    }
  });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    revalidator.close();
    await automerge.close();
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    port,
    url: `http://${host}:${port}`,
    get openDocuments() {
      return yjs.documents;
    },
    get openAutomergeDocuments() {
      return automerge.documents;
    },
    async close() {
      closing = true;
      revalidator.close();
      const yjsClosed = yjs.close();
      const automergeClosed = automerge.close();
      await yjsClosed;
      await automergeClosed;
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await persistence.close();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** What the HTTP server's routes need from the server around them. */
interface Routes {
  readonly log: Logger;
  /** The log for refusals anyone can provoke, repeat-limited. */
  readonly edgeLog: Logger;
  readonly edge: EdgePolicy;
  /** The embedder's routes (`SyncServerDependencies.handleHttp`). */
  readonly extra: SyncServerDependencies['handleHttp'];
  readonly serveStatic: ReturnType<typeof staticFiles> | undefined;
  health(): Health;
  /** Whether the server is stopping (upgrades are then refused with 503). */
  closing(): boolean;
  readonly yjs: YjsEndpoint;
  readonly automerge: AutomergeEndpoint;
}

/** Answers one HTTP request: the embedder's routes, `/healthz`, static files, else 404. */
async function answerHttp(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { log, edge } = routes;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const target = parseRequestTarget(req.url);
  if (!target.ok) {
    sendJson(res, 400, errorBody(ErrorCategory.validation, 'bad_request_target', target.reason));
    return;
  }
  const path = target.pathname;
  // A load balancer's probe may name the node by any address; it learns only counts.
  if (path !== '/healthz' && !isAllowedHost(req.headers.host, edge)) {
    sendJson(res, 421, errorBody(ErrorCategory.validation, 'unknown_host', hostRefusal(req.headers.host)));
    return;
  }
  try {
    if (routes.extra?.(req, res, path)) return;
  } catch (error) {
    log.error('extra HTTP route failed', { path, error: String(error) });
    if (!res.headersSent)
      sendJson(res, 500, errorBody(ErrorCategory.internal, 'internal', 'the server failed'));
    return;
  }
  if (path === '/healthz') {
    sendJson(res, 200, routes.health());
    return;
  }
  if (routes.serveStatic) {
    const served = await routes.serveStatic(req, res, path).catch((error: unknown) => {
      log.warn('static file failed', { path, error: String(error) });
      return res.headersSent;
    });
    if (served === 'bad_path') {
      sendJson(res, 400, errorBody(ErrorCategory.validation, 'bad_request_target', 'the path is not valid'));
      return;
    }
    if (served) return;
  }
  sendJson(res, 404, errorBody(ErrorCategory.notFound, 'not_found', `Nothing at ${path}`));
}

/** Why an upgrade is refused before any websocket exists, as a status line; `undefined` if not. */
function upgradeRefusal(
  routes: Routes,
  req: IncomingMessage,
  path: string | undefined,
): [number, string] | undefined {
  if (path === undefined) return [400, 'Bad Request'];
  if (!isAllowedHost(req.headers.host, routes.edge)) return [421, 'Misdirected Request'];
  if (!isAllowedOrigin(req.headers.origin, req.headers.host, routes.edge)) {
    routes.edgeLog.warn('refused a websocket from a foreign origin', {
      origin: req.headers.origin?.slice(0, 200),
    });
    return [403, 'Forbidden'];
  }
  if (routes.closing()) return [503, 'Service Unavailable'];
  if (path !== AUTOMERGE_PATH && !YjsEndpoint.serves(path)) return [404, 'Not Found'];
  return undefined;
}

/** Hands an upgrade to its endpoint, or refuses it with a status line. */
function routeUpgrade(routes: Routes, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const target = parseRequestTarget(req.url);
  const refusal = upgradeRefusal(routes, req, target.ok ? target.pathname : undefined);
  if (refusal || !target.ok) {
    refuseUpgrade(socket, ...(refusal ?? [400, 'Bad Request']));
    return;
  }
  if (target.pathname === AUTOMERGE_PATH) {
    routes.automerge.handleUpgrade(req, socket, head);
    return;
  }
  routes.yjs.handleUpgrade(req, socket, head, target.pathname, target.searchParams.get('token') ?? '');
}

/** Bind addresses that are every interface, not a name a client would use. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** Answers an upgrade that will not become a websocket and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable)
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

function hostRefusal(host: string | undefined): string {
  return host === undefined
    ? 'the request has no Host header'
    : `this server does not answer for the host "${host.slice(0, 100)}"; add it with --allowed-hosts`;
}
