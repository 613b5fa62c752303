// The editor engine's worker_threads entry: serves it on parentPort, over the parent's Y.Docs or its own.
import { parentPort, workerData } from 'node:worker_threads';
import type { DocumentSource } from './DocumentSource.js';
import { EditorEngine } from './EditorEngine.js';
import { engineLanguages } from './engine-languages.js';
import { MemoryDocumentSource } from './MemoryDocumentSource.js';
import { PortDocumentSource } from './PortDocumentSource.js';
import { type NodePortLike, serveOnPort } from './PortTransport.js';

/**
 * A `worker_threads` entry that serves the engine on `parentPort` (Node's counterpart of the
 * browser's Web Worker; `engineWorkerPath` in `./node`). With `workerData.documents` (a transferred
 * MessagePort paired with `shareDocuments`) buffers edit the parent's Y.Docs; without, documents
 * live in the worker (benchmarks).
 */
const documents = (workerData as { documents?: NodePortLike } | null)?.documents;
const source: DocumentSource = documents ? new PortDocumentSource(documents) : new MemoryDocumentSource();
if (parentPort) serveOnPort(new EditorEngine({ source, languages: engineLanguages }), parentPort);
