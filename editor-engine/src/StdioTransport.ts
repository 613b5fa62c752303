// Serves the editor engine over newline-delimited JSON on stdio, never buffering an oversized line whole.
import type { Readable, Writable } from 'node:stream';
import { EditorEngineLimits } from '@symphony/schemas';
import { coalescingSender } from './coalesce.js';
import type { EditorEngine } from './EditorEngine.js';
import { LineSplitter } from './framing.js';
import { RpcConnection } from './RpcConnection.js';

// Still exported from here for `internal.ts`; it lives in framing.ts, which loads nothing else.
export { LineSplitter };

/**
 * Serves one caller over newline-delimited JSON: one message per line in, one per line out (the
 * answers to a burst of lines are written together).
 * A line longer than the message limit is never buffered whole: its bytes are counted and dropped,
 * and it is answered with `PayloadTooLarge` when its newline arrives. Resolves when `input` ends.
 */
export function serveStdio(
  engine: EditorEngine,
  input: Readable,
  output: Writable,
  options: { maxMessageBytes?: number } = {},
): Promise<void> {
  const limit = options.maxMessageBytes ?? EditorEngineLimits.maxMessageBytes;
  const send = coalescingSender(
    (text) => output.write(`${text}\n`),
    (texts) => output.write(`${texts.join('\n')}\n`),
    (error) => engine.log({ level: 'warn', message: 'could not send a message', error: String(error) }),
  );
  const connection = new RpcConnection(engine, send, { maxMessageBytes: limit });
  const lines = new LineSplitter(limit, (line) =>
    typeof line === 'number' ? connection.refuseOversized(line) : connection.receive(line),
  );
  return new Promise((resolve) => {
    input.on('data', (chunk: Buffer) => lines.push(chunk));
    let ended = false;
    // The input ended (a script piped its requests in and closed): every request read so far is
    // still answered, and the answers written out, before the connection closes.
    const end = () => {
      if (ended) return;
      ended = true;
      lines.end();
      void connection.whenIdle().then(() => {
        send.flush();
        const done = () => {
          connection.close();
          resolve();
        };
        if (output.writableEnded || output.destroyed) done();
        else output.write('', done);
      });
    };
    input.on('end', end);
    input.on('close', end);
    input.on('error', end);
  });
}
