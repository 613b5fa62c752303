// Playwright fixtures for the browser tests: the running server, OFB calls, fresh signed-in users, and
// (in the specs that ask for it) an orchestrator beside the server.
import {
  type Browser,
  type BrowserContext,
  test as base,
  expect,
  type Locator,
  type Page,
} from '@playwright/test';
import { OfbApi, type OfbSession, storedSession } from './ofb.js';
import { Orchestrator } from './orchestrator.js';
import { SyncServer } from './sync-server.js';

/** A role in a workspace. */
export type TestRole = 'owner' | 'editor' | 'viewer';

/** Options for `newUser`. */
export interface NewUserOptions {
  /** The role in the test's shared workspace; the first user owns it, later ones default to editor. */
  readonly role?: TestRole;
  /** Leave the browser signed out (no `symphony:session`), to exercise the sign-in screen. */
  readonly signedOut?: boolean;
  /** Give the user a workspace of their own instead of joining the test's shared one. */
  readonly ownWorkspace?: boolean;
}

/** A person using Symphony in their own browser context (own IndexedDB, localStorage, service worker). */
export class SymphonyUser {
  /** The header's connection indicator (`data-state`: online | syncing | offline; `data-unsaved`). */
  readonly indicator: Locator;
  /** CodeMirror's editable area. */
  readonly editor: Locator;

  constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly server: SyncServer,
    /** The user's OFB session (signed up through OFB's HTTP API before the page opened). */
    readonly session: OfbSession,
    /** The workspace the user's browser opens (the test's shared one unless `ownWorkspace`). */
    readonly workspaceId: string,
  ) {
    this.indicator = page.getByTestId('connection-indicator');
    this.editor = page.locator('markdown-editor .cm-content');
  }

  /**
   * How many sync WebSockets (`/yjs/…`) the page holds open (`CONNECTING` or `OPEN`), by the
   * page's own `WebSocket` objects. Emulated offline blocks traffic but closes no socket, so this
   * tells whether the app itself disconnected.
   */
  openSyncSockets(): Promise<number> {
    return this.page.evaluate(
      () =>
        (window as unknown as { __syncSockets: WebSocket[] }).__syncSockets.filter(
          (s) => s.readyState === WebSocket.CONNECTING || s.readyState === WebSocket.OPEN,
        ).length,
    );
  }

  /**
   * How many workflow WebSockets (`/automerge`) the page holds open (`CONNECTING` or `OPEN`).
   */
  openWorkflowSockets(): Promise<number> {
    return this.page.evaluate(
      () =>
        (window as unknown as { __workflowSockets: WebSocket[] }).__workflowSockets.filter(
          (s) => s.readyState === WebSocket.CONNECTING || s.readyState === WebSocket.OPEN,
        ).length,
    );
  }

  /** The Harmony Board's focusable canvas. */
  get board(): Locator {
    return this.page.getByTestId('harmony-board');
  }

  /** Every node drawn on the board. */
  get boardNodes(): Locator {
    return this.page.getByTestId('board-node');
  }

  /** Every edge drawn on the board. */
  get boardEdges(): Locator {
    return this.page.getByTestId('board-edge');
  }

  /** The node with id `id` on the board. */
  boardNode(id: string): Locator {
    return this.page.locator(`[data-testid="board-node"][data-node-id="${id}"]`);
  }

  /**
   * Creates a workflow from the home page (`blank` or a template id); returns its URL once open. A
   * template asks for its documents: `documents` are the titles to pick, in order (none: pick later).
   */
  async createWorkflow(templateId = 'blank', documents: readonly string[] = []): Promise<string> {
    await this.page.getByTestId('new-workflow').click();
    await this.page.locator(`[data-testid="template-card"][data-template-id="${templateId}"]`).click();
    if (templateId !== 'blank') {
      const dialog = this.page.getByTestId('template-documents');
      await expect(dialog).toBeVisible();
      const pickers = dialog.getByTestId('document-picker-input');
      for (const [i, title] of documents.entries()) {
        await pickers.nth(i).fill(title);
        await dialog.getByTestId('document-option').filter({ hasText: title }).first().click();
      }
      await dialog.getByTestId('template-create').click();
    }
    await expect(this.board).toBeVisible();
    return this.currentWorkflowUrl();
  }

  /** Opens workflow `url` by address and waits for its board. */
  async gotoWorkflow(url: string): Promise<void> {
    await this.page.goto(`${this.server.url}#/workflow/${url}`);
    await expect(this.board).toBeVisible();
  }

  /** The automerge URL in the address (`#/workflow/<url>`). */
  currentWorkflowUrl(): string {
    const match = /#\/workflow\/([^/?#]+)/.exec(this.page.url());
    if (match?.[1] === undefined) throw new Error(`not on a workflow page: ${this.page.url()}`);
    return decodeURIComponent(match[1]);
  }

  /** The workflow as this page's replica has it (node and edge ids, for assertions). */
  workflowSnapshot(): Promise<{ nodes: Record<string, { type: string }>; edges: Record<string, unknown> }> {
    return this.page
      .locator('workflow-view')
      .evaluate((el) =>
        JSON.parse(JSON.stringify((el as unknown as { controller: { doc: unknown } }).controller.doc)),
      );
  }

  /** Drags node type `type` from the library onto the board at `x`, `y` (board-relative pixels); returns the new node's id. */
  async dropNode(type: string, x: number, y: number): Promise<string> {
    const before = new Set(Object.keys((await this.workflowSnapshot()).nodes));
    await this.page
      .locator(`[data-testid="palette-item"][data-type="${type}"]`)
      .dragTo(this.board, { targetPosition: { x, y } });
    let id: string | undefined;
    await expect
      .poll(async () => {
        id = Object.keys((await this.workflowSnapshot()).nodes).find((n) => !before.has(n));
        return id;
      })
      .toBeDefined();
    return id as string;
  }

  /** Draws an edge by dragging from output `fromPort` of `from` to input `toPort` of `to`. */
  async connect(from: string, fromPort: string, to: string, toPort: string): Promise<void> {
    const start = await this.portCenter(from, 'out', fromPort);
    const end = await this.portCenter(to, 'in', toPort);
    await this.page.mouse.move(start.x, start.y);
    await this.page.mouse.down();
    await this.page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2 + 20, { steps: 4 });
    await this.page.mouse.move(end.x, end.y, { steps: 4 });
    await this.page.mouse.up();
  }

  private async portCenter(
    node: string,
    side: 'in' | 'out',
    port: string,
  ): Promise<{ x: number; y: number }> {
    const box = await this.boardNode(node)
      .locator(`[data-testid="port"][data-side="${side}"][data-port="${port}"] .shape`)
      .boundingBox();
    if (box === null) throw new Error(`port ${side} ${port} of node ${node} is not visible`);
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  /** Opens the app without waiting for anything (the sign-in screen, when signed out). */
  async openApp(): Promise<void> {
    await this.page.goto(this.server.url);
  }

  /** Opens the workspace home and waits for the document list to load. */
  async gotoHome(): Promise<void> {
    await this.page.goto(this.server.url);
    await expect(this.page.getByTestId('loading')).toHaveCount(0);
  }

  /** Opens document `id` by URL and waits for its editor. */
  async gotoDocument(id: string): Promise<void> {
    await this.page.goto(`${this.server.url}#/doc/${id}`);
    await expect(this.editor).toBeVisible();
  }

  /** Creates a document from the home page; returns its id once its editor is open. */
  async createDocument(title: string): Promise<string> {
    await this.page.getByTestId('new-document-title').fill(title);
    await this.page.getByTestId('create-document').click();
    await expect(this.editor).toBeVisible();
    return this.currentDocumentId();
  }

  /** The id in the URL (`#/doc/<id>`). */
  currentDocumentId(): string {
    const match = /#\/doc\/([^/?#]+)/.exec(this.page.url());
    if (match?.[1] === undefined) throw new Error(`not on a document page: ${this.page.url()}`);
    return decodeURIComponent(match[1]);
  }

  /** The text CodeMirror shows (its model; remote cursor labels are not part of it). */
  editorText(): Promise<string> {
    return this.page
      .locator('markdown-editor')
      .evaluate((el) => (el as unknown as { readonly value: string }).value);
  }

  /** Puts the caret at the end of the document and types `text`. */
  async typeAtEnd(text: string): Promise<void> {
    await this.editor.click();
    await this.page.keyboard.press('Control+End');
    await this.page.keyboard.type(text);
  }

  /** Puts the caret at the start of the document and types `text`. */
  async typeAtStart(text: string): Promise<void> {
    await this.editor.click();
    await this.page.keyboard.press('Control+Home');
    await this.page.keyboard.type(text);
  }

  /** Waits until the app is connected, caught up and has no unsaved changes. */
  async expectAllSaved(): Promise<void> {
    await expect(this.indicator).toHaveAttribute('data-state', 'online');
    await expect(this.indicator).toHaveAttribute('data-unsaved', '0');
  }

  /** The number of local changes the indicator says the server has not saved. */
  async unsavedCount(): Promise<number> {
    return Number(await this.indicator.getAttribute('data-unsaved'));
  }

  /** Waits until a service worker controls the page, so the app opens without the server. */
  async waitForServiceWorker(): Promise<void> {
    await this.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  }
}

