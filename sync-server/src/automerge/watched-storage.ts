// The wrapper around the /automerge storage adapter that reports failed saves instead of losing them in
// automerge-repo, and skips the compaction removals that would then lose a Document's last stored version.
import type { StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';

/**
 * `storage` with every write watched: a failed write is reported to `onFailure` instead of
 * rejecting inside automerge-repo's save batch, where nobody catches it.
 *
 * automerge-repo then believes the save succeeded, and a compaction (it compacts small documents
 * on every save) removes the chunks the failed snapshot was to replace: storage would lose the
 * last version it accepted. So once a save of a document failed, removals of that document's
 * chunks are skipped (reported, not applied) until the repo loads the document from storage again,
 * which is what it does after the server drops its copy.
 */
export function watchedSaves(
  storage: StorageAdapterInterface,
  onFailure: (documentId: string, error: unknown, save: boolean) => void,
  takeWriters: (documentId: string) => readonly string[],
  onSkippedRemoval: (documentId: string, key: StorageKey) => void = () => {},
): StorageAdapterInterface {
  // An adapter that takes writers (OfbAutomergeStorage) gets them as a third argument; others ignore it.
  const save = storage.save.bind(storage) as (
    key: StorageKey,
    data: Uint8Array,
    writers?: readonly string[],
  ) => Promise<void>;
  /** Documents with a failed save since their chunks were last loaded. */
  const failed = new Set<string>();
  const guarded = (key: StorageKey, remove: () => Promise<void>): Promise<void> => {
    const documentId = key[0] ?? '';
    if (failed.has(documentId)) {
      onSkippedRemoval(documentId, key);
      return Promise.resolve();
    }
    // A failed remove (after compaction) leaves extra chunks that the next load merges: reported only.
    return remove().catch((error: unknown) => onFailure(documentId, error, false));
  };
  return {
    load: (key) => storage.load(key),
    loadRange: (prefix) => {
      // automerge-repo reads a document's chunks by range, starting with its snapshots.
      if (prefix.length === 2 && prefix[1] === 'snapshot') failed.delete(prefix[0] ?? '');
      return storage.loadRange(prefix);
    },
    remove: (key) => guarded(key, () => storage.remove(key)),
    removeRange: (prefix) => guarded(prefix, () => storage.removeRange(prefix)),
    // Sync states (`[id, 'sync-state', …]`) belong to the document too.
    save: (key, data) =>
      save(key, data, key[1] === 'sync-state' ? undefined : takeWriters(key[0] ?? '')).catch(
        (error: unknown) => {
          if (key[1] !== 'sync-state') failed.add(key[0] ?? '');
          onFailure(key[0] ?? '', error, true);
        },
      ),
  };
}
