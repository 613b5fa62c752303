// The one codec for Symphony's y-websocket extensions: `[100]` / `[100, stateVector]` (savedState)
// and `[101, role]` (access). Client, editor engine and sync-server all encode and decode with it.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MessageType } from './sync.js';
import { type Role, RoleSchema } from './workspace.js';

/**
 * The frame a client sends once per connection to opt into `savedState` reports (and, with them,
 * `access` frames): just `[varuint 100]`.
 */
export function encodeSavedStateSubscription(): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.savedState);
  return encoding.toUint8Array(encoder);
}

/**
 * A `savedState` report, server → client: `[varuint 100, varUint8Array stateVector]`, the Yjs state
 * vector (as `Y.encodeStateVector` writes it) the server has stored durably.
 */
export function encodeSavedState(stateVector: Uint8Array): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.savedState);
  encoding.writeVarUint8Array(encoder, stateVector);
  return encoding.toUint8Array(encoder);
}

/** An `access` frame, server → client: `[varuint 101, varString role]`, the connection's role. */
export function encodeAccess(role: Role): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.access);
  encoding.writeVarString(encoder, role);
  return encoding.toUint8Array(encoder);
}

/**
 * Reads the body of a `savedState` report, after its type varuint: the stored state vector, still
 * encoded (`Y.decodeStateVector` turns it into a map). Throws lib0's error on a truncated frame.
 */
export function readSavedState(decoder: decoding.Decoder): Uint8Array {
  return decoding.readVarUint8Array(decoder);
}

/**
 * Reads the body of an `access` frame, after its type varuint: the role, or `null` when the text
 * is no {@link Role} (the frame is then ignored). Throws lib0's error on a truncated frame.
 */
export function readAccess(decoder: decoding.Decoder): Role | null {
  const role = RoleSchema.safeParse(decoding.readVarString(decoder));
  return role.success ? role.data : null;
}
