// Who else is on a Harmony Board: the presence message a board broadcasts and BoardPresence, the
// bookkeeping of peers from their ephemeral messages (selection, pointer, drags, expiry).
import { BoardPresenceMessage } from '@symphony/schemas';
import type { z } from 'zod';

/** 8 s: three missed heartbeats (every {@link PRESENCE_HEARTBEAT_MS}) before a peer is dropped. */
export const PRESENCE_TIMEOUT_MS = 8_000;
/** 2.5 s between heartbeats, so a newcomer sees everyone within one interval. */
export const PRESENCE_HEARTBEAT_MS = 2_500;

/**
 * What a board broadcasts about its person over automerge-repo's ephemeral messages: who they are,
 * what they have selected, where their pointer is and which nodes they are dragging (and to where).
 * The shared schema (`BoardPresenceMessage`), so the server and every board agree on what is safe
 * to draw: `#rrggbb` colours, bounded plain-text names, node ids, bounded coordinates.
 */
export const PresenceMessage = BoardPresenceMessage;
/** A message as a board sends it (node ids as plain strings). */
export type PresenceMessage = z.input<typeof BoardPresenceMessage>;

/** A collaborator on the board right now. */
export interface BoardPeer {
  readonly peerId: string;
  readonly name: string;
  readonly color: string;
  readonly selection: readonly string[];
  readonly pointer: { readonly x: number; readonly y: number } | null;
  /** Nodes they are dragging, with where they have dragged them so far. */
  readonly dragging: ReadonlyMap<string, { readonly x: number; readonly y: number }>;
  /** When their last message arrived (ms, from the injected clock). */
  readonly seenAt: number;
}

/**
 * Who else is on a board, from their ephemeral messages. Pure bookkeeping: messages and the time
 * come in, the current peers go out; messages that do not parse as {@link PresenceMessage} are
 * ignored (whatever a server relayed), silent peers expire.
 */
export class BoardPresence {
  private readonly peers = new Map<string, BoardPeer>();
  /** {@link BoardPresence.list}'s answer until the peers change: the board redraws only when they do. */
  private listed: readonly BoardPeer[] | null = null;

  /** @param timeoutMs how long a peer stays without a message. */
  constructor(private readonly timeoutMs = PRESENCE_TIMEOUT_MS) {}

  /** Takes one message from `peerId`. Returns whether it changed what {@link BoardPresence.list} shows. */
  receive(peerId: string, message: unknown, now: number): boolean {
    // A run's node states are not presence (`RemoteRuns` takes them): not parsed here at all, as
    // one can carry 10,000 of them.
    if (isRecord(message) && message.type === 'board-run') return false;
    const parsed = PresenceMessage.safeParse(message);
    if (!parsed.success) return false;
    const m = parsed.data;
    if (m.type === 'board-leave') return this.forget(peerId);
    if (m.type === 'board-run') return false;
    this.listed = null;
    this.peers.set(peerId, {
      peerId,
      name: m.user.name,
      color: m.user.color,
      selection: m.selection,
      pointer: m.pointer,
      dragging: new Map(m.dragging),
      seenAt: now,
    });
    return true;
  }

  /** Drops peers not heard from within the timeout. Returns whether any were dropped. */
  expire(now: number): boolean {
    let changed = false;
    for (const [id, peer] of this.peers) {
      if (now - peer.seenAt > this.timeoutMs) changed = this.forget(id) || changed;
    }
    return changed;
  }

  /** Forgets a peer at once (its connection closed). */
  remove(peerId: string): boolean {
    return this.forget(peerId);
  }

  /** The peers, by name: the same array until a message, an expiry or a removal changes them. */
  list(): readonly BoardPeer[] {
    this.listed ??= [...this.peers.values()].sort(
      (a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId),
    );
    return this.listed;
  }

  private forget(peerId: string): boolean {
    if (!this.peers.delete(peerId)) return false;
    this.listed = null;
    return true;
  }

  /** Node id → the peers who have it selected. */
  selections(): Map<string, BoardPeer[]> {
    const byNode = new Map<string, BoardPeer[]>();
    for (const peer of this.list()) {
      for (const id of peer.selection) {
        const list = byNode.get(id);
        if (list) list.push(peer);
        else byNode.set(id, [peer]);
      }
    }
    return byNode;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
