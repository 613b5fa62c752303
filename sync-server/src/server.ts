import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { StorageAdapterInterface } from '@automerge/automerge-repo';
import {
  CloseCode,
  DocumentId,
  ErrorCategory,
  errorBody,
  type Health,
  SyncServerConfig,
  type SyncServerOptions,
} from '@symphony/schemas';
import { WebSocketServer } from 'ws';
import { AccessCache } from './access/AccessCache.js';
import {
  type Access,
  type AccessControl,
  type Denial,
  DenialReason,
  ResourceKind,
} from './access/AccessControl.js';
import { OpenAccess } from './access/OpenAccess.js';
import { DEFAULT_MAX_STALE_MS, Revalidator } from './access/Revalidator.js';
import { startAutomergeEndpoint } from './automerge-endpoint.js';
import { type ConnectionContext, serveConnection } from './connection.js';
import { type EdgePolicy, isAllowedHost, isAllowedOrigin, SECURITY_HEADERS } from './http-edge.js';
import { consoleLogger, type Logger, repeatLimited } from './logger.js';
import type { DocumentPersistence } from './persistence/DocumentPersistence.js';
import { FsAutomergeStorage } from './persistence/FsAutomergeStorage.js';
import { FsDocumentPersistence } from './persistence/FsDocumentPersistence.js';
import { decodePathSegment, parseRequestTarget } from './request-target.js';
import { type CompactionPolicy, type Peer, SharedDocument } from './shared-document.js';
import { staticFiles } from './static-files.js';

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

/** Limits around authorization; the defaults suit a team server. */
export interface AuthorizationOptions {
  /**
   * 32 frames and 256 KiB: a stock client sends 2–3 frames (sync step 1, awareness, perhaps its
   * pending edits) before it is told anything; anything more is queued work from a stranger
   * (GHSA-xwhh-v746-pj9m). Past either limit, or `timeoutMs`, the connection is closed with 4408.
   */
  readonly maxFrames: number;
  readonly maxBytes: number;
  /** 10 s: the authority answers in milliseconds or is treated as down (4503) well before this. */
  readonly timeoutMs: number;
  /** 2 s: how often every open connection is re-checked, so a removed member is gone within it. */
  readonly authRecheckMs: number;
  /** 2 s: how long one answer for a (token, resource) is reused by new connections. */
  readonly cacheMs: number;
  /**
   * 30 s: a connection whose access could not be re-confirmed for this long (OFB unreachable) is
   * closed with 4503, so a removed member does not keep access for as long as OFB is down.
   */
  readonly maxStaleMs: number;
}

const defaultAuthorization: AuthorizationOptions = {
  maxFrames: 32,
  maxBytes: 256 * 1024,
  timeoutMs: 10_000,
  authRecheckMs: 2000,
  cacheMs: 2000,
  maxStaleMs: DEFAULT_MAX_STALE_MS,
};

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

