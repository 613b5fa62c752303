// <symphony-app>: the app shell: header, the routed view (Workspace home, a Document or a Workflow),
// the footer about storage and offline support, global shortcuts and Markdown import.
import type { DocumentId, Workflow, WorkspaceId } from '@symphony/schemas';
import { html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ConnectionStateController } from '../controllers/connection-state-controller.js';
import { DocumentIndexController } from '../controllers/document-index-controller.js';
import { openPopovers } from '../controllers/popover-controller.js';
import { StoreSubscriptionController } from '../controllers/store-subscription-controller.js';
import {
  WorkflowCommandsController,
  type WorkflowSyncLoader,
} from '../controllers/workflow-commands-controller.js';
import { InvalidTitleError } from '../core/document-index.js';
import { type IndexMutation, workflowDocumentId } from '../core/index-mutations.js';
import { titleForImport } from '../core/markdown.js';
import { NOTHING_UNSAVED } from '../core/pending-changes.js';
import { homeRoute, parseRoute, type Route, routeHash } from '../core/route.js';
import { appShortcut } from '../core/shortcuts.js';
import { decodeTextFile } from '../core/text-file.js';
import type { UserProfile } from '../core/user-profile.js';
import type { Monitor } from '../monitor/monitor.js';
import { type AuthSession, AuthStatus } from '../ofb/auth-session.js';
import type { OfbClient } from '../ofb/ofb-client.js';
import { type Outbox, OutboxFunction } from '../ofb/outbox.js';
import type { WorkspaceDirectory } from '../ofb/workspace-directory.js';
import { sharedStyles } from '../styles/shared.js';
import { ConnectionStatus, DocumentAccess } from '../sync/document-session.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import { symphonyAppStyles } from './symphony-app.styles.js';
import './connection-indicator.js';
import './members-dialog.js';
import type { MembersDialog } from './members-dialog.js';
import './trash-dialog.js';
import type { TrashDialog } from './trash-dialog.js';
import './outbox-panel.js';
import './sign-in-view.js';
import './workspace-switcher.js';
import './document-view.js';
import { CONTENT_KEY, type DocumentView } from './document-view.js';
import './user-menu.js';
import './workspace-home.js';
import './workspace-search.js';
import type { WorkspaceHome } from './workspace-home.js';
import './workflow-list.js';
import type { TemplatePick } from './template-gallery.js';

export type { WorkflowSyncLoader } from '../controllers/workflow-commands-controller.js';

/** 5 MiB: far more than any hand-written Markdown file; larger files are probably not text. */
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** What the app knows about durable storage and offline support, shown in the footer. */
export interface DeviceStatus {
  /** Result of `navigator.storage.persist()`: `null` while asking or when unsupported. */
  readonly storagePersisted: boolean | null;
  /** Whether the service worker has cached the app, so it opens without a network. */
  readonly offlineReady: boolean;
}

/**
 * The Symphony app shell: header (connection state, the person's profile), the routed view
 * (workspace home or a document, by URL hash) and a footer about storage and offline support.
 * Handles the global keyboard shortcuts and Markdown import.
 *
 * @fires profile-change - re-dispatched from `<user-menu>`; the host stores the profile.
 */
@customElement('symphony-app')
export class SymphonyApp extends LitElement {
  static override styles = [sharedStyles, symphonyAppStyles];

  /** Shared document sessions; set by the entry point. */
  @property({ attribute: false }) registry: SessionRegistry | undefined;
  /** Storage and offline status; set by the entry point. */
  @property({ attribute: false }) device: DeviceStatus = { storagePersisted: null, offlineReady: false };
  /** Loads the workflow repo; set by the entry point. */
  @property({ attribute: false }) loadWorkflows: WorkflowSyncLoader | undefined;
  /** The signed-in session; set by the entry point. Without a session the app shows sign-in. */
  @property({ attribute: false }) auth: AuthSession | undefined;
  /** OFB's functions; set by the entry point. */
  @property({ attribute: false }) ofb: OfbClient | undefined;
  /** Queued OFB mutations; set by the entry point once signed in. */
  @property({ attribute: false }) outbox: Outbox | undefined;
  /** The user's workspaces; set by the entry point once signed in. */
  @property({ attribute: false }) directory: WorkspaceDirectory | undefined;
  /** The page's orchestrator (runs from the board); set by the entry point once signed in. */
  @property({ attribute: false }) monitor: Monitor | undefined;