/**
 * Fixtures: a fresh real sync-server per test, users in separate browser contexts, and a real
 * orchestrator for the tests that name it (point a user's page at it with `useOrchestrator` from
 * `./orchestrator.js` before the page's first load).
 */
export const test = base.extend<{
  server: SyncServer;
  orchestrator: Orchestrator;
  ofb: OfbApi;
  newUser: (name: string, color?: string, options?: NewUserOptions) => Promise<SymphonyUser>;
}>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures must destructure their dependencies.
  server: async ({}, use, testInfo) => {
    const server = await SyncServer.start();
    try {
      await use(server);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('sync-server.log', { body: server.log, contentType: 'text/plain' });
      }
      await server.dispose();
    }
  },
  orchestrator: async ({ server }, use, testInfo) => {
    const orchestrator = await Orchestrator.start({ server });
    try {
      await use(orchestrator);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('orchestrator.log', { body: orchestrator.log, contentType: 'text/plain' });
      }
      await orchestrator.dispose();
    }
  },
  ofb: async ({ server }, use) => {
    await use(new OfbApi(server.url));
  },
  /**
   * Signs a person up through OFB's HTTP API and opens their browser signed in (the session and
   * workspace injected before the page loads). Everyone in one test shares one workspace: the first
   * user creates and owns it, each later one is invited by name by the owner and accepts.
   */
  newUser: async ({ browser, server, ofb }, use) => {
    const contexts: BrowserContext[] = [];
    let shared: { owner: OfbSession; workspaceId: string } | null = null;
    await use(async (name, color = '#1e6fd9', options = {}) => {
      const session = await ofb.signUp(name);
      let workspaceId: string;
      if (options.ownWorkspace) {
        workspaceId = await ofb.createWorkspace(session, `${name}’s workspace`);
      } else if (shared === null) {
        shared = { owner: session, workspaceId: await ofb.createWorkspace(session, 'Team') };
        workspaceId = shared.workspaceId;
      } else {
        await ofb.addMember(shared.owner, shared.workspaceId, session, options.role ?? 'editor');
        workspaceId = shared.workspaceId;
      }
      const { context, page } = await openContext(browser, name, color, {
        session: options.signedOut ? null : JSON.stringify(storedSession(session)),
        workspaceId,
      });
      contexts.push(context);
      return new SymphonyUser(name, context, page, server, session, workspaceId);
    });
    // The server's Content-Security-Policy must never get in the app's way (nor a hostile peer's).
    const violations = contexts.flatMap((c) => cspViolations.get(c) ?? []);
    await Promise.all(contexts.map((c) => c.close()));
    expect(violations, 'Content-Security-Policy violations in the browser console').toEqual([]);
  },
});

/** What each context's pages and workers logged about the Content-Security-Policy. */
const cspViolations = new WeakMap<BrowserContext, string[]>();

async function openContext(
  browser: Browser,
  name: string,
  color: string,
  signIn: { session: string | null; workspaceId: string },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const violations: string[] = [];
  cspViolations.set(context, violations);
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await context.addInitScript(
    ([session, workspaceId]) => {
      // Only on first load: the app refreshes the session later and keeps its own copy.
      if (session !== null && localStorage.getItem('symphony:session') === null) {
        localStorage.setItem('symphony:session', session);
      }
      if (localStorage.getItem('symphony:workspace') === null) {
        localStorage.setItem('symphony:workspace', workspaceId);
      }
    },
    [signIn.session, signIn.workspaceId] as const,
  );
  await context.addInitScript(
    ([userName, userColor]) => {
      if (localStorage.getItem('symphony:user') === null) {
        localStorage.setItem('symphony:user', JSON.stringify({ name: userName, color: userColor }));
      }
    },
    [name, color] as const,
  );
  await context.addInitScript(() => {
    // Test instrumentation: remember every sync socket the app opens.
    const sockets: WebSocket[] = [];
    const workflowSockets: WebSocket[] = [];
    (window as unknown as { __syncSockets: WebSocket[] }).__syncSockets = sockets;
    (window as unknown as { __workflowSockets: WebSocket[] }).__workflowSockets = workflowSockets;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        const path = new URL(String(url)).pathname;
        if (path.startsWith('/yjs/')) sockets.push(this);
        if (path === '/automerge') workflowSockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  return { context, page };
}

export { expect };
