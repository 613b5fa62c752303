// Presence stamping: awareness updates (/yjs) and board presence (/automerge ephemerals) rewritten to carry
// the token's user and only what a collaborator's browser can draw safely.
import { cleanBoardPresence, cleanDocumentPresence } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** Who a connection's token says its user is. */
export interface Identity {
  readonly userId: string;
  readonly userName: string;
}

/** What {@link stampAwareness} kept and dropped. */
export interface StampedAwareness {
  /** The re-encoded update, or `undefined` when every entry was dropped. */
  readonly update: Uint8Array | undefined;
  /** Client ids the update spoke for that `claimedElsewhere` refused. */
  readonly dropped: number[];
  /** Client ids kept. */
  readonly kept: number[];
}

/**
 * Rewrites an awareness update (already checked by `checkAwarenessUpdate`) so every state says
 * who really sent it and carries nothing a peer's browser could not draw safely: `user.id` and
 * `user.name` become the token's, whatever the client claimed, and the state is cleaned to the
 * `DocumentPresence` schema (`cleanDocumentPresence`: an invalid colour becomes one derived from
 * the user id, an invalid cursor `null`, undescribed fields are dropped). A state that is not an
 * object becomes `{ user }`; a removal (`null`) stays a removal. Entries for client ids that
 * `claimedElsewhere` says belong to another connection are dropped. Pure.
 */
export function stampAwareness(
  update: Uint8Array,
  identity: Identity,
  claimedElsewhere: (clientId: number) => boolean,
): StampedAwareness {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const kept: { clientId: number; clock: number; state: string }[] = [];
  const dropped: number[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const json = decoding.readVarString(d);
    if (claimedElsewhere(clientId)) {
      dropped.push(clientId);
      continue;
    }
    kept.push({
      clientId,
      clock,
      state: json === 'null' ? json : JSON.stringify(stamp(JSON.parse(json), identity)),
    });
  }
  if (kept.length === 0) return { update: undefined, dropped, kept: [] };
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, kept.length);
  for (const { clientId, clock, state } of kept) {
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, state);
  }
  return { update: encoding.toUint8Array(e), dropped, kept: kept.map((k) => k.clientId) };
}

function stamp(state: unknown, { userId, userName }: Identity): Record<string, unknown> {
  const base = isRecord(state) ? state : {};
  const user = isRecord(base.user) ? base.user : {};
  return cleanDocumentPresence({ ...base, user: { ...user, id: userId, name: userName } }, userId);
}

/** 40: the characters of a name a board shows. */
const BOARD_NAME_LENGTH = 40;

/**
 * Board presence (a decoded ephemeral message) stamped with the sender's user and cleaned to the
 * `BoardPresence` schema (`cleanBoardPresence`: an invalid colour becomes one derived from the
 * user id, an invalid pointer `null`, invalid selection and drag entries are left out). Data that
 * is neither board presence nor carries a `user` (a `board-leave`, another app's message) comes
 * back as it is: boards ignore what they do not parse. Pure; never throws.
 */
export function stampBoardPresence(data: Record<string, unknown>, { userId, userName }: Identity): unknown {
  if (!Object.hasOwn(data, 'user') && data.type !== 'board-presence') return data;
  const user = isRecord(data.user) ? data.user : {};
  const name = userName.slice(0, BOARD_NAME_LENGTH);
  return cleanBoardPresence({ ...data, user: { ...user, id: userId, name } }, userId);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
