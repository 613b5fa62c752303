// The workspace trash as the client shows it (rows with who deleted what, when, and days left) and
// the index write that puts a restored document or workflow back in the workspace's lists.
import { type OfbResponse, TRASH_RETENTION_DAYS } from '@symphony/schemas';
import * as Y from 'yjs';
import { DOCUMENTS_KEY } from './document-index.js';
import { relativeTime } from './format.js';
import { INDEX_RESTORE_ORIGIN } from './index-mutations.js';
import { WORKFLOWS_KEY } from './workflow-index.js';

/** One item of `list-trash`. */
export type TrashItem = OfbResponse<'list-trash'>['items'][number];

/** One row of the trash view, in words. */
export interface TrashRow {
  readonly id: string;
  readonly kind: 'document' | 'workflow';
  readonly title: string;
  /** "Deleted by alice 2 days ago". */
  readonly deleted: string;
  /** Days until OFB purges it, rounded up (30 just after the delete, 1 on its last day, at least 0). */
  readonly daysLeft: number;
  /** "28 days left", "1 day left", "Deleted for good today". */
  readonly daysLeftLabel: string;
}

const DAY_MS = 86_400_000;

/** The trash's rows, most recently deleted first, described for `now`. */
export function trashRows(items: readonly TrashItem[], now: Date): TrashRow[] {
  return [...items]
    .sort((a, b) =>
      a.deletedAt === b.deletedAt ? a.id.localeCompare(b.id) : a.deletedAt < b.deletedAt ? 1 : -1,
    )
    .map((item) => {
      const daysLeft = Math.max(
        0,
        Math.min(TRASH_RETENTION_DAYS, Math.ceil((Date.parse(item.purgeAt) - now.getTime()) / DAY_MS)),
      );
      return {
        id: item.id,
        kind: item.kind,
        title: item.title,
        deleted: `Deleted by ${item.deletedByName} ${relativeTime(item.deletedAt, now)}`,
        daysLeft,
        daysLeftLabel:
          daysLeft === 0 ? 'Deleted for good today' : `${daysLeft} ${daysLeft === 1 ? 'day' : 'days'} left`,
      };
    });
}

/**
 * Lists a document or workflow OFB restored (`document`, from `restore-document`) in the workspace
 * index `doc` again, as it was listed before the delete: a document under its id with its title, a
 * workflow under its automerge URL with its name, `updatedAt` now. Written with
 * {@link INDEX_RESTORE_ORIGIN}, so the index watcher does not register it with OFB as a new one.
 */
export function restoreToIndex(
  doc: Y.Doc,
  document: Pick<OfbResponse<'restore-document'>['document'], 'id' | 'kind' | 'title' | 'createdAt'>,
  now: Date,
): void {
  const workflow = document.kind === 'workflow';
  const map = doc.getMap<unknown>(workflow ? WORKFLOWS_KEY : DOCUMENTS_KEY);
  const key = workflow ? `automerge:${document.id}` : document.id;
  doc.transact(() => {
    const entry = new Y.Map<string>();
    map.set(key, entry);
    entry.set(workflow ? 'name' : 'title', document.title);
    entry.set('createdAt', document.createdAt);
    entry.set('updatedAt', now.toISOString());
  }, INDEX_RESTORE_ORIGIN);
}
