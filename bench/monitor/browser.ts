/**
 * Chromium for the monitor benchmark (Debian's, as the browser tests use it): the board page signed
 * in as the workflow's owner on the real app, and the bare page; both with the recorder of
 * `page-recorder.js`, driven from here.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from '@playwright/test';
import { type DocumentId, MONITOR_URL_STORAGE_KEY, type WorkflowId } from '@symphony/schemas';
import { z } from 'zod';
import type { MonitorStack } from './stack.ts';

/** Debian's Chromium, as e2e/playwright.config.ts launches it. */
export const CHROMIUM = '/usr/bin/chromium';

/** 1280 × 800: a laptop screen, the width the screenshots are taken at. */
const VIEWPORT = { width: 1280, height: 800 };

const RECORDER = fileURLToPath(new URL('./page-recorder.js', import.meta.url));

/** Whether Chromium is installed where the benchmark looks for it. */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

/** Headless Chromium with the browser tests' flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Screenshots of every page `browser` has open, under .test-output/bench-monitor/; their paths. */
export async function screenshots(browser: Browser): Promise<string[]> {
  const pages = browser.contexts().flatMap((c) => c.pages());
  const paths: string[] = [];
  for (const [i, page] of pages.entries()) {
    const path = resolve(`.test-output/bench-monitor/failure-${i + 1}.png`);
    try {
      await page.screenshot({ path });
      paths.push(path);
    } catch {
      // a page that cannot be shot (closed, crashed) has nothing to show
    }
  }
  return paths;
}

/** What a page recorded since its last reset. */
export const PageRecord = z.object({
  /** Node id, state and wall-clock time of every state a node element took, in order. */
  ids: z.array(z.string()),
  states: z.array(z.string()),
  times: z.array(z.number()),
  /** Wall-clock timestamps of the frames drawn. */
  frames: z.array(z.number()),
});
export type PageRecord = z.infer<typeof PageRecord>;

/** A page with the recorder, observing its node elements. */
export class RecordedPage {
  private constructor(
    readonly page: Page,
    private readonly origin: string,
  ) {}

  /** A page signed in as the stack's owner, with the orchestrator set to the stack's serve, on the workspace home. */
  static async signedIn(browser: Browser, stack: MonitorStack): Promise<RecordedPage> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const session = {
      access_token: stack.owner.token,
      expires_at: Date.now() + stack.owner.expiresIn * 1000,
      user: { id: stack.owner.userId, name: stack.owner.name },
    };
    await context.addInitScript(
      ([entries]) => {
        for (const [key, value] of entries) localStorage.setItem(key, value);
      },
      [
        [
          ['symphony:session', JSON.stringify(session)],
          ['symphony:workspace', stack.workspaceId],
          ['symphony:user', JSON.stringify({ name: stack.owner.name, color: '#2f6fdf' })],
          [MONITOR_URL_STORAGE_KEY, stack.serve.url],
        ],
      ] as const,
    );
    await context.addInitScript({ path: RECORDER });
    const page = await context.newPage();
    await page.goto(stack.team.origin);
    await page.getByTestId('new-document-title').waitFor({ timeout: 60_000 });
    return new RecordedPage(page, stack.team.origin);
  }

  /** Creates a document titled `title` from the workspace home, as a person does; its id. */
  async createDocument(title: string): Promise<DocumentId> {
    await this.page.getByTestId('new-document-title').fill(title);
    await this.page.getByTestId('create-document').click();
    await this.page.locator('markdown-editor .cm-content').waitFor({ timeout: 30_000 });
    const match = /#\/doc\/([^/?#]+)/.exec(this.page.url());
    if (match?.[1] === undefined)
      throw new Error(`creating a document led to ${this.page.url()}, not a document`);
    return decodeURIComponent(match[1]) as DocumentId;
  }

  /**
   * Opens the Harmony Board of `workflowId`; resolves once all `nodes` are drawn and the board
   * watches the workflow's runs (its Run button is enabled).
   */
  async openBoard(workflowId: WorkflowId, nodes: number): Promise<void> {
    const page = this.page;
    await page.goto(`${this.origin}/#/workflow/${workflowId}`);
    await page.locator('harmony-board').waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForFunction(
      (n) =>
        (window as unknown as { __monitorBench: { observe(s: string): number } }).__monitorBench.observe(
          'harmony-board',
        ) >= n,
      nodes,
      { timeout: 60_000, polling: 250 },
    );
    try {
      await page.waitForFunction(
        () =>
          (window as unknown as { __monitorBench: { runEnabled(): boolean } }).__monitorBench.runEnabled(),
        undefined,
        { timeout: 60_000, polling: 250 },
      );
    } catch {
      const reason = await page.getByTestId('run-disabled-reason').allTextContents();
      throw new Error(`the board's Run button stayed disabled: ${reason.join(' ') || 'no reason shown'}`);
    }
  }

  /** The bare page at `url`, once its socket is open. */
  static async bare(browser: Browser, url: string, nodes: number): Promise<RecordedPage> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript({ path: RECORDER });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('body[data-connected="true"]').waitFor({ timeout: 30_000 });
    const count = await page.evaluate(() =>
      (window as unknown as { __monitorBench: { observe(s: null): number } }).__monitorBench.observe(null),
    );
    if (count !== nodes) throw new Error(`the bare page shows ${count} nodes, not ${nodes}`);
    return new RecordedPage(page, new URL(url).origin);
  }

  /** Removes every node's state (the bare page between runs; the board shows its runs' own). */
  clearStates(): Promise<void> {
    return this.page.evaluate(() => {
      for (const el of document.querySelectorAll('[data-run-state]')) el.removeAttribute('data-run-state');
    });
  }

  /** The board shows no run (see `showNoRun` in page-recorder.js). */
  showNoRun(): Promise<void> {
    return this.page.evaluate(() =>
      (window as unknown as { __monitorBench: { showNoRun(): Promise<void> } }).__monitorBench.showNoRun(),
    );
  }

  /** Forgets what was recorded and starts recording frames. */
  reset(): Promise<void> {
    return this.page.evaluate(() =>
      (window as unknown as { __monitorBench: { reset(): void } }).__monitorBench.reset(),
    );
  }

  /** Waits until `count` nodes changed to `state` since the reset; false after `timeoutMs`. */
  async showing(state: string, count: number, timeoutMs: number): Promise<boolean> {
    try {
      await this.page.waitForFunction(
        ([s, n]) =>
          (window as unknown as { __monitorBench: { showing(s: string): number } }).__monitorBench.showing(
            s,
          ) >= n,
        [state, count] as const,
        { timeout: timeoutMs, polling: 50 },
      );
      return true;
    } catch {
      return false;
    }
  }

  /** Stops recording frames; what was recorded since the reset. */
  async collect(): Promise<PageRecord> {
    return PageRecord.parse(
      await this.page.evaluate(() =>
        (window as unknown as { __monitorBench: { collect(): unknown } }).__monitorBench.collect(),
      ),
    );
  }

  /** How far the page's wall clock (`timeOrigin + now()`) is from its `Date.now()`, in ms. */
  async clockSkew(): Promise<number> {
    const { before, wall, after } = await this.page.evaluate(() =>
      (
        window as unknown as { __monitorBench: { clocks(): { before: number; wall: number; after: number } } }
      ).__monitorBench.clocks(),
    );
    if (wall < before) return wall - before;
    if (wall > after + 1) return wall - (after + 1);
    return 0;
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
