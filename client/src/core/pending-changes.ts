/**
 * Bookkeeping for "local changes the server has not yet saved".
 *
 * Every local transaction leaves a marker: the Yjs client id that made it and that client's clock
 * after it. The server reports the state vector it has stored durably (Symphony's `savedState`
 * message); a marker is saved once the stored clock for its client reaches the marker's clock.
 * Markers outlive a reload (they are serialised per document), so edits made offline before a
 * reload still count until the server has them.
 *
 * A transaction that only deletes does not advance its client's clock, so its marker carries the
 * clock of that client's latest insertion: it counts as saved together with that insertion. Yjs
 * state vectors say nothing about deletions, so this is the closest the server's report allows.
 */
export class PendingChanges {
  /** Client id → clocks of unsaved local transactions, ascending (equal clocks allowed). */
  private readonly markers = new Map<number, number[]>();
  /** Client id → highest clock the server has reported as stored. */
  private readonly saved = new Map<number, number>();

  /** How many local transactions the server has not yet reported as stored. */
  get count(): number {
    let n = 0;
    for (const clocks of this.markers.values()) n += clocks.length;
    return n;
  }

  /**
   * Records one local transaction by `clientId` that left that client's clock at `clock`.
   * A transaction that leaves the clock at 0 (a client that never inserted) cannot be tracked by
   * state vectors and is ignored. Returns whether the count changed.
   */
  record(clientId: number, clock: number): boolean {
    if (clock <= 0 || clock <= (this.saved.get(clientId) ?? 0)) return false;
    const clocks = this.markers.get(clientId);
    if (clocks === undefined) {
      this.markers.set(clientId, [clock]);
    } else {
      const last = clocks[clocks.length - 1] ?? 0;
      // Clocks only grow for one client; an out-of-order clock would be a caller's bug.
      clocks.push(Math.max(last, clock));
    }
    return true;
  }

  /**
   * Applies a state vector the server reports as durably stored. Returns whether the count changed.
   */
  acknowledge(stored: ReadonlyMap<number, number>): boolean {
    let changed = false;
    for (const [clientId, clock] of stored) {
      if (clock > (this.saved.get(clientId) ?? 0)) this.saved.set(clientId, clock);
      const clocks = this.markers.get(clientId);
      if (clocks === undefined) continue;
      const remaining = clocks.filter((c) => c > clock);
      if (remaining.length !== clocks.length) {
        changed = true;
        if (remaining.length === 0) this.markers.delete(clientId);
        else this.markers.set(clientId, remaining);
      }
    }
    return changed;
  }

  /**
   * Drops markers the local document can no longer deliver: clocks beyond what `local` (the
   * document's own state vector) holds, e.g. after its local storage was cleared. Returns whether
   * the count changed.
   */
  discardUnreachable(local: ReadonlyMap<number, number>): boolean {
    let changed = false;
    for (const [clientId, clocks] of this.markers) {
      const have = local.get(clientId) ?? 0;
      const reachable = clocks.filter((c) => c <= have);
      if (reachable.length !== clocks.length) {
        changed = true;
        if (reachable.length === 0) this.markers.delete(clientId);
        else this.markers.set(clientId, reachable);
      }
    }
    return changed;
  }

  /** Client ids that have unsaved markers. */
  clients(): number[] {
    return [...this.markers.keys()];
  }

  /**
   * The markers of one client as JSON (`[clock, …]`), or `null` if it has none. Markers are
   * stored per client so two tabs editing one document never overwrite each other's.
   */
  serializeClient(clientId: number): string | null {
    const clocks = this.markers.get(clientId);
    return clocks === undefined ? null : JSON.stringify(clocks);
  }

  /**
   * Adds markers of `clientId` from {@link PendingChanges.serializeClient} output. Anything
   * malformed (a value from an older version, a hand-edited entry) is skipped rather than thrown:
   * losing a counter is better than failing to open a document.
   */
  restoreClient(clientId: number, text: string | null): void {
    if (text === null || !isUint(clientId)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(parsed)) return;
    const saved = this.saved.get(clientId) ?? 0;
    const clocks = [...(this.markers.get(clientId) ?? []), ...parsed.filter(isUint)]
      .filter((c) => c > 0 && c > saved)
      .sort((a, b) => a - b);
    if (clocks.length > 0) this.markers.set(clientId, clocks);
  }
}

/** Unsaved work as a person counts it. */
export interface UnsavedWork {
  /** Documents with changes the server has not saved. */
  readonly documents: number;
  /** Whether the workspace's document list (titles, new documents) has such changes too. */
  readonly list: boolean;
}

/** Nothing unsaved. */
export const NOTHING_UNSAVED: UnsavedWork = { documents: 0, list: false };

/**
 * What the person reads about unsaved work: documents, not edit steps ("18 unsaved" counted
 * keystrokes and looked alarming), or `null` when everything is saved.
 */
export function describeUnsaved({ documents, list }: UnsavedWork): string | null {
  if (documents > 0) return `Unsaved changes in ${countDocuments(documents)}`;
  return list ? 'Unsaved changes to the document list' : null;
}

/**
 * What has not reached the server, for the sign-out warning: documents (or the document list) with
 * unsaved changes and queued workspace changes (create, invite, rename…); `null` when nothing waits.
 */
export function describeUnsent({ documents, list }: UnsavedWork, workspaceChanges: number): string | null {
  const text =
    documents > 0 ? `Changes in ${countDocuments(documents)}` : list ? 'Changes to the document list' : null;
  const queued =
    workspaceChanges > 0
      ? `${workspaceChanges} workspace ${workspaceChanges === 1 ? 'change' : 'changes'}`
      : null;
  if (text === null && queued === null) return null;
  const verb = text === null && workspaceChanges === 1 ? 'has' : 'have';
  return `${[text, queued].filter((part) => part !== null).join(' and ')} ${verb} not reached the server yet.`;
}

function countDocuments(n: number): string {
  return `${n} ${n === 1 ? 'document' : 'documents'}`;
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
