// The editor engine's worker_threads entry: serves it on parentPort, over the parent's Y.Docs, the
// sync-server's, or its own.
import { parentPort, workerData } from 'node:worker_threads';
import type { DocumentSource } from './DocumentSource.js';
import { EditorEngine, type EngineLogEntry } from './EditorEngine.js';
import { engineLanguages } from './engine-languages.js';
import { MemoryDocumentSource } from './MemoryDocumentSource.js';
import { PortDocumentSource } from './PortDocumentSource.js';
import { type NodePortLike, serveOnPort } from './PortTransport.js';
import { WebsocketDocumentSource } from './WebsocketDocumentSource.js';

/** What the worker may be given as `workerData`. */
interface EngineWorkerData {
  /** A transferred MessagePort paired with `shareDocuments`: buffers edit the parent's Y.Docs. */
  documents?: NodePortLike;
  /** The sync-server's y-websocket base (`ws://HOST:PORT/yjs`): buffers join it, as the bin's `--sync-url`. */
  syncUrl?: string;
}

/**
 * A `worker_threads` entry that serves the engine on `parentPort` (Node's counterpart of the
 * browser's Web Worker; `engineWorkerPath` in `./node`). With `workerData.documents` (a transferred
 * MessagePort paired with `shareDocuments`) buffers edit the parent's Y.Docs; with
 * `workerData.syncUrl` they join the sync-server like the bin's (its log lines then go to the
 * worker's stderr, as the bin's do); without either, documents live in the worker (benchmarks).
 */
const data = (workerData ?? {}) as EngineWorkerData;
const logToStderr = (entry: EngineLogEntry) => process.stderr.write(`${JSON.stringify(entry)}\n`);
const source: DocumentSource = data.documents
  ? new PortDocumentSource(data.documents)
  : typeof data.syncUrl === 'string'
    ? new WebsocketDocumentSource({ url: data.syncUrl })
    : new MemoryDocumentSource();
if (parentPort) {
  serveOnPort(
    new EditorEngine({
      source,
      languages: engineLanguages,
      ...(typeof data.syncUrl === 'string' ? { log: logToStderr } : {}),
    }),
    parentPort,
  );
}
