// Serves the editor engine over newline-delimited JSON on stdio, never buffering an oversized line whole.
import type { Readable, Writable } from 'node:stream';
import { EditorEngineLimits } from '@symphony/schemas';
import { coalescingSender } from './coalesce.js';
import type { EditorEngine } from './EditorEngine.js';
import { RpcConnection } from './RpcConnection.js';

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

/**
 * Splits a byte stream at `\n`. Lines up to `limit` bytes are handed over as bytes; a longer one is
 * dropped as it streams in and only its length is handed over, so the connection can answer
 * `PayloadTooLarge` without ever holding it.
 */
export class LineSplitter {
  #parts: Buffer[] = [];
  #size = 0;
  #overflow = false;
  readonly #limit: number;
  readonly #emit: (line: Uint8Array | number) => void;

  constructor(limit: number, emit: (line: Uint8Array | number) => void) {
    this.#limit = limit;
    this.#emit = emit;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.#take(chunk.subarray(start, nl));
      this.#flush();
      start = nl + 1;
    }
    if (start < chunk.length) this.#take(chunk.subarray(start));
  }

  end(): void {
    if (this.#size > 0 || this.#overflow) this.#flush();
  }

  #take(part: Buffer): void {
    this.#size += part.length;
    if (this.#overflow) return;
    if (this.#size > this.#limit) {
      this.#overflow = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(part);
  }

  #flush(): void {
    const size = this.#size;
    const overflow = this.#overflow;
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    this.#overflow = false;
    if (overflow) {
      this.#emit(size);
      return;
    }
    const line = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    // Blank lines (and a lone "\r" before "\n") are not messages.
    if (line.length === 0 || (line.length === 1 && line[0] === 13)) return;
    this.#emit(line);
  }
}
