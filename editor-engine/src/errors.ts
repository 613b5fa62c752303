// The editor engine's protocol errors: EngineError with its JSON-RPC code and data, and unknownBuffer.
import { EngineErrorCode, type EngineErrorObject } from '@symphony/schemas';

/** Name of an engine error code, e.g. `StaleRevision`. */
export type EngineErrorName = keyof typeof EngineErrorCode;

/**
 * An error the engine answers a request with. It carries a protocol code from
 * {@link EngineErrorCode}, a message that says what was wrong, and `data` a caller can act on.
 * json-rpc-peer sends any error with a `toJsonRpcError()` as is; every other error becomes an
 * `InternalError` without details.
 */
export class EngineError extends Error {
  override name = 'EngineError';
  readonly code: number;
  readonly data: unknown;

  constructor(kind: EngineErrorName, message: string, data?: unknown) {
    super(message);
    this.code = EngineErrorCode[kind];
    this.data = data;
  }

  /** The JSON-RPC `error` member. */
  toJsonRpcError(): EngineErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** The error a `buffer.*` method answers when the caller has no buffer by that id. */
export function unknownBuffer(bufferId: string): EngineError {
  return new EngineError(
    'UnknownBuffer',
    `no open buffer "${bufferId}" for this caller; open one with buffer.open`,
    { bufferId },
  );
}
