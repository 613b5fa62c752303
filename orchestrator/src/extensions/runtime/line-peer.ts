// JSON-RPC 2.0 over one message per line, for both ends of an extension's stdio: the engine's framing
// (LineSplitter, coalescingSender) carrying json-rpc-peer's protocol.
import { type CoalescingSender, coalescingSender, LineSplitter } from '@symphony/editor-engine/framing';
import { type ParsedMessage, Peer } from 'json-rpc-peer';

/** What one end does with what arrives. */
export interface LinePeerHandlers {
  /** A request (its return value, or a rejection, is the answer) or a notification. */
  onMessage(message: ParsedMessage): unknown;
  /** A line longer than the limit arrived; only its length was read. */
  onOversized(bytes: number): void;
  /** A line that is not a JSON-RPC message, or an answer to nothing asked. */
  onMalformed(error: unknown): void;
}

/**
 * One end of a JSON-RPC connection over a byte stream split into lines. Incoming lines longer than
 * `limit` are never buffered whole (see `LineSplitter`); outgoing messages sent in one turn are
 * written together.
 */
export class LinePeer {
  readonly #peer: Peer;
  readonly #send: CoalescingSender;
  readonly #lines: LineSplitter;
  readonly #handlers: LinePeerHandlers;
  #closed = false;

  constructor(limit: number, write: (text: string) => void, handlers: LinePeerHandlers) {
    this.#handlers = handlers;
    this.#send = coalescingSender(
      (text) => write(`${text}\n`),
      (texts) => write(`${texts.join('\n')}\n`),
      (error) => handlers.onMalformed(error),
    );
    this.#peer = new Peer((message) => handlers.onMessage(message));
    this.#peer.on('data', (text: string) => this.#send(text));
    this.#lines = new LineSplitter(limit, (line) => {
      if (this.#closed) return;
      if (typeof line === 'number') handlers.onOversized(line);
      else this.#receive(line);
    });
  }

  /** Feeds bytes read from the far end. */
  push(chunk: Buffer): void {
    if (!this.#closed) this.#lines.push(chunk);
  }

  request(method: string, params?: unknown): Promise<unknown> {
    return this.#peer.request(method, params);
  }

  notify(method: string, params?: unknown): void {
    if (!this.#closed) void this.#peer.notify(method, params);
  }

  /** Sends at once whatever is held for the end of the turn (before the process exits). */
  flush(): void {
    this.#send.flush();
  }

  /** Stops reading and fails the requests still waiting for an answer with `reason`. */
  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#peer.failPendingRequests(reason);
  }

  #receive(line: Uint8Array): void {
    let text: string;
    try {
      text = Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('utf8');
    } catch (error) {
      this.#handlers.onMalformed(error);
      return;
    }
    this.#peer.exec(text).then(
      (answer) => {
        if (this.#closed || answer === undefined) return;
        if (Array.isArray(answer)) for (const one of answer) this.#send(one);
        else this.#send(answer);
      },
      (error: unknown) => this.#handlers.onMalformed(error),
    );
  }
}
