/**
 * The editor engine in a worker thread, served over the worker's port with the engine's own
 * MessagePort transport (`serveOnPort`), documents in memory. A second port (`workerData.control`)
 * seeds documents off the clock: `{ type: 'seed', id, documentId, update }` applies a Yjs update to
 * the source's copy of the document and answers `{ type: 'seeded', id }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EditorEngine, MemoryDocumentSource, serveOnPort } from '@symphony/editor-engine';
import * as Y from 'yjs';

const source = new MemoryDocumentSource();
const engine = new EditorEngine({ source });
serveOnPort(engine, parentPort);

const control = workerData.control;
control.on('message', (message) => {
  if (message.type === 'seed') {
    Y.applyUpdate(source.document(message.documentId), message.update);
    control.postMessage({ type: 'seeded', id: message.id });
  }
});
