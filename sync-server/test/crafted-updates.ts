// y-websocket frames no honest client sends, for hardening tests of /yjs: raw update frames, the update
// bomb, an update that throws half-way through, and awareness frames carrying any state.
import * as encoding from 'lib0/encoding';

/** A sync-update frame as y-websocket sends it: [messageSync, messageYjsUpdate, update]. */
export function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** The "update bomb" of yjs issue 687: a few bytes declaring millions of structs. */
export function updateBomb(): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, 4_000_000);
  encoding.writeVarUint(e, 7);
  encoding.writeVarUint(e, 0);
  encoding.writeUint8(e, 1);
  encoding.writeVarUint(e, 1);
  return encoding.toUint8Array(e);
}

/**
 * An update whose second item names a later clock of its own client as its origin: Yjs integrates
 * the first item ("POISON") and then throws half-way.
 */
export function updateWithForwardOrigin(): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint(e, 5); // client
  encoding.writeVarUint(e, 0); // clock
  encoding.writeUint8(e, 4); // a string in root type "content"
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, 'content');
  encoding.writeVarString(e, 'POISON');
  encoding.writeUint8(e, 0x84); // a string whose origin is (5, 1000)
  encoding.writeVarUint(e, 5);
  encoding.writeVarUint(e, 1000);
  encoding.writeVarString(e, 'x');
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

/** A y-websocket awareness frame for one client id, with any JSON state (what a hostile peer may send). */
export function awarenessFrame(clientId: number, clock: number, state: unknown): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, clientId);
  encoding.writeVarUint(update, clock);
  encoding.writeVarString(update, JSON.stringify(state));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
  return encoding.toUint8Array(e);
}
