#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { DocumentSource } from './DocumentSource.js';
import { EditorEngine } from './EditorEngine.js';
import { engineLanguages } from './engine-languages.js';
import { MemoryDocumentSource } from './MemoryDocumentSource.js';
import { serveStdio } from './StdioTransport.js';
import { listenWebSocket } from './WebSocketTransport.js';
import { WebsocketDocumentSource } from './WebsocketDocumentSource.js';

const usage = `symphony-editor-engine [--sync-url ws://HOST:PORT/yjs | --memory] [--listen PORT [--host HOST]]

  stdio (default)   one caller, newline-delimited JSON-RPC 2.0 on stdin/stdout
  --listen PORT     WebSocket server instead (one caller per connection)
  --sync-url URL    the sync-server's y-websocket base (default $SYMPHONY_SYNC_URL or ws://127.0.0.1:4321/yjs)
  --memory          documents live in this process only (tests, benchmarks)`;

const { values } = parseArgs({
  options: {
    listen: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'sync-url': { type: 'string' },
    memory: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stderr.write(`${usage}\n`);
  process.exit(0);
}

// stdout carries the protocol: anything a library logs goes to stderr instead.
console.log = console.error;
console.info = console.error;
console.debug = console.error;
console.warn = console.error;

const source: DocumentSource = values.memory
  ? new MemoryDocumentSource()
  : new WebsocketDocumentSource({
      url: values['sync-url'] ?? process.env.SYMPHONY_SYNC_URL ?? 'ws://127.0.0.1:4321/yjs',
    });
const engine = new EditorEngine({
  source,
  languages: engineLanguages,
  log: (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`),
});

if (values.listen !== undefined) {
  const server = await listenWebSocket(engine, { port: Number(values.listen), host: values.host });
  process.stderr.write(`symphony-editor-engine listening at ${server.url}\n`);
  const stop = () => {
    void server.close().then(() => {
      engine.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  await serveStdio(engine, process.stdin, process.stdout);
  engine.close();
  process.exit(0);
}
