// json-rpc-peer 0.17 ships no types; this declares the part the extension host and runtime use (as
// editor-engine/src/json-rpc-peer.d.ts does). Kept out of the public .d.ts: no exported name uses it.
declare module 'json-rpc-peer' {
  import { EventEmitter } from 'node:events';

  /** A message as json-rpc-protocol's `parse` normalizes it. */
  export interface ParsedMessage {
    type: 'request' | 'notification' | 'response' | 'error';
    method: string;
    params?: unknown;
    id?: string | number | null;
  }

  export class JsonRpcError extends Error {
    constructor(message?: string, code?: number, data?: unknown);
    readonly code: number;
    readonly data: unknown;
  }

  export class Peer extends EventEmitter {
    constructor(onMessage?: (message: ParsedMessage, data?: unknown) => unknown);
    /** Handles one incoming message; resolves to the response text, if any. */
    exec(message: string | object, data?: unknown): Promise<string | string[] | undefined>;
    request(method: string, params?: unknown): Promise<unknown>;
    notify(method: string, params?: unknown): Promise<void>;
    failPendingRequests(reason: unknown): void;
  }

  export const format: {
    error(id: string | number | null, error: unknown): string;
    notification(method: string, params?: unknown): string;
    request(id: string | number, method: string, params?: unknown): string;
    response(id: string | number, result: unknown): string;
  };
}
