// The Workspace's Workflow list in its index Y.Doc, beside the Document list (WorkflowIndex): add,
// rename, touch and delete by automerge URL, merged live across replicas.
import { WorkflowName } from '@symphony/schemas';
import * as Y from 'yjs';

/** Name of the `Y.Map` of workflows in the workspace index document, beside `documents`. */
export const WORKFLOWS_KEY = 'workflows';

/** One row of the workspace's workflow list. */
export interface WorkflowSummary {
  /** The workflow's automerge URL (`automerge:<base58 id>`); also its key in the index. */
  readonly url: string;
  readonly name: string;
  /** ISO 8601 timestamps. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A workflow name a person typed was rejected; `message` says why, fit for the UI. */
export class InvalidWorkflowNameError extends Error {
  override name = 'InvalidWorkflowNameError';
}

/**
 * Checks `input` against the shared {@link WorkflowName} schema and returns it trimmed.
 * Throws {@link InvalidWorkflowNameError} with a sentence-case message otherwise.
 */
export function validateWorkflowName(input: string): string {
  const trimmed = input.trim();
  const result = WorkflowName.safeParse(trimmed);
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? 'name is not valid';
    throw new InvalidWorkflowNameError(message.charAt(0).toUpperCase() + message.slice(1));
  }
  return trimmed;
}

/** Whether `url` looks like an automerge URL: `automerge:` and a base58 id. */
export function looksLikeAutomergeUrl(url: string): boolean {
  return /^automerge:[1-9A-HJ-NP-Za-km-z]{10,64}$/.test(url);
}

/**
 * The workspace's workflow list, in the same Y.Doc as the document list (so it is offline-first and
 * merges live the same way): a `Y.Map` named {@link WORKFLOWS_KEY} of automerge URL → `Y.Map`
 * with `name`, `createdAt` and `updatedAt`. The workflows themselves are Automerge documents.
 */
export class WorkflowIndex {
  private readonly workflows: Y.Map<unknown>;

  /**
   * @param doc the workspace index document.
   * @param now the clock; injected so tests control time.
   */
  constructor(
    private readonly doc: Y.Doc,
    private readonly now: () => Date,
  ) {
    this.workflows = doc.getMap<unknown>(WORKFLOWS_KEY);
  }

  /** Every valid entry, most recently updated first (ties by name). */
  list(): WorkflowSummary[] {
    const rows: WorkflowSummary[] = [];
    for (const [url, value] of this.workflows) {
      const row = readEntry(url, value);
      if (row !== null) rows.push(row);
    }
    rows.sort((a, b) =>
      a.updatedAt === b.updatedAt ? a.name.localeCompare(b.name) : a.updatedAt < b.updatedAt ? 1 : -1,
    );
    return rows;
  }

  /** The entry for `url`, or `undefined`. */
  get(url: string): WorkflowSummary | undefined {
    return readEntry(url, this.workflows.get(url)) ?? undefined;
  }

  /**
   * Lists the workflow at `url` under `name` (validated; throws {@link InvalidWorkflowNameError}).
   * Adding a URL that is already listed renames it.
   */
  add(url: string, name: string): WorkflowSummary {
    if (!looksLikeAutomergeUrl(url))
      throw new RangeError(`WorkflowIndex.add(): "${url}" is not an automerge URL`);
    const valid = validateWorkflowName(name);
    const at = this.now().toISOString();
    const existing = this.workflows.get(url);
    if (existing instanceof Y.Map) {
      this.doc.transact(() => {
        existing.set('name', valid);
        existing.set('updatedAt', at);
      });
      return readEntry(url, existing) as WorkflowSummary;
    }
    const entry = new Y.Map<string>();
    this.doc.transact(() => {
      this.workflows.set(url, entry);
      entry.set('name', valid);
      entry.set('createdAt', at);
      entry.set('updatedAt', at);
    });
    return { url, name: valid, createdAt: at, updatedAt: at };
  }

  /** Renames `url` (validated). Returns false when it is not listed. */
  rename(url: string, name: string): boolean {
    const valid = validateWorkflowName(name);
    const entry = this.workflows.get(url);
    if (!(entry instanceof Y.Map)) return false;
    if (entry.get('name') === valid) return true;
    this.doc.transact(() => {
      entry.set('name', valid);
      entry.set('updatedAt', this.now().toISOString());
    });
    return true;
  }

  /** Marks `url` as just edited. Does nothing when it is not listed. */
  touch(url: string): void {
    const entry = this.workflows.get(url);
    if (entry instanceof Y.Map) entry.set('updatedAt', this.now().toISOString());
  }

  /** Removes `url` from the list. Returns whether it was there. */
  delete(url: string): boolean {
    if (!this.workflows.has(url)) return false;
    this.workflows.delete(url);
    return true;
  }

  /** Calls `listener` after any change to the list, local or remote. Returns an unsubscribe. */
  observe(listener: () => void): () => void {
    const handler = (): void => listener();
    this.workflows.observeDeep(handler);
    return () => this.workflows.unobserveDeep(handler);
  }
}

function readEntry(url: string, value: unknown): WorkflowSummary | null {
  if (!looksLikeAutomergeUrl(url) || !(value instanceof Y.Map)) return null;
  const name: unknown = value.get('name');
  const createdAt: unknown = value.get('createdAt');
  const updatedAt: unknown = value.get('updatedAt');
  if (typeof name !== 'string' || typeof createdAt !== 'string') return null;
  return { url, name, createdAt, updatedAt: typeof updatedAt === 'string' ? updatedAt : createdAt };
}
