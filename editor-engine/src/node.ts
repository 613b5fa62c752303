/** Node-only adapters of the editor engine: the sync-server source, stdio and WebSocket transports. */
export {
  engineBinPath,
  engineWorkerPath,
  spawnEngine,
  stdioChannel,
  webSocketChannel,
} from './node-channels.js';
export { serveStdio } from './StdioTransport.js';
export type { EngineWebSocketServer } from './WebSocketTransport.js';
export { listenWebSocket } from './WebSocketTransport.js';
export type { WebsocketDocumentSourceOptions } from './WebsocketDocumentSource.js';
export { closeError, WebsocketDocumentSource } from './WebsocketDocumentSource.js';
