import { next as A } from '@automerge/automerge';
import { cbor, generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { CloseCode } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { type AutomergePeerState, checkAutomergeFrame } from './automerge-message.js';

const SERVER = 'symphony-sync-server';
const documentId = parseAutomergeUrl(generateAutomergeUrl()).documentId;
const join = (extra: Record<string, unknown> = {}) =>
  cbor.encode({
    type: 'join',
    senderId: 'me',
    peerMetadata: { isEphemeral: true },
    supportedProtocolVersions: ['1'],
    ...extra,
  });
const joined = (): AutomergePeerState => ({ peerId: 'me' });
const from = (message: Record<string, unknown>) =>
  cbor.encode({ senderId: 'me', targetId: SERVER, documentId, ...message });
const codeOf = (frame: Uint8Array, state = joined()) => {
  const verdict = checkAutomergeFrame(frame, state, SERVER);
  return verdict && 'close' in verdict ? verdict.close.code : undefined;
};

function syncMessageWithChanges(): Uint8Array {
  const doc = A.from({ n: 1 });
  const [, first] = A.generateSyncMessage(doc, A.initSyncState());
  const [peer, peerState] = A.receiveSyncMessage(A.init(), A.initSyncState(), first!);
  const [, reply] = A.generateSyncMessage(peer, peerState);
  const [, state] = A.receiveSyncMessage(doc, A.initSyncState(), reply!);
  const [, second] = A.generateSyncMessage(doc, state);
  return second!;
}

describe('checkAutomergeFrame', () => {
  it('accepts what a stock client sends and records its join', () => {
    const state: AutomergePeerState = {};
    expect(
      checkAutomergeFrame(
        join({ peerMetadata: { storageId: crypto.randomUUID(), isEphemeral: false } }),
        state,
        SERVER,
      ),
    ).toBeUndefined();
    expect(state.peerId).toBe('me');
    const data = syncMessageWithChanges();
    expect(A.decodeSyncMessage(data).changes.length).toBeGreaterThan(0);
    expect(codeOf(from({ type: 'sync', data }), state)).toBeUndefined();
    expect(codeOf(from({ type: 'request', data }), state)).toBeUndefined();
    expect(codeOf(from({ type: 'doc-unavailable' }), state)).toBeUndefined();
    expect(
      codeOf(from({ type: 'ephemeral', data: cbor.encode({ cursor: 3 }), count: 1, sessionId: 's1' }), state),
    ).toBeUndefined();
    expect(
      codeOf(from({ type: 'remote-subscription-change', add: ['a'], remove: [] }), state),
    ).toBeUndefined();
  });

  it('drops, without closing, an ephemeral message a stock client forwards from another peer', () => {
    const forwarded = cbor.encode({
      type: 'ephemeral',
      senderId: 'someone-else',
      targetId: SERVER,
      documentId,
      data: cbor.encode({ cursor: 1 }),
      count: 1,
      sessionId: 's',
    });
    expect(checkAutomergeFrame(forwarded, joined(), SERVER)).toEqual({ drop: expect.any(String) });
    // Anything else under another peer's name is refused.
    const spoofed = cbor.encode({
      type: 'sync',
      senderId: 'someone-else',
      targetId: SERVER,
      documentId,
      data: Uint8Array.of(1),
    });
    expect(codeOf(spoofed)).toBe(CloseCode.UnexpectedPeer.code);
  });

  it('refuses a storage id that would not be a safe storage key part', () => {
    for (const storageId of ['../x', 'a/b', '', 'x'.repeat(129), 42])
      expect(codeOf(join({ peerMetadata: { storageId } }), {})).toBe(CloseCode.MalformedMessage.code);
  });

  it('refuses malformed fields of the other message types', () => {
    expect(codeOf(from({ type: 'ephemeral', data: Uint8Array.of(0xff), count: 1, sessionId: 's' }))).toBe(
      CloseCode.MalformedMessage.code,
    );
    expect(codeOf(from({ type: 'ephemeral', data: cbor.encode(1), count: -1, sessionId: 's' }))).toBe(
      CloseCode.MalformedMessage.code,
    );
    expect(codeOf(from({ type: 'remote-subscription-change', add: [1] }))).toBe(
      CloseCode.MalformedMessage.code,
    );
    expect(codeOf(from({ type: 'sync', data: new Uint8Array(0) }))).toBe(CloseCode.MalformedMessage.code);
    expect(codeOf(from({ type: 'doc-unavailable', documentId: 'nope' }))).toBe(
      CloseCode.InvalidDocumentId.code,
    );
    expect(codeOf(join({ supportedProtocolVersions: [1] }), {})).toBe(CloseCode.MalformedMessage.code);
    expect(codeOf(cbor.encode({ type: 'join', senderId: 'x'.repeat(129) }), {})).toBe(
      CloseCode.MalformedMessage.code,
    );
  });

  it('refuses trailing bytes after the CBOR value', () => {
    const frame = join();
    const padded = new Uint8Array(frame.length + 1);
    padded.set(frame);
    expect(codeOf(padded, {})).toBe(CloseCode.MalformedMessage.code);
  });
});
