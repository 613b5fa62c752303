// SharedDocument, a Yjs Document the sync-server holds in memory while anyone is connected: its peers and
// awareness, the broadcast of each update, batched writes to storage, compaction and the size limit.
import { CloseCode, type DocumentId, MessageType } from '@symphony/schemas';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { Logger } from '../logger.js';
import { type DocumentPersistence, StorageRefusedError } from '../persistence/DocumentPersistence.js';

/** One open connection to a shared document, as the document sees it. */
export interface Peer {
  /** The user this connection speaks for (`Access.userId`), once authorized. */
  readonly userId?: string | undefined;
  /** Sends one binary frame. */
  send(frame: Uint8Array): void;
  /** Called with the state vector the server has durably stored, if the peer subscribed. */
  onSaved?: (stateVector: Uint8Array) => void;
  /** Closes the connection with a code and reason. */
  close(code: number, reason: string): void;
}

/** When to compact a document's stored updates into one state. */
export interface CompactionPolicy {
  /** After this many stored updates since the last compaction… */
  readonly updates: number;
  /** …or this many stored bytes, whichever comes first. */
  readonly bytes: number;
}

/** How a document behaves; the server passes one for all documents. */
export interface SharedDocumentOptions {
  readonly compaction: CompactionPolicy;
  /**
   * Bytes of updates Yjs may hold back waiting for missing dependencies. A client that keeps
   * sending updates whose predecessors never come would otherwise grow this without end.
   */
  readonly maxPendingBytes: number;
  /** Bytes the document may hold, counted as OFB counts them: its stored updates plus unstored ones. */
  readonly maxDocumentBytes: number;
}

/** The origin of transactions applied from storage. */
const LOADED_FROM_STORAGE = Symbol('loaded from storage');

/**
 * A document the server holds in memory while anyone is connected: its Y.Doc, awareness, peers,
 * and the batch of updates on their way to storage.
 *
 * Every update is applied in memory, broadcast, and queued; the queue is written as one batch (one
 * fsync) at a time. When a batch is stored, subscribed peers are told the state vector it covers.
 */
export class SharedDocument {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly peers = new Set<Peer>();
  /** Awareness client ids each peer has spoken for, removed when it leaves. */
  readonly awarenessOf = new Map<Peer, Set<number>>();
  /** Connections holding this document open, joined or still waiting for it to load. */
  private holders = 0;
  readonly loaded: Promise<void>;

  private batch: Uint8Array[] = [];
  /** The users whose updates are in {@link batch}, passed to storage with it. */
  private batchWriters = new Set<string>();
  private writing: Promise<void> | undefined;
  private storedSinceCompaction = { updates: 0, bytes: 0 };
  /** Bytes of updates stored and on their way to storage: what OFB will count against the limit. */
  private heldBytes = 0;
  /** Set when the count of stored bytes says the limit is near but the document is smaller. */
  private compactSoon = false;
  private savedStateVector: Uint8Array = Y.encodeStateVector(new Y.Doc());
  private failed = false;
  private destroyed = false;
  /** Set when an update failed half-way: the in-memory doc may hold part of it. */
  private poisoned = false;
  /** While a peer's update is applied, what it produces waits here. */
  private capture: Uint8Array[] | undefined;

