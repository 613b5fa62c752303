// Helpers for the editor engine's tests: an in-process client and engine, applying ops, collecting updates.
import type { DeltaOp, EngineNotificationParams } from '@symphony/schemas';
import { engineLanguages } from '../src/engine-languages.js';
import {
  EditorEngine,
  EditorEngineClient,
  type EngineChannel,
  MemoryDocumentSource,
  RpcConnection,
} from '../src/index.js';

/** A client wired to an engine in this process through a real RpcConnection (JSON text both ways). */
export function connectInProcess(engine: EditorEngine): EditorEngineClient {
  let toClient: (text: string) => void = () => {};
  const connection = new RpcConnection(engine, (text) => queueMicrotask(() => toClient(text)));
  const channel: EngineChannel = {
    send: (text) => queueMicrotask(() => connection.receive(text)),
    onMessage: (listener) => {
      toClient = listener;
    },
    close: () => connection.close(),
  };
  return new EditorEngineClient(channel);
}

/** An engine over in-memory documents, and a way to make more clients of it. */
export function memoryEngine(role?: ConstructorParameters<typeof MemoryDocumentSource>[0]) {
  const source = new MemoryDocumentSource(role);
  const engine = new EditorEngine({ source, languages: engineLanguages });
  return { source, engine, client: () => connectInProcess(engine) };
}

/** Applies protocol delta ops to a text, as a view would. */
export function applyOps(text: string, ops: readonly DeltaOp[]): string {
  let out = '';
  let pos = 0;
  for (const op of ops) {
    if ('retain' in op) {
      if (pos + op.retain > text.length)
        throw new Error(`retain past the end (${pos}+${op.retain} > ${text.length})`);
      out += text.slice(pos, pos + op.retain);
      pos += op.retain;
    } else if ('insert' in op) out += op.insert;
    else {
      if (pos + op.delete > text.length) throw new Error('delete past the end');
      pos += op.delete;
    }
  }
  return out + text.slice(pos);
}

/** Collects a client's `buffer.update` notifications. */
export function collectUpdates(client: EditorEngineClient): EngineNotificationParams<'buffer.update'>[] {
  const updates: EngineNotificationParams<'buffer.update'>[] = [];
  client.on('buffer.update', (u) => updates.push(u));
  return updates;
}

/** Waits until `check` passes (polling), or fails with its last error after `ms`. */
export async function eventually(check: () => void | Promise<void>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
