// The engine's newline framing, for other processes that speak JSON-RPC one message per line (the
// extension host and the runtime inside each extension's sandbox): one framing, not two. Imports
// nothing but `coalesce.ts`, so such a process loads neither the schemas nor json-rpc-peer.

export type { CoalescingSender } from './coalesce.js';
export { coalescingSender } from './coalesce.js';

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
