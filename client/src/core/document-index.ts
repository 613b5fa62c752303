// The Workspace's Document list in its index Y.Doc (DocumentIndex): create, rename, touch and delete,
// merged live across replicas; title validation and title search.
import { DocumentId, Title } from '@symphony/schemas';
import * as Y from 'yjs';

/** One row of the workspace's document list. */
export interface DocumentSummary {
  readonly id: DocumentId;
  readonly title: string;
  /** ISO 8601 timestamps. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A title a person typed was rejected; `message` says why, in words fit for the UI. */
export class InvalidTitleError extends Error {
  override name = 'InvalidTitleError';
}

/** The document a caller named is not (or no longer) in the index. */
export class DocumentNotFoundError extends Error {
  override name = 'DocumentNotFoundError';
}

/** Name of the top-level `Y.Map` in the workspace index document. */
export const DOCUMENTS_KEY = 'documents';

/**
 * Checks `input` against the shared {@link Title} schema and returns it trimmed.
 * Throws {@link InvalidTitleError} with a sentence-case message otherwise.
 */
export function validateTitle(input: string): string {
  const result = Title.safeParse(input.trim());
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? 'title is not valid';
    throw new InvalidTitleError(message.charAt(0).toUpperCase() + message.slice(1));
  }
  return result.data;
}

/**
 * Case-insensitive search by title: every white-space separated word of `query` must occur in the
 * title. An empty query matches everything. Keeps the order of `documents`.
 */
export function searchDocuments(documents: readonly DocumentSummary[], query: string): DocumentSummary[] {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...documents];
  return documents.filter((d) => {
    const title = d.title.toLocaleLowerCase();
    return words.every((w) => title.includes(w));
  });
}

/**
 * The workspace's document list, kept in a Y.Doc so it works offline and merges live.
 *
 * Layout: a `Y.Map` named {@link DOCUMENTS_KEY} of document id → `Y.Map` with `title`,
 * `createdAt` and `updatedAt` (ISO strings). Nested maps let a rename on one replica and an
 * `updatedAt` bump on another both survive. Entries written as plain objects are read too.
 */
export class DocumentIndex {
  private readonly documents: Y.Map<unknown>;
  private readonly doc: Y.Doc;

  /**
   * @param doc the workspace index document.
   * @param now the clock; injected so tests control time.
   * @param newId generates ids for new documents (`crypto.randomUUID` in the app).
   */
  constructor(
    doc: Y.Doc,
    private readonly now: () => Date,
    private readonly newId: () => string,
  ) {
    this.doc = doc;
    this.documents = doc.getMap<unknown>(DOCUMENTS_KEY);
  }

  /** Every valid entry, most recently updated first (ties by title). */
  list(): DocumentSummary[] {
    const rows: DocumentSummary[] = [];
    for (const [id, value] of this.documents) {
      const row = readEntry(id, value);
      if (row !== null) rows.push(row);
    }
    rows.sort((a, b) =>
      a.updatedAt === b.updatedAt ? a.title.localeCompare(b.title) : a.updatedAt < b.updatedAt ? 1 : -1,
    );
    return rows;
  }

  /** The entry for `id`, or `undefined`. */
  get(id: DocumentId): DocumentSummary | undefined {
    return readEntry(id, this.documents.get(id)) ?? undefined;
  }

  /** Adds a document titled `title` (validated). Throws {@link InvalidTitleError}. */
  create(title: string): DocumentSummary {
    const valid = validateTitle(title);
    const id = DocumentId.parse(this.newId());
    const at = this.now().toISOString();
    const entry = new Y.Map<string>();
    this.doc.transact(() => {
      this.documents.set(id, entry);
      entry.set('title', valid);
      entry.set('createdAt', at);
      entry.set('updatedAt', at);
    });
    return { id, title: valid, createdAt: at, updatedAt: at };
  }

  /** Renames `id`. Throws {@link InvalidTitleError} or {@link DocumentNotFoundError}. */
  rename(id: DocumentId, title: string): void {
    const valid = validateTitle(title);
    this.update(id, (entry) => {
      entry.set('title', valid);
      entry.set('updatedAt', this.now().toISOString());
    });
  }

  /** Marks `id` as just edited. Does nothing if it is not in the index. */
  touch(id: DocumentId): void {
    if (!this.documents.has(id)) return;
    this.update(id, (entry) => entry.set('updatedAt', this.now().toISOString()));
  }

  /** Removes `id` from the list. Returns whether it was there. */
  delete(id: DocumentId): boolean {
    if (!this.documents.has(id)) return false;
    this.documents.delete(id);
    return true;
  }

  /** Calls `listener` after any change to the list, local or remote. Returns an unsubscribe. */
  observe(listener: () => void): () => void {
    const handler = (): void => listener();
    this.documents.observeDeep(handler);
    return () => this.documents.unobserveDeep(handler);
  }

  private update(id: DocumentId, change: (entry: Y.Map<string>) => void): void {
    const value = this.documents.get(id);
    const row = readEntry(id, value);
    if (row === null) throw new DocumentNotFoundError(`Document ${id} is not in this workspace`);
    const apply = (): void => {
      if (value instanceof Y.Map) {
        change(value as Y.Map<string>);
      } else {
        // Upgrade a plain-object entry to a nested map so later edits merge.
        const entry = new Y.Map<string>();
        this.documents.set(id, entry);
        entry.set('title', row.title);
        entry.set('createdAt', row.createdAt);
        entry.set('updatedAt', row.updatedAt);
        change(entry);
      }
    };
    this.doc.transact(apply);
  }
}

function readEntry(id: string, value: unknown): DocumentSummary | null {
  const parsedId = DocumentId.safeParse(id);
  if (!parsedId.success) return null;
  const field = (name: string): unknown =>
    value instanceof Y.Map
      ? value.get(name)
      : typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[name]
        : undefined;
  const title = field('title');
  const createdAt = field('createdAt');
  const updatedAt = field('updatedAt');
  if (typeof title !== 'string' || typeof createdAt !== 'string') return null;
  return {
    id: parsedId.data,
    title,
    createdAt,
    updatedAt: typeof updatedAt === 'string' ? updatedAt : createdAt,
  };
}
