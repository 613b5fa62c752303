import { MessageType } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * The frame a client sends once per connection to subscribe to `savedState` reports:
 * just `[varuint 100]`.
 */
export function encodeSavedStateSubscription(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.savedState);
  return encoding.toUint8Array(encoder);
}

/**
 * Reads the body of a `savedState` report (the part after the message type):
 * `[varUint8Array encodedStateVector]`, the state vector the server has stored durably.
 */
export function readSavedState(decoder: decoding.Decoder): Map<number, number> {
  return Y.decodeStateVector(decoding.readVarUint8Array(decoder));
}

/** Encodes a full `savedState` report, as the server sends it. For tests and fakes. */
export function encodeSavedState(stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.savedState);
  encoding.writeVarUint8Array(encoder, stateVector);
  return encoding.toUint8Array(encoder);
}
