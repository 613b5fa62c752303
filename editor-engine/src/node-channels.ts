// Node's ways to reach the editor engine: client channels over stdio and WebSocket, the worker and bin
// paths, and spawning the engine as a process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { coalescingSender } from './coalesce.js';
import { EditorEngineClient, type EngineChannel } from './EditorEngineClient.js';

/**
 * A client channel over a child process's stdin/stdout, one JSON message per line (the requests of a
 * burst written together).
 */
export function stdioChannel(child: ChildProcess): EngineChannel {
  const stdin = child.stdin;
  const stdout = child.stdout;
  if (!stdin || !stdout)
    throw new TypeError('stdioChannel: spawn the engine with stdio "pipe" for stdin and stdout');
  return {
    // A closed stdin reports through its 'error' event; the pending requests fail on close.
    send: coalescingSender(
      (text) => stdin.write(`${text}\n`),
      (texts) => stdin.write(`${texts.join('\n')}\n`),
      () => {},
    ),
    onMessage: (listener) => {
      // Only the new chunk is searched for line ends: a large answer arrives in many chunks, and
      // re-splitting everything buffered so far on each one made reading it quadratic.
      let parts: string[] = [];
      stdout.setEncoding('utf8');
      stdout.on('data', (chunk: string) => {
        let start = 0;
        for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
          parts.push(chunk.slice(start, end));
          const line = parts.join('');
          parts = [];
          if (line.length > 0) listener(line);
          start = end + 1;
        }
        if (start < chunk.length) parts.push(chunk.slice(start));
      });
    },
    close: () => {
      stdin.end();
    },
  };
}

/** A client channel over a WebSocket, one JSON message per text frame; resolves once connected. */
export function webSocketChannel(url: string): Promise<EngineChannel> {
  const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => {
      socket.off('error', reject);
      resolve({
        send: (text) => socket.send(text),
        onMessage: (listener) => socket.on('message', (data) => listener(String(data))),
        close: () => socket.close(),
      });
    });
  });
}

/**
 * Path of the built worker entry: `new Worker(engineWorkerPath, { workerData: { documents } })` over
 * the parent's Y.Docs, or `{ workerData: { syncUrl: 'ws://HOST:PORT/yjs' } }` over the sync-server's.
 */
export const engineWorkerPath: string = fileURLToPath(new URL('./worker.js', import.meta.url));

/** Path of the built `symphony-editor-engine` bin. */
export const engineBinPath: string = fileURLToPath(new URL('./bin.js', import.meta.url));

/**
 * Starts the engine as its own process (the built bin, over stdio) and returns a client of it and
 * the child. `args` go to the bin (e.g. `['--sync-url', 'ws://127.0.0.1:4321/yjs']`).
 */
export function spawnEngine(args: readonly string[] = []): {
  client: EditorEngineClient;
  child: ChildProcess;
} {
  const child = spawn(process.execPath, [engineBinPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return { client: new EditorEngineClient(stdioChannel(child)), child };
}
