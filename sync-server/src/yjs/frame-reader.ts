// Strict reading of y-websocket frames for the /yjs connection: every varuint and payload checked
// against the bytes that remain, and the errors that name a frame's fault.
import * as decoding from 'lib0/decoding';
import { MessageRejectedError } from './update-budget.js';

/** A frame whose message type the protocol does not have. */
export class UnknownMessageTypeError extends Error {
  override name = 'UnknownMessageTypeError';
  constructor(type: number) {
    super(`message type ${type}`);
  }
}

/** A Yjs update that does not decode, costs more than the budget, or that Yjs failed to apply. */
export class UpdateRejectedError extends Error {
  override name = 'UpdateRejectedError';
}

/** Reads a varuint of the frame header. */
export function readVarUintStrict(decoder: decoding.Decoder): number {
  try {
    return decoding.readVarUint(decoder);
  } catch {
    throw new MessageRejectedError('malformed', 'frame ends before its header');
  }
}

/** Reads the frame's length-prefixed payload, which must end the frame. */
export function readPayload(decoder: decoding.Decoder): Uint8Array {
  let payload: Uint8Array;
  try {
    payload = decoding.readVarUint8Array(decoder);
  } catch {
    throw new MessageRejectedError('malformed', 'payload is shorter than its declared length');
  }
  endOfFrame(decoder);
  return payload;
}

/** The frame must end here. */
export function endOfFrame(decoder: decoding.Decoder): void {
  const extra = decoder.arr.length - decoder.pos;
  if (extra !== 0)
    throw new MessageRejectedError('malformed', `${extra} unexpected bytes at the end of the frame`);
}

/** A `ws` message as one byte array (without copying when it is one buffer). */
export function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
