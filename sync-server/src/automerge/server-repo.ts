// The /automerge endpoint's server-side automerge-repo Repo, and what decides which peer changes
// reach it: read-only roles, the workflow gate, storage refusals, and who wrote each saved chunk.
import { next as A } from '@automerge/automerge';
import {
  type DocumentId as AutomergeDocumentId,
  type DocHandle,
  type HandleState,
  type NetworkAdapterInterface,
  type PeerId,
  Repo,
  type StorageAdapterInterface,
} from '@automerge/automerge-repo';
import { CloseCode } from '@symphony/schemas';
import { type Access, canWrite } from '../access/AccessControl.js';
import type { Logger } from '../logger.js';
import { StorageRefusedError } from '../persistence/DocumentPersistence.js';
import { type AutomergeConnection, isOpen, sendRefusal } from './automerge-connection.js';
import {
  invalidWorkflowRefusal,
  notApplicableRefusal,
  type Refusal,
  readOnlyRefusal,
  storageRefusal,
} from './refusal-notices.js';
import { watchedSaves } from './watched-storage.js';
import { addsNothing, checkWorkflowChanges } from './workflow-gate.js';

/** What {@link ServerRepo} needs from the endpoint around it. */
export interface ServerRepoOptions {
  readonly network: NetworkAdapterInterface;
  readonly storage: StorageAdapterInterface;
  readonly peerId: PeerId;
  /** automerge-repo's save batching interval. */
  readonly saveDebounceMs: number;
  readonly log: Logger;
  /** How long loading a workflow to check changes against may take before its waiters close (1011). */
  readonly loadTimeoutMs: number;
  /** The connections that may open `documentId` (their access to it granted). */
  openers(documentId: string): Iterable<AutomergeConnection>;
  /** Delivers a connection's waiting frames again (after a workflow it waited for has loaded). */
  resume(connection: AutomergeConnection): void;
}

/** Handle states in which the repo is done loading from storage: ready, or storage had nothing. */
const SETTLED_STATES: readonly HandleState[] = ['ready', 'requesting', 'unavailable'];

/**
 * A server-side automerge-repo `Repo` that syncs any document a client asks for, as the
 * automerge-repo sync-server does (`sharePolicy` false: it announces nothing on its own), with
 * storage watched so a failed write is told to the peers instead of lost, and the checks that
 * decide, per message, whether a peer's changes may reach it.
 */
export class ServerRepo {
  readonly repo: Repo;
  /** Per document, the users whose changes the repo took since its last save of a chunk. */
  private readonly writersSince = new Map<string, Set<string>>();
  /** Writable workflows whose server copy is being loaded so changes can be checked against it. */
  private readonly loading = new Map<string, Set<AutomergeConnection>>();

  constructor(private readonly options: ServerRepoOptions) {
    const { log } = options;
    this.repo = new Repo({
      network: [options.network],
      storage: watchedSaves(
        options.storage,
        (documentId, error, save) => {
          if (save) this.onSaveFailure(documentId, error);
          else log.error('failed to remove automerge chunks', { documentId, error: String(error) });
        },
        (documentId) => this.takeWriters(documentId),
        (documentId, key) =>
          log.warn('kept automerge chunks a failed save was to replace', { documentId, key }),
      ),
      peerId: options.peerId,
      sharePolicy: async () => false,
      saveDebounceRate: options.saveDebounceMs,
    });
    this.repo.synchronizer.on('open-doc', ({ documentId }) => this.announceEveryChange(documentId));
  }

  /** Handles whose every new head reaches the synchroniser (see {@link announceEveryChange}). */
  private readonly announced = new WeakSet<DocHandle<unknown>>();

  /**
   * automerge-repo pushes a received change to the other peers only on a handle's `change`, which it
   * emits only when the change is visible in the document (its diff has patches). A change whose
   * edits are all hidden — moving a node someone already deleted — moves the server's heads and
   * reaches nobody else: a peer that is in sync and sends nothing more would stay one change behind
   * for good. So every head change without a `change` is announced as one (no patches).
   */
  private announceEveryChange(documentId: string): void {
    const handle = this.repo.handles[documentId as AutomergeDocumentId] as DocHandle<unknown> | undefined;
    if (!handle || this.announced.has(handle)) return;
    this.announced.add(handle);
    let patched = false;
    handle.on('change', () => {
      patched = true;
    });
    handle.on('heads-changed', ({ doc }) => {
      // DocHandle emits `change` right after `heads-changed`, in the same turn, when there are patches.
      patched = false;
      queueMicrotask(() => {
        if (!patched)
          handle.emit('change', {
            handle,
            doc,
            patches: [],
            patchInfo: { before: doc, after: doc, source: 'change' },
          });
      });
    });
  }

