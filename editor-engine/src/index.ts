/**
 * The editor engine: text operations as a JSON-RPC 2.0 service whose buffers are Yjs peers.
 * This entry point runs anywhere (Node, a Web Worker); Node-only adapters are in `./node`.
 */

export { portChannel } from './channels.js';
export type { BindingStatus, DocumentBinding, DocumentSource, OpenOptions } from './DocumentSource.js';
export type { EditorEngineOptions, EngineLogEntry, NotifySink } from './EditorEngine.js';
export { EditorEngine, EngineSession } from './EditorEngine.js';
export type { EngineChannel } from './EditorEngineClient.js';
export { EditorEngineClient, EngineRequestError } from './EditorEngineClient.js';
export type { Effect } from './effects.js';
export { effectMarkers, hasEffect } from './effects.js';
export { engineLanguages } from './engine-languages.js';
export type { EngineErrorName } from './errors.js';
export { EngineError } from './errors.js';
export { MemoryDocumentSource } from './MemoryDocumentSource.js';
export type { DocumentPortMessage, SharedDocument } from './PortDocumentSource.js';
export { DOCUMENT_PORT_ORIGIN, PortDocumentSource, shareDocuments } from './PortDocumentSource.js';
export type { DomPortLike, NodePortLike, PortLike } from './PortTransport.js';
export { serveOnPort } from './PortTransport.js';
export type { RpcConnectionOptions } from './RpcConnection.js';
export { RpcConnection } from './RpcConnection.js';
export type { Caller } from './TextBuffer.js';
export { TEXT_NAME } from './TextBuffer.js';
