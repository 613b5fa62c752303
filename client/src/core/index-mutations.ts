// Watches a Workspace's index Y.Doc for this replica's own creates, renames and deletes of Documents
// and Workflows, so they can be registered with OFB.
import * as Y from 'yjs';
import { DOCUMENTS_KEY } from './document-index.js';
import { WORKFLOWS_KEY } from './workflow-index.js';

/** A change a person made to the workspace index, to register with OFB. */
export type IndexMutation =
  | {
      readonly kind: 'create';
      readonly resource: 'document' | 'workflow';
      readonly id: string;
      readonly title: string;
    }
  | {
      readonly kind: 'rename';
      readonly resource: 'document' | 'workflow';
      readonly id: string;
      readonly title: string;
    }
  | {
      readonly kind: 'delete';
      readonly resource: 'document' | 'workflow';
      readonly id: string;
      /** Its title just before the delete, when this replica knew it. */
      readonly title?: string;
    };

/**
 * The origin of a transaction that puts back an entry OFB restored from the trash: OFB knows it
 * already, so it is not reported as a create.
 */
export const INDEX_RESTORE_ORIGIN = Symbol('index-restore');

/** A workflow's id in OFB and on the sync-server: its automerge document id (the URL without `automerge:`). */
export function workflowDocumentId(url: string): string {
  return url.startsWith('automerge:') ? url.slice('automerge:'.length) : url;
}

/**
 * Calls `listener` for every document or workflow this replica creates, renames or deletes in the
 * index `doc` (its own transactions only: changes that arrive from the server or IndexedDB were
 * registered by whoever made them). Returns an unsubscribe.
 */
export function watchIndexMutations(doc: Y.Doc, listener: (mutation: IndexMutation) => void): () => void {
  const watch = (key: string, resource: 'document' | 'workflow', titleField: string): (() => void) => {
    const map = doc.getMap<unknown>(key);
    const idOf = (k: string): string => (resource === 'workflow' ? workflowDocumentId(k) : k);
    const titleOf = (value: unknown): string | null => {
      const t =
        value instanceof Y.Map
          ? value.get(titleField)
          : (value as Record<string, unknown> | null)?.[titleField];
      return typeof t === 'string' ? t : null;
    };
    // Titles as of the last transaction: a deleted entry can no longer be read.
    const titles = new Map<string, string>();
    const remember = (): void => {
      titles.clear();
      for (const [k, v] of map) {
        const t = titleOf(v);
        if (t !== null) titles.set(k, t);
      }
    };
    remember();
    const handler = (events: Y.YEvent<Y.Map<unknown>>[], transaction: Y.Transaction): void => {
      if (transaction.local && transaction.origin !== INDEX_RESTORE_ORIGIN) report(events);
      remember();
    };
    const report = (events: Y.YEvent<Y.Map<unknown>>[]): void => {
      const renamed = new Set<string>();
      for (const event of events) {
        if (event.target === map) {
          for (const [k, change] of event.changes.keys) {
            if (change.action === 'add') {
              const title = titleOf(map.get(k));
              if (title !== null) listener({ kind: 'create', resource, id: idOf(k), title });
            } else if (change.action === 'delete') {
              const title = titles.get(k);
              listener({ kind: 'delete', resource, id: idOf(k), ...(title === undefined ? {} : { title }) });
            } else if (titleOf(change.oldValue) !== titleOf(map.get(k))) {
              renamed.add(k);
            }
          }
        } else {
          const k = event.path[0];
          if (typeof k === 'string' && event.changes.keys.has(titleField) && !isNew(events, map, k))
            renamed.add(k);
        }
      }
      for (const k of renamed) {
        const title = titleOf(map.get(k));
        if (title !== null) listener({ kind: 'rename', resource, id: idOf(k), title });
      }
    };
    map.observeDeep(handler);
    return () => map.unobserveDeep(handler);
  };
  const stops = [watch(DOCUMENTS_KEY, 'document', 'title'), watch(WORKFLOWS_KEY, 'workflow', 'name')];
  return () => {
    for (const stop of stops) stop();
  };
}

/** Whether `key` was added to `map` in this same batch of events (its title is part of the create). */
function isNew(events: Y.YEvent<Y.Map<unknown>>[], map: Y.Map<unknown>, key: string): boolean {
  return events.some((e) => e.target === map && e.changes.keys.get(key)?.action === 'add');
}