  @state() private reauthOpen = false;
  @query('members-dialog') private membersDialog!: MembersDialog | null;
  @query('trash-dialog') private trashDialog!: TrashDialog | null;
  private readonly stores = new StoreSubscriptionController(this);

  @state() private route: Route = parseRoute(location.hash);
  @state() private notice: { text: string; kind: 'info' | 'error' } | null = null;

  @query('workspace-home') private home!: WorkspaceHome | null;
  @query('document-view') private documentView!: DocumentView | null;

  private readonly connection = new ConnectionStateController(this);
  private readonly workspace = new DocumentIndexController(
    this,
    { now: () => new Date(), newId: () => crypto.randomUUID() },
    (workspaceId, mutation) => void this.registerMutation(workspaceId, mutation),
  );
  private readonly workflows = new WorkflowCommandsController(this, {
    loader: () => this.loadWorkflows,
    index: () => this.workspace.workflowIndex,
    open: (url) => this.navigate({ name: 'workflow', url }),
    notify: (notice) => this.showNotice(notice),
  });
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    window.addEventListener('keydown', this.onKeydown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
    window.removeEventListener('keydown', this.onKeydown);
  }

  protected override willUpdate(): void {
    this.stores.watch([this.auth, this.outbox, this.directory]);
    this.connection.attach(this.registry);
    const current = this.directory?.current ?? null;
    this.workspace.attach(this.registry, current === null ? null : (current.id as WorkspaceId));
    // The server's live word on the role ([101, role] on the index) overrides the listed one.
    const indexRole = this.workspace.session?.snapshot.role;
    if (current !== null && indexRole != null && indexRole !== current.role)
      this.directory?.noteRole(current.id, indexRole);
  }

  private get signedOut(): boolean {
    return (
      this.auth === undefined || this.auth.status === AuthStatus.signedOut || this.registry === undefined
    );
  }

  protected override render() {
    if (this.signedOut) {
      return html`<header>${this.renderBrand()}</header>
        <main>
          <sign-in-view .client=${this.ofb} @signed-in=${this.onSignedIn}></sign-in-view>
        </main>
        <footer></footer>`;
    }
    const state = this.combinedState();
    const profile = this.registry?.profile;
    const directory = this.directory;
    return html`
      <header>
        ${this.renderBrand()}
        ${
          directory === undefined
            ? nothing
            : html`<workspace-switcher
                .workspaces=${directory.list}
                .current=${directory.current}
                .inbox=${directory.inbox}
                @workspace-select=${(e: CustomEvent<{ id: string }>) => this.selectWorkspace(e.detail.id)}
                @workspace-create=${(e: CustomEvent<{ name: string }>) => void this.createWorkspace(e.detail.name)}
                @open-members=${() => void this.membersDialog?.show()}
              ></workspace-switcher>`
        }
        <span class="spacer"></span>
        <connection-indicator
          .state=${state?.status ?? ConnectionStatus.offline}
          .unsaved=${state?.unsaved ?? 0}
          .unsavedWork=${state?.unsavedWork ?? NOTHING_UNSAVED}
          .offlineReason=${state?.offlineReason ?? null}
          .pendingMutations=${this.outbox?.pendingCount ?? 0}
        ></connection-indicator>
        ${this.outbox === undefined ? nothing : html`<outbox-panel .outbox=${this.outbox}></outbox-panel>`}
        ${
          profile === undefined
            ? nothing
            : html`<user-menu
                .profile=${profile}
                .account=${this.auth?.session?.user.name ?? null}
                .client=${this.ofb}
                .unsentWork=${state?.unsavedWork ?? NOTHING_UNSAVED}
                .unsentWorkspaceChanges=${this.outbox?.pendingCount ?? 0}
                @profile-change=${this.onProfileChange}
              ></user-menu>`
        }
      </header>
      <main class=${this.route.name === 'home' ? '' : 'doc'}>
        ${this.renderAccessBanners()}
        ${this.renderRoute()}
      </main>
      ${
        directory === undefined
          ? nothing
          : html`<members-dialog
              .client=${this.ofb}
              .outbox=${this.outbox}
              .workspace=${directory.current}
              .userId=${this.auth?.session?.user.id ?? ''}
            ></members-dialog>
            <trash-dialog
              .client=${this.ofb}
              .workspace=${directory.current}
              .indexDoc=${this.workspace.session?.doc ?? null}
            ></trash-dialog>`
      }
      ${this.renderReauth()}
      <footer>
        <span data-testid="storage-status">${this.storageLabel()}</span>
        <span data-testid="offline-ready">
          ${this.device.offlineReady ? 'App available offline' : 'Preparing offline use…'}
        </span>
      </footer>
      ${
        this.notice === null
          ? nothing
          : html`<div class="notice ${this.notice.kind}" role=${this.notice.kind === 'error' ? 'alert' : 'status'}
            data-testid="notice">
            <span>${this.notice.text}</span>
            <button @click=${() => this.showNotice(null)} aria-label="Dismiss">Dismiss</button>
          </div>`
      }
    `;
  }

