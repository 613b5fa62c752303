// The sync-server's wire constants and settings: close codes, y-websocket message types, config, /healthz.
import { z } from 'zod';
import { MAX_DOCUMENT_BYTES } from './workspace.js';

/**
 * WebSocket close codes the sync-server uses, one named constant each (after hocuspocus's
 * `CloseEvents.ts`). A close reason is at most 123 bytes, so reasons stay short.
 */
export const CloseCode = {
  /** The frame could not be decoded as a y-websocket message. */
  MalformedMessage: { code: 4400, reason: 'Malformed message' },
  /** The first byte named no message type the server knows. */
  UnknownMessageType: { code: 4402, reason: 'Unknown message type' },
  /** The URL's document id is not a valid {@link DocumentId}. */
  InvalidDocumentId: { code: 4404, reason: 'Invalid document id' },
  /** A Yjs update failed to decode, or would cost more than the server's budget to apply. */
  UpdateRejected: { code: 4422, reason: 'Update rejected' },
  /** The frame was larger than the server's message limit (standard code 1009). */
  MessageTooBig: { code: 1009, reason: 'Message too big' },
  /** The server failed to store an update; the client keeps it and resends on reconnect. */
  PersistenceFailed: { code: 1011, reason: 'Persistence failed' },
  /** The peer read too slowly and the server's send buffer for it overflowed; reconnect to resync. */
  SlowConsumer: { code: 1013, reason: 'Connection too slow' },
  /** The peer sent too many messages before the document finished loading. */
  TooManyPendingMessages: { code: 4429, reason: 'Too many messages before load' },
  /**
   * Another peer's update failed half-way inside Yjs, so the server dropped its copy of the
   * document; reconnect to resync from storage (your edits are kept and resent).
   */
  DocumentReset: { code: 4205, reason: 'Document reset; reconnect' },
  /**
   * An automerge-repo sync or request message whose `data` Automerge cannot decode as a sync
   * message, or whose changes it cannot apply.
   */
  AutomergeMessageRejected: { code: 4423, reason: 'Automerge message rejected' },
  /**
   * An automerge-repo sync or request message whose chunks would inflate past the server's budget
   * for one frame, or take longer than it to decode (a decompression bomb). Nothing of it was
   * decoded past the budget; reconnecting with the same message is refused again.
   */
  AutomergeChunkTooCostly: { code: 4424, reason: 'Automerge chunk too costly to decode' },
  /**
   * An automerge-repo message before `join`, a second `join`, or a `senderId`/`targetId` other than
   * the peer this connection joined as and the server's own peer id.
   */
  UnexpectedPeer: { code: 4409, reason: 'Unexpected peer' },
  /** No access token, or one that is not a valid token of this project; sign in again. */
  Unauthenticated: { code: 4401, reason: 'Sign-in required' },
  /** The access token has expired (at connect, or while connected); refresh it and reconnect. */
  TokenExpired: { code: 4419, reason: 'Token expired' },
  /** The user is not (or no longer) a member of the document's workspace. */
  Forbidden: { code: 4403, reason: 'Not a member' },
  /** OFB knows no document, workflow or workspace by this id (not yet created, or deleted). */
  UnknownDocument: { code: 4410, reason: 'Unknown document' },
  /**
   * The connection sent more frames or bytes than allowed, or stayed longer than allowed, before
   * its authorization was settled (GHSA-xwhh-v746-pj9m).
   */
  UnauthenticatedLimit: { code: 4408, reason: 'Too much before authorization' },
  /**
   * OFB refused to store the document's latest changes for good (over the size limit, the document
   * was deleted, the writer lost the right to write): the server dropped its copy. Reconnecting
   * would send the same changes again, so clients stop and tell the person why (the reason text is
   * OFB's code, e.g. `document_too_large`).
   */
  StorageRefused: { code: 4413, reason: 'Change refused by storage' },
  /**
   * This client's update would take the document past its size limit: it was neither applied nor
   * relayed to anyone, and only its sender is closed. Reconnecting would send it again, so the client
   * stops and tells its author (undo the change, then reload).
   */
  DocumentTooLarge: { code: 4414, reason: 'Document too large' },
  /** OFB could not be asked (down, or answered with an error); reconnect later. */
  AuthorizationUnavailable: { code: 4503, reason: 'Authorization unavailable' },
  /** The server is shutting down; reconnect later. */
  ServerShutdown: { code: 1001, reason: 'Server shutting down' },
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * First varuint of every y-websocket frame. 0–3 are the stock protocol; `savedState` is Symphony's
 * extension: a client that sends it once is told, after every durable write of the document, the
 * state vector the server has stored, so it can count its edits the server has not yet saved. Stock
 * clients never send it and never receive it.
 */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  savedState: 100,
  /**
   * Symphony extension, server → client, only to clients that sent `savedState`:
   * `[101, varString role]` once the connection is authorized and whenever the role changes, so the
   * client shows a viewer's document read-only.
   */
  access: 101,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The sync-server's settings, parsed from the command line and environment at start. */
export const SyncServerConfig = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(4321),
  /** Where the embedded persistence keeps documents. */
  dataDir: z.string().default('.symphony/docs'),
  /** Folder of static files (the built client) served at `/`, if any. */
  staticDir: z.string().optional(),
  /**
   * 16 MiB: above the largest document OFB stores (10 MiB) and its encoding, so any edit that may be
   * stored fits in one message: Yjs cannot split an update, and a 2 MiB paste refused with 1009
   * was refused again on every reconnect, never reaching the server. Larger is refused unbuffered.
   */
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /**
   * Budget for applying one update, in decoded structs + content items + delete ranges.
   * 500k is far beyond any real edit burst and a fraction of what exhausts memory.
   */
  maxUpdateCost: z.number().int().positive().default(500_000),
  /**
   * Bytes one Yjs document may hold, counted as OFB counts them (the stored updates): an update that
   * would pass it is refused before it is relayed. Keep it equal to OFB's `maxDocumentBytes`.
   */
  maxDocumentBytes: z.number().int().positive().default(MAX_DOCUMENT_BYTES),
  /**
   * Host names (no port) requests may name in `Host` besides loopback ones (`localhost`, 127.x,
   * `::1`), which are always allowed; `'*'` allows any (behind a proxy that checks `Host` itself).
   * Anything else is refused with 421, so a page cannot reach the server by rebinding its own DNS name.
   */
  allowedHosts: z.array(z.string().min(1).toLowerCase()).default([]),
  /**
   * Origins (`https://app.example`) whose pages may open `/yjs` and `/automerge` websockets besides
   * the server's own; `'*'` allows any. A page from any other site is refused with 403.
   */
  allowedOrigins: z.array(z.string().min(1)).default([]),
});
export type SyncServerConfig = z.infer<typeof SyncServerConfig>;
export type SyncServerOptions = z.input<typeof SyncServerConfig>;

/** Body of `GET /healthz`. */
export const Health = z.object({
  status: z.literal('ok'),
  documents: z.number().int().nonnegative(),
  connections: z.number().int().nonnegative(),
  uptimeSeconds: z.number().nonnegative(),
  /** Automerge documents the `/automerge` endpoint holds in memory (absent from older servers). */
  automergeDocuments: z.number().int().nonnegative().optional(),
});
export type Health = z.infer<typeof Health>;