const YJS_PATH = /^\/yjs\/([^/?#]*)$/;
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
  const documents = new Map<DocumentId, SharedDocument>();
  const authorization = { ...defaultAuthorization, ...dependencies.authorization };
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
  const serveStatic = config.staticDir ? staticFiles(config.staticDir) : undefined;
  const startedAt = Date.now();
  let connections = 0;
  let closing = false;

  const context: ConnectionContext = {
    log,
    limits: {
      maxUpdateCost: config.maxUpdateCost,
      maxPendingMessages: 1000,
      maxPendingBytes: 4 * config.maxMessageBytes,
      maxAwarenessClients: 8,
      maxBufferedBytes: 64 * 1024 * 1024,
      maxUnauthorizedMessages: authorization.maxFrames,
      maxUnauthorizedBytes: authorization.maxBytes,
      authorizationTimeoutMs: authorization.timeoutMs,
    },
    // A workflow is an Automerge document: Yjs updates stored under its id would be a second,
    // unvalidated copy, so `/yjs` treats it as no document at all.
    authorize: (token, documentId) =>
      access.authorize(token, documentId).then((answer): Access | Denial =>
        answer.ok && answer.kind === ResourceKind.workflow
          ? {
              ok: false,
              reason: DenialReason.unknown,
              message: `${documentId} is a workflow: open it at /automerge`,
            }
          : answer,
      ),
    watch: (watched) => revalidator.watch(watched),
    open(documentId) {
      const existing = documents.get(documentId);
      let document = existing;
      if (!document || document.broken) {
        // A broken instance may still be storing its last good batch: load after it.
        document = new SharedDocument(documentId, persistence, log, documentOptions, existing?.flush());
        documents.set(documentId, document);
      }
      document.hold();
      return document;
    },
    leave(document: SharedDocument, peer: Peer) {
      document.peers.delete(peer);
      const claimed = document.awarenessOf.get(peer);
      document.awarenessOf.delete(peer);
      if (claimed && claimed.size > 0) document.removeAwareness([...claimed]);
      if (document.broken && documents.get(document.id) === document) documents.delete(document.id);
      if (document.release() > 0) return;
      void document.flush().then(() => {
        if (document.held > 0) return;
        if (documents.get(document.id) === document) documents.delete(document.id);
        document.destroy();
      });
    },
  };

  const edge: EdgePolicy = {
    // A server bound to one name (not a wildcard) is reached by that name too.
    allowedHosts: WILDCARD_HOSTS.has(config.host)
      ? config.allowedHosts
      : [...config.allowedHosts, config.host],
    allowedOrigins: config.allowedOrigins,
  };

  // Anyone who reaches the port can send refused requests: each kind is logged a few times a minute.
  const edgeLog = repeatLimited(log);

  const http = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      log.error('HTTP request failed', { method: req.method, error: String(error) });
      if (!res.headersSent)
        sendJson(res, 500, errorBody(ErrorCategory.internal, 'internal', 'the server failed'));
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      if (dependencies.handleHttp?.(req, res, path)) return;
    } catch (error) {
      log.error('extra HTTP route failed', { path, error: String(error) });
      if (!res.headersSent)
        sendJson(res, 500, errorBody(ErrorCategory.internal, 'internal', 'the server failed'));
      return;
    }
    if (path === '/healthz') {
      const health: Health = {
        status: 'ok',
        documents: documents.size,
        connections: connections + automerge.connections,
        automergeDocuments: automerge.documents,
        uptimeSeconds: (Date.now() - startedAt) / 1000,
      };
      sendJson(res, 200, health);
      return;
    }
    if (serveStatic) {
      const served = await serveStatic(req, res, path).catch((error: unknown) => {
        log.warn('static file failed', { path, error: String(error) });
        return res.headersSent;
      });
      if (served === 'bad_path') {
        sendJson(
          res,
          400,
          errorBody(ErrorCategory.validation, 'bad_request_target', 'the path is not valid'),
        );
        return;
      }
      if (served) return;
    }
    sendJson(res, 404, errorBody(ErrorCategory.notFound, 'not_found', `Nothing at ${path}`));
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's own socket error handler is gone once 'upgrade' fires, and ws adds one only inside
    // handleUpgrade: a client resetting the connection while it is refused (or waits for the
    // automerge endpoint) would emit an 'error' nobody handles, and that ends the process.
    socket.on('error', (error: Error) => {
      edgeLog.info('websocket upgrade socket failed', { error: error.message });
      socket.destroy();
    });
    try {
      routeUpgrade(req, socket, head);
    } catch (error) {
      log.error('websocket upgrade failed', { error: String(error) });
      refuseUpgrade(socket, 500, 'Internal Server Error');
    }
  });

  /** Why an upgrade is refused before any websocket exists, as a status line; `undefined` if not. */
  function upgradeRefusal(req: IncomingMessage, path: string | undefined): [number, string] | undefined {
    if (path === undefined) return [400, 'Bad Request'];
    if (!isAllowedHost(req.headers.host, edge)) return [421, 'Misdirected Request'];
    if (!isAllowedOrigin(req.headers.origin, req.headers.host, edge)) {
      edgeLog.warn('refused a websocket from a foreign origin', {
        origin: req.headers.origin?.slice(0, 200),
      });
      return [403, 'Forbidden'];
    }
    if (closing) return [503, 'Service Unavailable'];
    if (path !== AUTOMERGE_PATH && !YJS_PATH.test(path)) return [404, 'Not Found'];
    return undefined;
  }

  function routeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = parseRequestTarget(req.url);
    const refusal = upgradeRefusal(req, target.ok ? target.pathname : undefined);
    if (refusal || !target.ok) {
      refuseUpgrade(socket, ...(refusal ?? [400, 'Bad Request']));
      return;
    }
    if (target.pathname === AUTOMERGE_PATH) {
      automerge.handleUpgrade(req, socket, head);
      return;
    }
    const match = YJS_PATH.exec(target.pathname)!;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      connections++;
      ws.on('close', () => connections--);
      const parsed = DocumentId.safeParse(decodePathSegment(match[1]!));
      if (!parsed.success) {
        log.warn(`closing connection: ${CloseCode.InvalidDocumentId.reason}`, {
          remote,
          code: CloseCode.InvalidDocumentId.code,
          detail: parsed.error.issues[0]?.message,
        });
        ws.close(CloseCode.InvalidDocumentId.code, CloseCode.InvalidDocumentId.reason);
        return;
      }
      serveConnection(ws, parsed.data, context, remote, target.searchParams.get('token') ?? '', req.socket);
    });
  }

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
      return documents.size;
    },
    get openAutomergeDocuments() {
      return automerge.documents;
    },
    async close() {
      closing = true;
      revalidator.close();
      for (const ws of wss.clients) ws.close(CloseCode.ServerShutdown.code, CloseCode.ServerShutdown.reason);
      const automergeClosed = automerge.close();
      await Promise.all([...documents.values()].map((d) => d.flush()));
      // A peer that does not answer the close frame is not waited for (ws would wait 30 s).
      const stragglers = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, 1000);
      for (const d of documents.values()) d.destroy();
      documents.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(stragglers);
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
