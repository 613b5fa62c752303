// Presence stamping: awareness updates (/yjs), board presence and run broadcasts (/automerge ephemerals)
// rewritten to carry the token's user and only what a collaborator's browser can draw safely.
import { BoardRun, cleanBoardPresence, cleanDocumentPresence } from '@symphony/schemas';
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
 * A board's ephemeral message (decoded) as the server relays it, or `undefined` when it must not be
 * relayed at all. Board presence is stamped with the sender's user and cleaned to the
 * `BoardPresence` schema (`cleanBoardPresence`: an invalid colour becomes one derived from the user
 * id, an invalid pointer `null`, invalid selection and drag entries are left out). A run broadcast
 * (`board-run`) goes to {@link stampBoardRun}. Data that is neither and carries no `user` (a
 * `board-leave`, another app's message) comes back as it is: boards ignore what they do not parse.
 * Pure; never throws.
 */
export function stampBoardPresence(data: Record<string, unknown>, identity: Identity): unknown {
  if (data.type === 'board-run') return stampBoardRun(data, identity);
  if (!Object.hasOwn(data, 'user') && data.type !== 'board-presence') return data;
  return cleanBoardPresence({ ...data, user: stampedUserFields(data, identity) }, identity.userId);
}

/**
 * A run broadcast stamped with the sender's user exactly as board presence is (the token's id and
 * name whatever the client claimed; an invalid colour replaced by one derived from the user id),
 * then checked whole against `BoardRun`: fields it does not describe are dropped, and any part that
 * does not parse (a bad run id, status or fraction, a state that is no node state, more than
 * `MAX_BOARD_RUN_NODES` states) makes it `undefined`, not relayed, since half a run's picture would
 * show a wrong one. Pure; never throws.
 */
export function stampBoardRun(data: Record<string, unknown>, identity: Identity): BoardRun | undefined {
  // The user a board-presence message from this connection would carry: one stamping for both.
  const { user } = cleanBoardPresence({ user: stampedUserFields(data, identity) }, identity.userId);
  const run = BoardRun.safeParse({ ...data, user });
  return run.success ? run.data : undefined;
}

/** `data.user` with the token's id and the name a board shows, over whatever the client claimed. */
function stampedUserFields(data: Record<string, unknown>, { userId, userName }: Identity) {
  const user = Object.hasOwn(data, 'user') && isRecord(data.user) ? data.user : {};
  return { ...user, id: userId, name: userName.slice(0, BOARD_NAME_LENGTH) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
