import {
  type Browser,
  type BrowserContext,
  test as base,
  expect,
  type Locator,
  type Page,
} from '@playwright/test';
import { SyncServer } from './sync-server.js';

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

/** Fixtures: a fresh real sync-server per test, and users in separate browser contexts. */
export const test = base.extend<{
  server: SyncServer;
  newUser: (name: string, color?: string) => Promise<SymphonyUser>;
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
  newUser: async ({ browser, server }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (name, color = '#1e6fd9') => {
      const { context, page } = await openContext(browser, name, color);
      contexts.push(context);
      return new SymphonyUser(name, context, page, server);
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
});

async function openContext(
  browser: Browser,
  name: string,
  color: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
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
    (window as unknown as { __syncSockets: WebSocket[] }).__syncSockets = sockets;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        if (new URL(String(url)).pathname.startsWith('/yjs/')) sockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  return { context, page };
}

export { expect };
