// The Web Worker that runs the editor engine for the page: JSON-RPC on one port, replicas of the
// page's Y.Docs on the other.
import { EditorEngine, engineLanguages, PortDocumentSource, serveOnPort } from '@symphony/editor-engine';

/**
 * The editor engine in a Web Worker. The page sends one message with two ports: `rpc` carries the
 * JSON-RPC text (one caller: the page), `documents` the Yjs bridge through which `buffer.open`
 * gets a replica of the page's own `Y.Doc` (see `shareDocuments` in the engine).
 */
export interface EngineWorkerInit {
  readonly rpc: MessagePort;
  readonly documents: MessagePort;
}

self.addEventListener(
  'message',
  (event: MessageEvent) => {
    const { rpc, documents } = event.data as EngineWorkerInit;
    const engine = new EditorEngine({
      source: new PortDocumentSource(documents),
      languages: engineLanguages,
      log: (entry) => {
        if (entry.level !== 'info') console.warn('Symphony editor engine:', entry.message, entry);
      },
    });
    serveOnPort(engine, rpc);
  },
  { once: true },
);
