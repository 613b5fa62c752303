// The signed-in user's Workspaces (WorkspaceDirectory): OFB's list cached for offline starts, those
// still in the outbox, which one is open, the user's role in it, and the invitations to others.
import type { Role } from '@symphony/schemas';
import { InvitationInbox } from '../core/invitation-inbox.js';
import type { CallFailure } from '../core/invite-refusal.js';
import type { StringStore } from '../core/StringStore.js';
import type { SymphonyDb } from './local-db.js';
import type { OfbClient, OfbWorkspaceRow } from './ofb-client.js';
import { OfbRequestError } from './ofb-errors.js';
import { type Outbox, OutboxFunction } from './outbox.js';

/** localStorage key of the workspace the person last had open. */
export const CURRENT_WORKSPACE_KEY = 'symphony:workspace';

/** A workspace as the switcher shows it. */
export interface WorkspaceEntry {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** Created here and not yet registered with OFB (the outbox holds its `create-workspace`). */
  readonly pending: boolean;
}

/** Options for {@link WorkspaceDirectory}. */
export interface WorkspaceDirectoryOptions {
  readonly user: { readonly id: string; readonly name: string };
  readonly client: OfbClient;
  readonly outbox: Outbox;
  readonly db: SymphonyDb;
  readonly store: StringStore;
  readonly newId: () => string;
  readonly now: () => number;
  /** Whether polling for invitations is worth it now (the page visible and online); always by default. */
  readonly isActive?: () => boolean;
}

/**
 * The signed-in user's workspaces: OFB's `list-workspaces`, cached in IndexedDB for offline starts,
 * plus those created here and still in the outbox. Knows which one is open and the user's role in it,
 * and holds the {@link InvitationInbox} of invitations to other workspaces.
 */
export class WorkspaceDirectory {
  private fetched: readonly OfbWorkspaceRow[] = [];
  private currentId: string | null;
  private loadedValue = false;
  private roleOverride = new Map<string, Role>();
  private readonly listeners = new Set<() => void>();
  /** The user's pending invitations to other workspaces, polled while the page is active. */
  readonly inbox: InvitationInbox;

  constructor(private readonly options: WorkspaceDirectoryOptions) {
    this.currentId = options.store.getItem(CURRENT_WORKSPACE_KEY);
    options.outbox.subscribe(() => this.emit());
    const { client } = options;
    this.inbox = new InvitationInbox({
      list: () => client.listInvitations(),
      accept: (i) => client.acceptInvitation(i.id),
      decline: (i) => client.declineInvitation(i.id),
      // The new workspace is listed (and can be opened) as soon as the answer is in.
      onAccepted: () => this.refresh(),
      failure: callFailure,
      ...(options.isActive === undefined ? {} : { isActive: options.isActive }),
    });
    this.inbox.subscribe(() => this.emit());
  }

  /** Whether the cached or fetched list has been read. */
  get loaded(): boolean {
    return this.loadedValue;
  }

  /** Every workspace, by name. */
  get list(): WorkspaceEntry[] {
    const rows = new Map<string, WorkspaceEntry>();
    for (const w of this.fetched) {
      rows.set(w.id, { id: w.id, name: w.name, role: this.roleOverride.get(w.id) ?? w.role, pending: false });
    }
    for (const e of this.options.outbox.entries) {
      const id = e.body.id;
      if (e.name !== OutboxFunction.createWorkspace || typeof id !== 'string' || rows.has(id)) continue;
      rows.set(id, { id, name: String(e.body.name), role: 'owner', pending: true });
    }
    return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The open workspace: the one chosen last if still listed, else the first. */
  get current(): WorkspaceEntry | null {
    const list = this.list;
    const chosen = list.find((w) => w.id === this.currentId);
    if (chosen !== undefined) return chosen;
    // First start offline (no cached list yet): open the workspace chosen last; the server's
    // `[101, role]` on its index tells the role once connected.
    if (!this.loadedValue && this.currentId !== null)
      return { id: this.currentId, name: 'Workspace', role: 'editor', pending: false };
    return list[0] ?? null;
  }

  /** Calls `listener` whenever the list, the current workspace or a role changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the cached list (instant, works offline), then asks OFB. */
  async start(): Promise<void> {
    const cached = await this.options.db.workspaces.get(this.options.user.id);
    if (cached !== undefined) this.fetched = cached.workspaces;
    this.loadedValue = cached !== undefined;
    this.emit();
    void this.inbox.start();
    await this.refresh();
  }

  /** Stops polling for invitations (signed out, or the page goes away). */
  stop(): void {
    this.inbox.stop();
  }

  /**
   * Asks OFB for the list and caches it. When the user has none at all (a new account), creates
   * their first workspace. Offline, keeps the cached list.
   */
  async refresh(): Promise<void> {
    let rows: OfbWorkspaceRow[];
    try {
      rows = await this.options.client.listWorkspaces();
    } catch (error) {
      if (error instanceof OfbRequestError && !error.isTransient) throw error;
      return;
    }
    this.fetched = rows;
    this.roleOverride.clear();
    this.loadedValue = true;
    await this.options.db.workspaces.put({
      userId: this.options.user.id,
      workspaces: rows,
      fetchedAt: this.options.now(),
    });
    if (this.list.length === 0) await this.create(`${this.options.user.name}’s workspace`);
    this.emit();
  }

  /** Opens workspace `id`. */
  select(id: string): void {
    this.currentId = id;
    this.options.store.setItem(CURRENT_WORKSPACE_KEY, id);
    this.emit();
  }

  /** Creates a workspace (offline too: its id is made here) and opens it. */
  async create(name: string): Promise<string> {
    const id = this.options.newId();
    await this.options.outbox.enqueue(
      OutboxFunction.createWorkspace,
      { name: name.trim(), id },
      `Create workspace “${name.trim()}”`,
    );
    this.select(id);
    return id;
  }

  /** The server said (`[101, role]`) the user's role in `workspaceId` is now `role`. */
  noteRole(workspaceId: string, role: Role): void {
    if (this.roleOverride.get(workspaceId) === role) return;
    this.roleOverride.set(workspaceId, role);
    this.emit();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A failed OFB call, for the inbox's words: OFB's code and message, or unreachable (`code: null`). */
function callFailure(error: unknown): CallFailure {
  return error instanceof OfbRequestError && !error.isTransient
    ? { code: error.code, message: error.message }
    : { code: null, message: error instanceof Error ? error.message : String(error) };
}
