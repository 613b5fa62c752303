// Tests of the savedState / access codec in sync-messages.ts: round trips, what a stock
// y-websocket reader sees, and how a bad role or a truncated frame is handled.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../src/sync.js';
import {
  encodeAccess,
  encodeSavedState,
  encodeSavedStateSubscription,
  readAccess,
  readSavedState,
} from '../src/sync-messages.js';
import { Role } from '../src/workspace.js';

/** Reads a frame as y-websocket does: the type varuint first, then the type's handler. */
function open(frame: Uint8Array): { type: number; decoder: decoding.Decoder } {
  const decoder = decoding.createDecoder(frame);
  return { type: decoding.readVarUint(decoder), decoder };
}

describe('savedState frames', () => {
  it('opts in with a lone [100]', () => {
    const frame = encodeSavedStateSubscription();
    expect([...frame]).toEqual([100]);
    const { type, decoder } = open(frame);
    expect(type).toBe(MessageType.savedState);
    expect(decoding.hasContent(decoder)).toBe(false);
  });

  it('round-trips a state vector, for an empty one and a view into a larger buffer too', () => {
    const vectors = [
      new Uint8Array(),
      new Uint8Array([1, 200, 1, 7]),
      new Uint8Array([9, 9, 2, 1, 5, 3, 4, 9]).subarray(2, 7),
      new Uint8Array(1000).map((_, i) => i % 251),
    ];
    for (const vector of vectors) {
      const { type, decoder } = open(encodeSavedState(vector));
      expect(type).toBe(MessageType.savedState);
      expect(readSavedState(decoder)).toEqual(vector);
      expect(decoding.hasContent(decoder)).toBe(false);
    }
  });

  it('writes exactly [varuint 100, varUint8Array stateVector]', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 100);
    encoding.writeVarUint8Array(e, new Uint8Array([1, 2, 3]));
    expect(encodeSavedState(new Uint8Array([1, 2, 3]))).toEqual(encoding.toUint8Array(e));
  });

  it('throws on a truncated report', () => {
    const frame = encodeSavedState(new Uint8Array([1, 2, 3, 4]));
    const { decoder } = open(new Uint8Array(frame.subarray(0, 3)));
    expect(() => readSavedState(decoder)).toThrow();
  });
});

describe('access frames', () => {
  it('round-trips every role', () => {
    for (const role of Object.values(Role)) {
      const { type, decoder } = open(encodeAccess(role));
      expect(type).toBe(MessageType.access);
      expect(readAccess(decoder)).toBe(role);
      expect(decoding.hasContent(decoder)).toBe(false);
    }
  });

  it('writes exactly [varuint 101, varString role]', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 101);
    encoding.writeVarString(e, 'viewer');
    expect(encodeAccess('viewer')).toEqual(encoding.toUint8Array(e));
  });

  it('reads a role that is no Role as null, so the frame is ignored', () => {
    for (const text of ['admin', '', 'Owner', 'constructor']) {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, MessageType.access);
      encoding.writeVarString(e, text);
      const { decoder } = open(encoding.toUint8Array(e));
      expect(readAccess(decoder)).toBeNull();
    }
  });

  it('throws on a truncated frame', () => {
    const { decoder } = open(encodeAccess('editor').subarray(0, 3));
    expect(() => readAccess(decoder)).toThrow();
    expect(() => readAccess(open(new Uint8Array([101])).decoder)).toThrow();
  });
});