  private renderBrand() {
    return html`<a class="brand" href="#/" aria-label="Symphony, all documents">
      <svg viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--sy-accent)" />
        <path d="M9 21c3 0 3-10 7-10s4 10 7 10" stroke="#fff" stroke-width="2.5" fill="none" stroke-linecap="round" />
      </svg>
      <span class="brand-name">Symphony</span>
    </a>`;
  }

  /** Banners above the page: a session OFB refused, a workspace the person lost access to. */
  private renderAccessBanners() {
    const auth = this.auth;
    const banners = [];
    if (auth?.status === AuthStatus.needsSignIn) {
      banners.push(html`<div class="banner" role="alert" data-testid="session-ended">
        Your session has ended. Sign in again to sync; your edits are kept on this device.
        <button class="primary" @click=${() => (this.reauthOpen = true)}>Sign in</button>
      </div>`);
    }
    if (this.workspace.session?.snapshot.access === DocumentAccess.forbidden) {
      banners.push(html`<div class="banner" role="alert" data-testid="workspace-forbidden">
        You no longer have access to this workspace.
      </div>`);
    }
    const role = this.directory?.current?.role;
    if (role === 'viewer' && this.route.name === 'home') {
      banners.push(html`<div class="banner info" role="status" data-testid="workspace-view-only">
        <strong>View only</strong> You are a viewer in this workspace: you can open and read everything, not change it.
      </div>`);
    }
    return banners;
  }

  private renderReauth() {
    if (!this.reauthOpen || this.auth?.status !== AuthStatus.needsSignIn) return nothing;
    return html`<div class="overlay">
      <sign-in-view
        .client=${this.ofb}
        initialName=${this.auth.session?.user.name ?? ''}
        reason="Your session has ended. Sign in again to sync your edits."
        @signed-in=${this.onSignedIn}
      ></sign-in-view>
    </div>`;
  }

  private onSignedIn(): void {
    // The entry point keeps the session (it listens for the same event); close the overlay.
    this.reauthOpen = false;
  }

  private selectWorkspace(id: string): void {
    this.directory?.select(id);
    this.goHome();
  }

