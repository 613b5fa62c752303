// Automerge chunks no honest client sends, for hardening tests of /automerge: decompression bombs,
// compressed changes and sync messages that carry them.
import { constants, deflateRawSync } from 'node:zlib';
import { next as A } from '@automerge/automerge';
import { encodeChunk, uleb } from '../automerge/automerge-chunk.js';

/** `bytes` zero bytes, raw-deflated: about 1 KiB per MiB (Z_RLE is fast on zeros). */
export function deflatedZeros(bytes: number): Uint8Array {
  return deflateRawSync(Buffer.alloc(bytes), { level: 9, strategy: constants.Z_RLE });
}

/**
 * A document chunk, checksum and all, with one actor, no heads, no ops and one deflated change
 * column holding `inflated` zero bytes: a decompression bomb Automerge would inflate in full
 * before finding that the column makes no sense.
 */
export function documentBomb(inflated: number): Uint8Array {
  const column = deflatedZeros(inflated);
  const actor = new Uint8Array(16).fill(7);
  const actorColumnDeflated = (0 << 4) | 1 | 0x08;
  const body = concat(
    uleb(1),
    uleb(actor.byteLength),
    actor,
    uleb(0), // heads
    uleb(1), // change columns
    uleb(actorColumnDeflated),
    uleb(column.byteLength),
    uleb(0), // op columns
    column,
  );
  return encodeChunk(0, body);
}

/** A compressed change (chunk type 2) whose deflated body is `inflated` zero bytes. */
export function compressedChangeBomb(inflated: number): Uint8Array {
  return encodeChunk(2, deflatedZeros(inflated));
}

/** `chunk` (a change chunk, type 1) as a compressed change, the way Automerge writes one. */
export function compressChange(chunk: Uint8Array): Uint8Array {
  const { bodyStart } = header(chunk);
  const deflated = deflateRawSync(chunk.subarray(bodyStart));
  const length = uleb(deflated.byteLength);
  const out = new Uint8Array(9 + length.byteLength + deflated.byteLength);
  out.set(chunk.subarray(0, 8), 0); // magic and the uncompressed change's checksum
  out[8] = 2;
  out.set(length, 9);
  out.set(deflated, 9 + length.byteLength);
  return out;
}

/** Where a chunk's body starts. */
export function header(chunk: Uint8Array): { bodyStart: number } {
  let pos = 9;
  while (chunk[pos]! & 0x80) pos++;
  return { bodyStart: pos + 1 };
}

/**
 * A sync message (from a peer that has synced nothing yet) whose `changes` are `chunks`, as
 * Automerge encodes one: built from a real message with its changes replaced.
 */
export function syncMessageWith(chunks: readonly Uint8Array[]): Uint8Array {
  const [, empty] = A.generateSyncMessage(A.init(), A.initSyncState());
  const decoded = A.decodeSyncMessage(empty!);
  return A.encodeSyncMessage({ ...decoded, changes: [...chunks] });
}

/** `parts` joined into one array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
