// Browser tests of hostile presence: remote cursors and board presence can neither cover the page nor fetch.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, type SymphonyUser, test } from './support/fixtures.js';

/** A listener on another port that counts every request: where a hostile colour points. */
async function leakListener(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/leak`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A colour that, if it reached a `style` attribute, would cover the window and fetch `leak`. */
const hostileColor = (leak: string) => `red;position:fixed;inset:0;z-index:99999;background:url(${leak})`;

/** Counts the requests `page` makes to `url` (a CSP-blocked one never gets this far either). */
function requestsTo(page: Page, url: string): () => number {
  let count = 0;
  page.on('request', (request) => {
    if (request.url().startsWith(url)) count++;
  });
  return () => count;
}

/** The innermost element at the window's centre, through shadow roots. */
function centreElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    let root: Document | ShadowRoot = document;
    let el = root.elementFromPoint(innerWidth / 2, innerHeight / 2);
    while (el?.shadowRoot) {
      const inner = el.shadowRoot.elementFromPoint(innerWidth / 2, innerHeight / 2);
      if (inner === null || inner === el) break;
      root = el.shadowRoot;
      el = inner;
    }
    if (el === null) return 'nothing';
    const cursor = el.closest('.cm-ySelectionCaret, .cm-ySelection, .cm-ySelectionInfo, .cm-yLineSelection');
    if (cursor) return `a remote cursor (${cursor.className})`;
    return el.closest('.cm-editor') ? 'the editor' : `${el.tagName.toLowerCase()}.${el.className}`;
  });
}

/** Lets `user`'s page publish whatever document presence it likes (as a modified client could). */
async function publishUser(user: SymphonyUser, state: Record<string, unknown>): Promise<void> {
  await user.page.locator('markdown-editor').evaluate((el, value) => {
    const awareness = (el as unknown as { awareness: { setLocalStateField(k: string, v: unknown): void } })
      .awareness;
    awareness.setLocalStateField('user', value);
  }, state);
}

/**
 * What a peer-controlled `style` attribute did to `locator`'s element: only a colour may get
 * through, never a position, a layer or an image.
 */
async function expectOnlyColour(locator: Locator): Promise<void> {
  const seen = await locator.evaluate((el) => {
    const style = getComputedStyle(el);
    return {
      attribute: /url\(|position|inset|z-index|expression/i.test(el.getAttribute('style') ?? ''),
      position: style.position === 'fixed',
      image: style.backgroundImage !== 'none',
      colour: /^rgba?\(/.test(style.backgroundColor),
    };
  });
  expect(seen).toEqual({ attribute: false, position: false, image: false, colour: true });
}

/** Asserts that Bob's editor is not covered, and that the remote caret is drawn with a hex colour. */
async function expectSafeCursor(bob: SymphonyUser, name: string): Promise<void> {
  const caret = bob.page.locator('.cm-ySelectionCaret', {
    has: bob.page.locator('.cm-ySelectionInfo', { hasText: name }),
  });
  await expect(caret).toBeVisible();
  expect(await caret.getAttribute('style')).toMatch(
    /^background-color: #[0-9a-f]{6}; border-color: #[0-9a-f]{6}$/i,
  );
  const box = await caret.boundingBox();
  expect(box?.width ?? 0).toBeLessThan(20);
  expect(await caret.evaluate((el) => getComputedStyle(el).position)).toBe('relative');
  await expectOnlyColour(caret.locator('.cm-ySelectionInfo'));
  expect(await centreElement(bob.page)).toBe('the editor');
}

test.describe('hostile presence', () => {
  test('a collaborator’s hostile cursor colour neither covers the editor nor fetches a URL', async ({
    newUser,
  }) => {
    const leak = await leakListener();
    try {
      const bob = await newUser('Bob', '#2e8b57');
      const mallory = await newUser('Mallory', '#d1453b');
      await bob.page.setViewportSize({ width: 1280, height: 800 });
      const bobRequests = requestsTo(bob.page, leak.url);
      await bob.gotoHome();
      const id = await bob.createDocument('Targeted');
      await bob.typeAtEnd('Bob wrote this line. '.repeat(8));
      await mallory.gotoDocument(id);
      await expect.poll(() => mallory.editorText()).toContain('Bob wrote');
      // Mallory selects a few words, then makes her page publish a colour that is CSS.
      await mallory.editor.click();
      await mallory.page.keyboard.press('Control+Home');
      await mallory.page.keyboard.press('Shift+End');
      const hostile = hostileColor(leak.url);
      await publishUser(mallory, { name: 'Mallory', color: hostile, colorLight: hostile });

      await expectSafeCursor(bob, 'Mallory');
      await expect(bob.page.locator('.cm-ySelection').first()).toBeVisible();
      for (const el of await bob.page.locator('.cm-ySelection, .cm-yLineSelection').all()) {
        await expectOnlyColour(el);
      }
      await expectOnlyColour(bob.page.locator('presence-list [data-peer-name="Mallory"]'));
      await bob.page.screenshot({ path: test.info().outputPath('hostile-cursor.png') });
      expect(leak.hits()).toBe(0);
      expect(bobRequests()).toBe(0);
    } finally {
      await leak.close();
    }
  });

  test('the editor cleans remote presence itself, whatever the server relays', async ({ newUser }) => {
    const leak = await leakListener();
    try {
      const bob = await newUser('Bob', '#2e8b57');
      await bob.page.setViewportSize({ width: 1280, height: 800 });
      await bob.gotoHome();
      await bob.createDocument('Careless server');
      await bob.typeAtEnd('Some text for a remote cursor to sit in.');
      // A state as a server that checks nothing would relay it, put straight into Bob's awareness.
      const hostile = hostileColor(leak.url);
      await bob.page.locator('markdown-editor').evaluate((el, color) => {
        type Item = { id: { client: number; clock: number } };
        const editor = el as unknown as {
          text: { _start: Item };
          awareness: {
            states: Map<number, unknown>;
            meta: Map<number, { clock: number; lastUpdated: number }>;
            emit(name: string, args: unknown[]): void;
          };
        };
        const { client, clock } = editor.text._start.id;
        const at = (offset: number) => ({
          type: null,
          tname: null,
          item: { client, clock: clock + offset },
          assoc: 0,
        });
        const { awareness } = editor;
        const peers = [
          [4001, { user: { name: 'Eve', color, colorLight: color }, cursor: { anchor: at(2), head: at(9) } }],
          // Yjs throws on a position that names nothing: it must not take the other cursors down.
          [4002, { user: { name: 'Nul', color: '#123456' }, cursor: { anchor: { item: null }, head: {} } }],
          [
            4003,
            {
              user: { name: `Z\u0000${'z'.repeat(500)}`, color: 'expression(alert(1))' },
              cursor: { anchor: at(12), head: at(12) },
            },
          ],
        ] as const;
        for (const [clientId, state] of peers) {
          awareness.states.set(clientId, state);
          awareness.meta.set(clientId, { clock: 1, lastUpdated: Date.now() });
        }
        awareness.emit('change', [{ added: peers.map(([id]) => id), updated: [], removed: [] }, 'remote']);
      }, hostile);
      await expectSafeCursor(bob, 'Eve');
      const zed = bob.page.locator('.cm-ySelectionInfo', { hasText: /^Zz+$/ });
      await expect(zed).toHaveCount(1);
      expect((await zed.textContent())?.length).toBe(40);
      await expectOnlyColour(bob.page.locator('presence-list [data-peer-name="Eve"]'));
      await bob.page.screenshot({ path: test.info().outputPath('careless-server.png') });
      expect(leak.hits()).toBe(0);
    } finally {
      await leak.close();
    }
  });

  test('hostile board presence draws no overlay and fetches nothing', async ({ newUser }) => {
    const leak = await leakListener();
    try {
      const bob = await newUser('Bob', '#2e8b57');
      const mallory = await newUser('Mallory', '#d1453b');
      await bob.page.setViewportSize({ width: 1280, height: 800 });
      await bob.gotoHome();
      const url = await bob.createWorkflow('blank');
      const node = await bob.dropNode('summarize', 300, 250);
      await mallory.gotoWorkflow(url);
      await expect(
        bob.page.locator('[data-testid="board-presence"] [data-peer-name="Mallory"]'),
      ).toBeVisible();
      // Mallory's page stops its own heartbeat and sends hostile presence instead.
      const hostile = hostileColor(leak.url);
      await mallory.page.locator('workflow-view').evaluate(
        (el, { color, node }) => {
          const controller = (
            el as unknown as {
              controller: { broadcastPresence(): void; handle: { broadcast(m: unknown): void } };
            }
          ).controller;
          controller.broadcastPresence = () => {};
          const send = () =>
            controller.handle.broadcast({
              type: 'board-presence',
              user: { name: 'Mallory', color },
              selection: [node, 'constructor', '</text><script>'],
              pointer: { x: 120, y: 80 },
              dragging: [
                [node, { x: 1e300, y: 0 }],
                ['constructor', { x: 10, y: 10 }],
              ],
            });
          send();
          setInterval(send, 500);
        },
        { color: hostile, node },
      );
      const peer = bob.page.locator('[data-testid="remote-peer"][data-peer-name="Mallory"]');
      await expect(peer.locator('path')).toHaveAttribute('fill', /^#[0-9a-f]{6}$/i);
      await expect(bob.boardNode(node).locator('.remote-outline')).toHaveAttribute(
        'stroke',
        /^#[0-9a-f]{6}$/i,
      );
      await expectOnlyColour(bob.page.locator('[data-testid="board-presence"] [data-peer-name="Mallory"]'));
      await expect(peer.locator('.ghost')).toHaveCount(0);
      // A page that injects presence past the server is ignored by the board.
      await bob.page.locator('workflow-view').evaluate((el, color) => {
        const { handle } = (
          el as unknown as { controller: { handle: { emit(e: string, p: unknown): void } } }
        ).controller;
        handle.emit('ephemeral-message', {
          handle,
          senderId: 'careless-server-peer',
          message: {
            type: 'board-presence',
            user: { name: 'Eve', color },
            selection: [],
            pointer: null,
            dragging: [],
          },
        });
      }, hostile);
      await expect(bob.page.locator('[data-peer-name="Eve"]')).toHaveCount(0);
      const covering = await bob.page.evaluate(() => {
        const [x, y] = [innerWidth / 2, innerHeight / 2];
        let el = document.elementFromPoint(x, y);
        while (el?.shadowRoot) {
          const inner = el.shadowRoot.elementFromPoint(x, y);
          if (inner === null || inner === el) break;
          el = inner;
        }
        return el === null ? null : getComputedStyle(el).position;
      });
      expect(covering).not.toBe('fixed');
      await bob.page.screenshot({ path: test.info().outputPath('hostile-board.png') });
      expect(leak.hits()).toBe(0);
    } finally {
      await leak.close();
    }
  });
});