  private async createWorkspace(name: string): Promise<void> {
    try {
      await this.directory?.create(name);
      this.goHome();
      this.showNotice({ kind: 'info', text: `Created workspace “${name}”.` });
    } catch (error) {
      this.showNotice({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Queues the OFB call that matches a change this replica made to the workspace's index. */
  private async registerMutation(workspaceId: WorkspaceId, m: IndexMutation): Promise<void> {
    const outbox = this.outbox;
    if (outbox === undefined) return;
    const what = m.resource === 'workflow' ? 'workflow' : 'document';
    try {
      if (m.kind === 'create') {
        await outbox.enqueue(
          OutboxFunction.createDocument,
          { workspaceId, id: m.id, kind: m.resource, title: m.title },
          `Create ${what} “${m.title}”`,
        );
      } else if (m.kind === 'rename') {
        await outbox.enqueue(
          OutboxFunction.renameDocument,
          { documentId: m.id, title: m.title },
          `Rename ${what} to “${m.title}”`,
        );
      } else {
        await outbox.enqueue(
          OutboxFunction.deleteDocument,
          { documentId: m.id },
          `Delete ${what} ${m.title === undefined ? m.id : `“${m.title}”`}`,
        );
      }
    } catch (error) {
      this.showNotice({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
    }
  }

  private renderRoute() {
    if (this.route.name === 'workflow') {
      void this.workflows.ensureLoaded();
      void import('./workflow-view.js');
      return html`<workflow-view
        .sync=${this.workflows.sync}
        .url=${this.route.url}
        .index=${this.workspace.workflowIndex}
        .profile=${this.registry?.profile}
        .readOnly=${this.directory?.current?.role === 'viewer'}
        .documents=${this.workspace.loaded ? this.workspace.documents : null}
        .workspaceRole=${this.directory?.current?.role ?? null}
        .monitor=${this.monitor}
        .ofb=${this.ofb}
        ?registering=${this.outbox?.isCreationPending(workflowDocumentId(this.route.url)) ?? false}
        @navigate-home=${this.goHome}
      ></workflow-view>`;
    }
    if (this.route.name === 'document') {
      const id = this.route.id;
      return html`<document-view
        .registry=${this.registry}
        .index=${this.workspace.index}
        .documentId=${id}
        .summary=${this.workspace.index === null ? undefined : this.workspace.documents.find((d) => d.id === id)}
        ?indexLoaded=${this.workspace.loaded}
        .workspaceRole=${this.directory?.current?.role ?? null}
        .workspaceName=${this.directory?.current?.name ?? null}
        ?registering=${this.outbox?.isCreationPending(id) ?? false}
        @navigate-home=${this.goHome}
      ></document-view>`;
    }
    const viewer = this.directory?.current?.role === 'viewer';
    return html`<workspace-home
      .index=${this.workspace.index}
      .readOnly=${viewer}
      .documents=${this.workspace.documents}
      ?loaded=${this.workspace.loaded}
      @open-document=${(e: CustomEvent<{ id: DocumentId }>) => this.openDocument(e.detail.id)}
      @document-deleted=${(e: CustomEvent<{ id: DocumentId }>) => void this.registry?.forget(e.detail.id)}
      @import-file=${(e: CustomEvent<File>) => void this.importMarkdown(e.detail)}
      @open-trash=${() => void this.trashDialog?.show()}
    ></workspace-home>
    <workspace-search
      .registry=${this.registry}
      .documents=${this.workspace.documents}
      @open-document=${(e: CustomEvent<{ id: DocumentId }>) => this.openDocument(e.detail.id)}
    ></workspace-search>
    <workflow-list
      .index=${this.workspace.workflowIndex}
      .readOnly=${viewer}
      .workflows=${this.workspace.workflows}
      .importErrors=${this.workflows.importErrors}
      .documents=${this.workspace.documents}
      @template-pick=${(e: CustomEvent<TemplatePick>) =>
        void this.workflows.createFromTemplate(e.detail.templateId, e.detail.documents)}
      @workflow-deleted=${(e: CustomEvent<{ url: string }>) => void this.workflows.forget(e.detail.url)}
      @workflow-renamed=${(e: CustomEvent<{ url: string; name: string }>) =>
        void this.workflows.rename(e.detail.url, e.detail.name)}
      @import-workflow-file=${(e: CustomEvent<File>) => void this.workflows.importFile(e.detail)}
    ></workflow-list>`;
  }

  /** The indicator's state: the documents', and on a workflow page the workflow's too. */
  private combinedState() {
    const docs = this.connection.state;
    const wf = this.route.name === 'workflow' ? this.workflows.sync?.state : undefined;
    if (docs === null || wf === undefined) return docs;
    const rank = { offline: 2, syncing: 1, online: 0 } as const;
    if (rank[wf.status] <= rank[docs.status]) return docs;
    return { ...docs, status: wf.status, offlineReason: wf.offlineReason };
  }

  /**
   * Creates a workflow document holding `workflow`, lists it in the workspace and opens it.
   * Returns its automerge URL (the dev hook that loads a generated workflow uses it too).
   */
  createWorkflow(workflow: Workflow): Promise<string | undefined> {
    return this.workflows.create(workflow);
  }

  private storageLabel(): string {
    switch (this.device.storagePersisted) {
      case true:
        return 'Storage: persistent';
      case false:
        return 'Storage: best effort (the browser may clear it when space runs low)';
      default:
        return 'Storage: checking…';
    }
  }

  private readonly onHashChange = (): void => {
    this.showRoute(parseRoute(location.hash));
  };

  private navigate(route: Route): void {
    const hash = routeHash(route);
    if (location.hash !== hash) location.hash = hash;
    this.showRoute(route);
  }

  /** Shows `route`; the popovers open over the page it replaces close. */
  private showRoute(route: Route): void {
    if (routeHash(route) !== routeHash(this.route)) openPopovers.closeAll('navigation');
    this.route = route;
  }

  private openDocument(id: DocumentId, { focusTitle = false } = {}): void {
    this.navigate({ name: 'document', id });
    void this.updateComplete.then(() => {
      if (focusTitle) void this.documentView?.focusTitle();
      else void this.documentView?.focusEditor();
    });
  }

  private goHome(): void {
    this.navigate(homeRoute);
  }

  private async goHomeAndFocusSearch(): Promise<void> {
    this.navigate(homeRoute);
    await this.updateComplete;
    await this.home?.updateComplete;
    this.home?.focusSearch();
  }

  private createUntitled(): void {
    const index = this.workspace.index;
    if (index === null || this.directory?.current?.role === 'viewer') return;
    const created = index.create('Untitled');
    this.openDocument(created.id, { focusTitle: true });
  }

  /** The app's keys, for what the editor and the popovers did not claim (see `appShortcut`). */
  private readonly onKeydown = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.isComposing) return;
    const path = e.composedPath();
    const target = path[0];
    const typing =
      target instanceof HTMLElement &&
      (target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA');
    const action = appShortcut(e, {
      page: this.route.name,
      typing,
      inEditor: typing && path.some((n) => n instanceof HTMLElement && n.localName === 'markdown-editor'),
      inModal: path.some((n) => n instanceof HTMLDialogElement && n.open),
      popoverOpen: openPopovers.size > 0,
    });
    if (action === null) return;
    e.preventDefault();
    if (action === 'close-popover') openPopovers.closeInnermost('dismiss');
    else if (action === 'leave') this.goHome();
    else if (action === 'search') void this.goHomeAndFocusSearch();
    else this.createUntitled();
  };

  private onProfileChange(e: CustomEvent<UserProfile>): void {
    this.registry?.setProfile(e.detail);
    this.requestUpdate();
  }

  private async importMarkdown(file: File): Promise<void> {
    const index = this.workspace.index;
    const registry = this.registry;
    if (index === null || registry === undefined) return;
    if (file.size > MAX_IMPORT_BYTES) {
      this.showNotice({
        kind: 'error',
        text: `“${file.name}” is larger than 5 MB; import a Markdown file instead.`,
      });
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch {
      this.showNotice({ kind: 'error', text: `Could not read “${file.name}”.` });
      return;
    }
    const decoded = decodeTextFile(bytes, file.name);
    if (!decoded.ok) {
      this.showNotice({ kind: 'error', text: decoded.message });
      return;
    }
    const text = decoded.text;
    let id: DocumentId;
    try {
      id = index.create(titleForImport(text, file.name)).id;
    } catch (error) {
      if (!(error instanceof InvalidTitleError)) throw error;
      this.showNotice({ kind: 'error', text: error.message });
      return;
    }
    const session = registry.acquire(id, { presence: false });
    try {
      await session.whenLoaded;
      session.doc.getText(CONTENT_KEY).insert(0, text);
    } finally {
      registry.release(id, { presence: false });
    }
    this.showNotice({ kind: 'info', text: `Imported “${file.name}”.` });
    this.openDocument(id);
  }

  private showNotice(notice: { text: string; kind: 'info' | 'error' } | null): void {
    clearTimeout(this.noticeTimer);
    this.notice = notice;
    if (notice !== null) this.noticeTimer = setTimeout(() => (this.notice = null), 6000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'symphony-app': SymphonyApp;
  }
}