  constructor(
    readonly id: DocumentId,
    private readonly persistence: DocumentPersistence,
    private readonly log: Logger,
    private readonly options: SharedDocumentOptions,
    /** Resolves when an earlier instance of this document has stored everything it had. */
    previous: Promise<void> = Promise.resolve(),
  ) {
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onUpdate(update, origin));
    this.awareness.on('update', this.onAwareness);
    this.loaded = previous.then(() => this.load());
    this.loaded.catch(() => {
      this.failed = true;
    });
  }

  /** A connection starts holding the document open. */
  hold(): void {
    this.holders++;
  }

  /** How many connections hold the document open. */
  get held(): number {
    return this.holders;
  }

  /** A connection lets go; returns how many still hold it. */
  release(): number {
    this.holders = Math.max(0, this.holders - 1);
    return this.holders;
  }

  /** The state vector of what is durably stored. */
  get saved(): Uint8Array {
    return this.savedStateVector;
  }

  /**
   * Applies an update from a peer (already checked to be well-formed and within budget). What the
   * update changes is broadcast and stored only once Yjs has applied all of it.
   * @throws UpdateFailedError if Yjs throws half-way (an update whose references contradict the
   *   document); the in-memory copy is then unreliable, so the document resets every peer.
   */
  applyUpdate(update: Uint8Array, from: Peer): void {
    if (this.poisoned) return; // its peers are being closed; they resend after reconnecting
    this.checkSize(update);
    const produced: Uint8Array[] = [];
    this.capture = produced;
    try {
      Y.applyUpdate(this.doc, update, from);
    } catch (error) {
      this.reset(from, `Yjs could not apply it: ${String(error)}`);
    } finally {
      this.capture = undefined;
    }
    const pending =
      (this.doc.store.pendingStructs?.update.length ?? 0) + (this.doc.store.pendingDs?.length ?? 0);
    if (pending > this.options.maxPendingBytes) {
      this.reset(from, `${pending} bytes wait for updates that never came`);
    }
    for (const u of produced) this.publish(u, from);
  }

  /**
   * @throws DocumentTooLargeError if `update` could take the document past its size limit. The
   *   running count is what OFB will count (stored updates since the last compaction); only when it
   *   says no is the document's real size measured, since compaction may have made it smaller.
   */
  private checkSize(update: Uint8Array): void {
    const limit = this.options.maxDocumentBytes;
    if (this.heldBytes + update.byteLength <= limit) return;
    const size = Y.encodeStateAsUpdate(this.doc).byteLength;
    if (size + update.byteLength > limit) throw new DocumentTooLargeError(size, update.byteLength, limit);
    // The stored updates outgrew the document: compact after the next write, so the count (and
    // OFB's) is the document's size again and this measurement is not repeated on every edit.
    this.compactSoon = true;
  }

  /**
   * The in-memory copy holds something storage must never get. Nothing more is published or
   * compacted from it; every other peer is told to reconnect, which reloads from storage.
   */
  private reset(from: Peer, reason: string): never {
    this.poisoned = true;
    this.log.warn('update rejected after applying; resetting the document', { documentId: this.id, reason });
    for (const peer of this.peers) {
      if (peer !== from) peer.close(CloseCode.DocumentReset.code, CloseCode.DocumentReset.reason);
    }
    throw new UpdateFailedError(reason);
  }

  /** Removes the awareness states of clients whose connection left. */
  removeAwareness(clientIds: number[]): void {
    awarenessProtocol.removeAwarenessStates(this.awareness, clientIds, null);
  }

  /** Resolves when every update applied so far is durably stored. */
  async flush(): Promise<void> {
    while (!this.failed && (this.writing || this.batch.length > 0)) {
      if (!this.writing) this.writeBatch();
      await this.writing;
    }
  }

  /** Stops timers and frees the Y.Doc; call after {@link flush} once no peer is left. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.awareness.destroy();
    this.doc.destroy();
  }

  private async load(): Promise<void> {
    const stored = await this.persistence.load(this.id);
    this.doc.transact(() => {
      for (const update of stored) Y.applyUpdate(this.doc, update, LOADED_FROM_STORAGE);
    }, LOADED_FROM_STORAGE);
    this.storedSinceCompaction = {
      updates: stored.length,
      bytes: stored.reduce((n, u) => n + u.length, 0),
    };
    this.heldBytes = this.storedSinceCompaction.bytes;
    this.savedStateVector = Y.encodeStateVector(this.doc);
  }

  private onUpdate(update: Uint8Array, origin: unknown): void {
    if (origin === LOADED_FROM_STORAGE) return;
    if (this.capture) this.capture.push(update);
    else this.publish(update, origin);
  }

  private publish(update: Uint8Array, origin: unknown): void {
    const frame = syncUpdateFrame(update);
    for (const peer of this.peers) {
      if (peer !== origin) peer.send(frame);
    }
    this.batch.push(update);
    this.heldBytes += update.byteLength;
    const writer = (origin as Peer | undefined)?.userId;
    if (this.peers.has(origin as Peer) && typeof writer === 'string') this.batchWriters.add(writer);
    if (!this.writing) this.writeBatch();
  }

  private readonly onAwareness = ({
    added,
    updated,
    removed,
  }: {
    added: number[];
    updated: number[];
    removed: number[];
  }): void => {
    const changed = [...added, ...updated, ...removed];
    const frame = awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    for (const peer of this.peers) peer.send(frame);
  };

  /** Writes the current batch as one append; the next batch starts when it is stored. */
  private writeBatch(): void {
    if (this.failed) return;
    const batch = this.batch;
    const writers = [...this.batchWriters];
    this.batch = [];
    this.batchWriters = new Set();
    const covered = Y.encodeStateVector(this.doc);
    this.writing = this.persistence
      .append(this.id, batch, writers)
      .then(async () => {
        if (!this.poisoned) {
          this.savedStateVector = covered;
          for (const peer of this.peers) peer.onSaved?.(covered);
        }
        this.storedSinceCompaction.updates += batch.length;
        this.storedSinceCompaction.bytes += batch.reduce((n, u) => n + u.length, 0);
        const { compaction } = this.options;
        if (
          !this.poisoned &&
          (this.compactSoon ||
            this.storedSinceCompaction.updates >= compaction.updates ||
            this.storedSinceCompaction.bytes >= compaction.bytes)
        ) {
          await this.compact();
        }
      })
      .catch((error: unknown) => this.onPersistenceFailure(error))
      .finally(() => {
        this.writing = undefined;
        if (this.batch.length > 0 && !this.failed) this.writeBatch();
      });
  }

  private async compact(): Promise<void> {
    const state = Y.encodeStateAsUpdate(this.doc);
    this.compactSoon = false;
    await this.persistence.compact(this.id, state);
    this.heldBytes -= this.storedSinceCompaction.bytes - state.length;
    this.storedSinceCompaction = { updates: 1, bytes: state.length };
    this.log.info('compacted document', { documentId: this.id, bytes: state.length });
  }

  /**
   * The in-memory document now holds updates storage does not, so this instance is dropped (the
   * next connection reloads from storage). If storage refused them for good
   * ({@link StorageRefusedError}: over the size limit, the document deleted, the right to write
   * lost) every peer is closed with `StorageRefused` (4413) and the storage's code as the reason, because resending the same changes would
   * be refused again; after an outage (network, 5xx, timeout) with 1011: they keep their edits and
   * resend them on reconnect.
   */
  private onPersistenceFailure(error: unknown): void {
    this.failed = true;
    this.batch = [];
    this.batchWriters = new Set();
    const refused = error instanceof StorageRefusedError;
    this.log.error(
      refused
        ? 'storage refused updates; closing the document'
        : 'failed to store updates; closing the document',
      { documentId: this.id, error: String(error) },
    );
    const { code, reason } = refused
      ? { code: CloseCode.StorageRefused.code, reason: closeReason(error.code) }
      : CloseCode.PersistenceFailed;
    for (const peer of this.peers) peer.close(code, reason);
  }

  /** True once storage failed or an update failed half-way: the server must drop this instance. */
  get broken(): boolean {
    return this.failed || this.poisoned;
  }
}

/** A websocket close reason: at most 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength <= 123) return text;
  // Cut at a character boundary: drop a partial sequence the cut leaves at the end.
  return Buffer.from(bytes.subarray(0, 123))
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** An update would take its document past the size limit; nothing of it was applied or relayed. */
export class DocumentTooLargeError extends Error {
  override name = 'DocumentTooLargeError';
  constructor(
    readonly documentBytes: number,
    readonly updateBytes: number,
    readonly limit: number,
  ) {
    super(
      `a ${updateBytes}-byte update would take the document (${documentBytes} bytes) past its limit of ${limit} bytes`,
    );
  }
}

/** Yjs threw while applying an update that decoded cleanly. */
export class UpdateFailedError extends Error {
  override name = 'UpdateFailedError';
}

/** A y-websocket sync "update" frame carrying `update`. */
export function syncUpdateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.sync);
  syncProtocol.writeUpdate(e, update);
  return encoding.toUint8Array(e);
}

/** A y-websocket awareness frame. */
export function awarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.awareness);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}
