// What the /automerge endpoint knows about one websocket: its token, the documents it may open,
// and the frames waiting for an authorization; plus how a refusal of its changes reaches it.
import { cbor } from '@automerge/automerge-repo';
import WebSocket from 'ws';
import type { Access } from '../access/AccessControl.js';
import type { PreAuthorization } from '../access/pre-authorization.js';
import type { AutomergePeerState } from './automerge-message.js';
import type { Refusal, RefusalNotices } from './refusal-notices.js';

/** One document's access for one connection: asked, or answered. */
export interface DocumentAccess {
  access?: Access;
}

/** A checked frame waiting, in arrival order, for an authorization to settle; decoded once. */
export interface QueuedFrame {
  readonly frame: Uint8Array;
  /** The frame's CBOR map. */
  readonly message: Record<string, unknown>;
  /** An `ephemeral` message's decoded `data`. */
  readonly ephemeralData?: unknown;
  /** Bytes counted towards those waiting for authorization (0 once its sync data is being checked). */
  bytes: number;
  /** A `sync` / `request` message's changes, once its document may be opened and its data decoded. */
  changes?: readonly Uint8Array[];
  /**
   * Its sync data (if any) is being, or was, checked by `checkSyncChanges`, which waits for the
   * grant.
   */
  decoded?: 'pending' | 'done';
}

/** What the server knows about one `/automerge` connection. */
export interface AutomergeConnection extends AutomergePeerState {
  readonly ws: WebSocket;
  readonly remote: string;
  readonly token: string;
  /** Its wait for authorization: the token's, then each document's. */
  readonly gate: PreAuthorization;
  /** The token was accepted (the connect-time probe answered). */
  authenticated: boolean;
  /** The token's user, once authenticated. */
  userId?: string | undefined;
  readonly documents: Map<string, DocumentAccess>;
  /** Checked frames waiting, in arrival order, for an authorization to settle. */
  readonly queue: QueuedFrame[];
  queuedBytes: number;
  stopExpiry: () => void;
  exp: number;
  deliver?: (frame: Uint8Array) => void;
  /** Refusals already sent: one per document and reason per window, however often changes are resent. */
  readonly notices: RefusalNotices;
}

/** Whether the connection's websocket is open. */
export const isOpen = (connection: AutomergeConnection): boolean =>
  connection.ws.readyState === WebSocket.OPEN;

/**
 * Sends a refusal with automerge-repo's `error` message plus Symphony's `code`, `documentId` and
 * `detail` (`ChangeRefusal` in `@symphony/schemas`), from the server's peer id; nothing once the
 * connection is closing or before it has joined.
 */
export function sendRefusal(connection: AutomergeConnection, refusal: Refusal, serverPeerId: string): void {
  if (!isOpen(connection) || !connection.peerId) return;
  connection.ws.send(
    cbor.encode({ type: 'error', ...refusal, senderId: serverPeerId, targetId: connection.peerId }),
  );
}