  /** Documents the repo holds in memory. */
  get documents(): number {
    return Object.keys(this.repo.handles).length;
  }

  /** `userId`'s changes to `documentId` go to the repo: the next save of it names them. */
  recordWriter(documentId: string, userId: string): void {
    const writers = this.writersSince.get(documentId) ?? new Set<string>();
    writers.add(userId);
    this.writersSince.set(documentId, writers);
  }

  /**
   * Whether a message's changes are an editor's to a workflow the repo has not finished loading:
   * the gate needs the server's copy (or to know storage has none) to judge them.
   */
  needsLoadedCopy(documentId: string, changes: readonly Uint8Array[], granted: Access): boolean {
    if (granted.kind !== 'workflow' || !canWrite(granted.role)) return false;
    const handle = this.repo.handles[documentId as AutomergeDocumentId];
    if (handle && SETTLED_STATES.includes(handle.state as HandleState)) return false;
    return changes.length > 0;
  }

  /**
   * Loads the server's copy of a workflow (from storage, through the repo) while `connection`'s
   * frames wait, in order and within the authorization limits; then resumes them. A load that does
   * not settle within the authorization timeout closes the waiting connections with 1011.
   */
  loadCopy(connection: AutomergeConnection, documentId: string): void {
    const waiting = this.loading.get(documentId);
    if (waiting) {
      waiting.add(connection);
      return;
    }
    const { repo, loading, options } = this;
    const waiters = new Set([connection]);
    loading.set(documentId, waiters);
    const id = documentId as AutomergeDocumentId;
    const existing = repo.handles[id];
    const settled = existing
      ? existing.whenReady([...SETTLED_STATES])
      : repo.find(id, { allowableStates: [...SETTLED_STATES] });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, fail) => {
      timer = setTimeout(
        () => fail(new Error(`not loaded within ${options.loadTimeoutMs} ms`)),
        options.loadTimeoutMs,
      );
      timer.unref();
    });
    Promise.race([settled, expired]).then(
      () => {
        clearTimeout(timer);
        loading.delete(documentId);
        for (const waiter of waiters) options.resume(waiter);
      },
      (error: unknown) => {
        clearTimeout(timer);
        loading.delete(documentId);
        options.log.error('could not load a workflow to check changes against', {
          documentId,
          error: String(error),
        });
        for (const waiter of waiters)
          if (isOpen(waiter))
            waiter.ws.close(CloseCode.PersistenceFailed.code, CloseCode.PersistenceFailed.reason);
      },
    );
  }

  /**
   * Whether a message's `changes` (`undefined` for a message without sync data) for a document the
   * connection may open go to the repo. A viewer's changes and an editor's changes that would leave
   * a workflow invalid are refused with automerge-repo's `error` message (see
   * {@link refuseChanges}; the stock client logs it); the connection stays open.
   */
  admit(
    connection: AutomergeConnection,
    documentId: string,
    changes: readonly Uint8Array[] | undefined,
    granted: Access,
  ): boolean {
    if (!changes || changes.length === 0) return true;
    const handle = this.repo.handles[documentId as AutomergeDocumentId];
    if (!canWrite(granted.role)) {
      if (handle?.isReady() && repeatsOnly(handle.doc(), changes)) return true;
      this.refuseChanges(connection, readOnlyRefusal(documentId, granted.role));
      return false;
    }
    if (granted.kind !== 'workflow') return true;
    // The endpoint held the message until the copy was loaded: not ready now means storage had
    // nothing, so the changes must make a valid workflow on their own.
    const base = handle?.isReady() ? handle.doc() : undefined;
    let verdict: ReturnType<typeof checkWorkflowChanges>;
    try {
      verdict = checkWorkflowChanges(base ?? A.init(), changes);
    } catch (error) {
      this.refuseChanges(connection, notApplicableRefusal(documentId, error));
      return false;
    }
    if (verdict.ok) return true;
    const issue = verdict.issues[0];
    this.refuseChanges(
      connection,
      invalidWorkflowRefusal(documentId, issue ? `${issue.path || '(root)'}: ${issue.message}` : 'refused'),
    );
    return false;
  }

  /**
   * After changes to `documentId` were refused: if storage had nothing for it, the repo's handle
   * can now never become ready (only those changes would have made it so), yet automerge-repo's
   * `DocSynchronizer.beginSync` waits for it to, on every message from a peer that has the
   * document, and that wait rejects unhandled after 60 s. The handle is marked done loading (ready,
   * empty: it holds nothing, so nothing is saved), which settles those waits, then dropped; the
   * next message for the document finds storage again.
   */
  releaseUnready(documentId: string): void {
    const handle = this.repo.handles[documentId as AutomergeDocumentId];
    if (!handle || !(handle.state === 'requesting' || handle.state === 'unavailable')) return;
    handle.doneLoading();
    this.drop(documentId);
  }

  /** `repo.flush()` throws on a handle that is not ready (unavailable, still loading): skip those. */
  flush(): Promise<void> {
    const ready = Object.values(this.repo.handles).filter((handle) => handle.isReady());
    return this.repo.flush(ready.map((handle) => handle.documentId));
  }

  /**
   * Tells the peer, with automerge-repo's `error` message plus Symphony's `code`, `documentId` and
   * `detail` (`ChangeRefusal` in `@symphony/schemas`), that its changes were not taken; the
   * connection stays open. The refused changes stay in the peer's document and come again with its
   * later changes, so each (document, reason) is sent (and logged) once per `RefusalNotices`
   * window, not per resend.
   */
  private refuseChanges(connection: AutomergeConnection, refusal: Refusal, logIt = true): void {
    const untold = connection.notices.take(refusal.documentId, refusal.code);
    if (untold === undefined) return;
    if (logIt)
      this.options.log.info('refused automerge changes', {
        remote: connection.remote,
        documentId: refusal.documentId,
        code: refusal.code,
        reason: refusal.message,
        ...(untold > 0 ? { suppressed: untold } : {}),
      });
    sendRefusal(connection, refusal, this.options.peerId);
  }

  private takeWriters(documentId: string): readonly string[] {
    const writers = this.writersSince.get(documentId);
    this.writersSince.delete(documentId);
    return writers ? [...writers] : [];
  }

  /**
   * A write of `documentId` failed in storage (automerge-repo would only log an unhandled
   * rejection). The server's copy now holds changes storage does not, so it is dropped (the next
   * sync reloads what storage has) and every connection that has the document open is told with
   * automerge-repo's `error` message: the storage's code when it refused the changes for good
   * ({@link StorageRefusedError}, e.g. `invalid_workflow`, `document_too_large`,
   * `document_not_found`), else that they could not be stored yet.
   */
  private onSaveFailure(documentId: string, error: unknown): void {
    const refused = error instanceof StorageRefusedError;
    this.options.log.error(
      refused ? 'storage refused automerge changes' : 'failed to store automerge changes',
      {
        documentId,
        error: String(error),
      },
    );
    const refusal = storageRefusal(documentId, refused ? error.code : undefined);
    for (const connection of this.options.openers(documentId)) this.refuseChanges(connection, refusal, false);
    if (this.repo.handles[documentId as AutomergeDocumentId]) this.drop(documentId);
  }

  /** Drops the server's copy of a document; the next message for it loads it from storage. */
  private drop(documentId: string): void {
    this.repo
      .removeFromCache(documentId as AutomergeDocumentId)
      .catch((error: unknown) =>
        this.options.log.error('could not drop the automerge document', { documentId, error: String(error) }),
      );
  }
}

/** Whether a read-only peer's changes are all ones the server already has (they are then let through). */
function repeatsOnly(doc: A.Doc<unknown>, changes: readonly Uint8Array[]): boolean {
  try {
    return addsNothing(doc, changes);
  } catch {
    return false;
  }
}
