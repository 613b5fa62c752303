// The live stream from the orchestrator (`/v1/live`): one WebSocket per page that says hello with the
// user's token, refreshes it, watches workflows for whoever asks, and reconnects with backoff.
import {
  type MonitorClientMessage,
  MonitorCloseCode,
  MonitorErrorCode,
  type MonitorHealth,
  MonitorServerMessage,
  type WorkflowId,
} from '@symphony/schemas';

/** Where the live stream stands. */
export const MonitorState = {
  /** Opening the socket or waiting for `welcome` (the first attempt only; later ones keep the last state). */
  connecting: 'connecting',
  /** `welcome` received: watches are live. */
  connected: 'connected',
  /** No orchestrator answers at the URL (or it went away); retried with backoff. */
  unreachable: 'unreachable',
  /** The orchestrator refused the user's token even after a refresh: sign in again. */
  refused: 'refused',
} as const;
export type MonitorState = (typeof MonitorState)[keyof typeof MonitorState];

/** The live stream's state, with what a person needs to know about it. */
export type MonitorStatus =
  | { readonly state: typeof MonitorState.connecting }
  | {
      readonly state: typeof MonitorState.connected;
      readonly user: { readonly id: string; readonly name: string };
      readonly health: MonitorHealth;
    }
  | {
      readonly state: typeof MonitorState.unreachable;
      /** Why, in words for the person. */
      readonly reason: string;
      /** Whether an orchestrator ever answered this page (it stopped, rather than never ran). */
      readonly wasConnected: boolean;
    }
  | { readonly state: typeof MonitorState.refused; readonly reason: string; readonly code: string };

/** A workflow's messages: the `runs` answer, `events`, `progress`, and refusals of its watch. */
export type WorkflowMessage = Extract<
  MonitorServerMessage,
  { type: 'runs' | 'events' | 'progress' | 'error' }
>;

/** What a transport tells the connection. */
export interface MonitorSocketEvents {
  open(): void;
  message(text: string): void;
  close(code: number, reason: string): void;
}

/** A transport: moves text in and out, nothing else (the browser's WebSocket by default). */
export interface MonitorSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a transport to `url` that reports to `events`. */
export type MonitorSocketFactory = (url: string, events: MonitorSocketEvents) => MonitorSocket;

/** How a token refresh ended (AuthSession.refresh's outcome). */
export type TokenRefreshOutcome = 'refreshed' | 'offline' | 'refused' | 'signed-out';

/** Options of {@link MonitorConnection}. */
export interface MonitorConnectionOptions {
  /** The live stream's URL (`liveUrl(orchestratorUrl(...))`). */
  readonly url: string;
  /** The current access token, or `null` when signed out. */
  readonly token: () => string | null;
  /** Trades the token for a fresh one (AuthSession.refresh). */
  readonly refreshToken: () => Promise<TokenRefreshOutcome>;
  readonly createSocket?: MonitorSocketFactory;
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  /** 0–1, for the backoff's jitter. */
  readonly random?: () => number;
}

/** 500 ms: the first retry after a failed attempt; each failure doubles it. */
export const MONITOR_RETRY_BASE_MS = 500;
/**
 * 5 s: the longest wait between attempts. An orchestrator that restarts (after a crash, or `npm
 * start` again) is back on the board within seconds; one attempt to a closed loopback port costs
 * next to nothing.
 */
export const MONITOR_RETRY_MAX_MS = 5_000;
/** 5 s: how long the socket stays open after the last watcher leaves (a board switching workflows). */
export const MONITOR_IDLE_CLOSE_MS = 5_000;
/**
 * 30 s: how long a socket must stay up after `welcome` before the backoff starts again from
 * {@link MONITOR_RETRY_BASE_MS}. An orchestrator that welcomes and then closes at once (a crash
 * loop, a board it finds too slow) is retried ever more slowly, not every half second.
 */
export const MONITOR_STABLE_MS = 30_000;

/**
 * Closes after which an immediate reconnect only makes things worse: the board read too slowly
 * (1013), or the orchestrator failed or could not reach the team server (1011). Retried no sooner
 * than {@link MONITOR_RETRY_MAX_MS}.
 */
const SLOW_DOWN_CLOSES: ReadonlySet<number> = new Set([
  MonitorCloseCode.slowConsumer,
  MonitorCloseCode.internal,
]);

/** Close codes that mean the token: refresh it once, then say "sign in again". */
const TOKEN_CLOSES: ReadonlySet<number> = new Set([
  MonitorCloseCode.unauthorized,
  MonitorCloseCode.tokenExpired,
]);

/**
 * The page's one live stream from its orchestrator. It connects while someone watches a workflow
 * ({@link MonitorConnection.watch}), says `hello` with the user's token, re-sends every watch after a
 * reconnect, swaps a refreshed token in (`token`), and when the orchestrator refuses the token
 * (4401, 4402, `invalid_token`) refreshes it through the auth session once before it says to sign
 * in again. When no orchestrator answers it retries with backoff ({@link MONITOR_RETRY_BASE_MS} up
 * to {@link MONITOR_RETRY_MAX_MS}) and says so in its {@link MonitorStatus}. Messages that do not
 * parse as `MonitorServerMessage` are dropped with a warning; nothing a server sends throws here.
 */
export class MonitorConnection {
  private statusValue: MonitorStatus = { state: MonitorState.connecting };
  private readonly statusListeners = new Set<() => void>();
  private readonly watchers = new Map<WorkflowId, Set<(message: WorkflowMessage) => void>>();
  private socket: MonitorSocket | null = null;
  /** Set once `welcome` came on the current socket. */
  private welcomed = false;
  private attempt = 0;
  private retryTimer: unknown = null;
  private idleTimer: unknown = null;
  /** Runs {@link MONITOR_STABLE_MS} after `welcome`: the socket proved stable, the backoff resets. */
  private stableTimer: unknown = null;
  /** A token refresh is on its way: no socket is opened until it ends (it would carry the old token). */
  private refreshing = false;
  /** A refresh was tried for the current refusal: a second refusal means sign in again. */
  private refreshedForRefusal = false;
  private wasConnected = false;
  private closed = false;
  private readonly createSocket: MonitorSocketFactory;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly random: () => number;

  constructor(private readonly options: MonitorConnectionOptions) {
    this.createSocket = options.createSocket ?? browserSocket;
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.random = options.random ?? Math.random;
  }

  /** The live stream's URL. */
  get url(): string {
    return this.options.url;
  }

  get status(): MonitorStatus {
    return this.statusValue;
  }

  /** Calls `listener` whenever {@link MonitorConnection.status} changes. */
  subscribe(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Delivers `workflowId`'s messages to `listener` (its `runs` answer after every (re)connect, then
   * its events and progress) until the returned function is called. Connects if need be.
   */
  watch(workflowId: WorkflowId, listener: (message: WorkflowMessage) => void): () => void {
    let listeners = this.watchers.get(workflowId);
    const first = listeners === undefined;
    if (listeners === undefined) {
      listeners = new Set();
      this.watchers.set(workflowId, listeners);
    }
    listeners.add(listener);
    this.clearTimer(this.idleTimer);
    this.idleTimer = null;
    if (first && this.welcomed) this.send({ type: 'watch', workflowId });
    this.ensureConnecting();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.unwatch(workflowId, listener);
    };
  }

  /**
   * Asks for `workflowId`'s runs again (a watch the orchestrator refused, say because the team server
   * did not have the workflow yet). Nothing happens unless someone watches it and the socket is up.
   */
  rewatch(workflowId: WorkflowId): void {
    if (this.welcomed && this.watchers.has(workflowId)) this.send({ type: 'watch', workflowId });
  }

  /** Tries again now (the banner's Retry), resetting the backoff. */
  retry(): void {
    if (this.closed) return;
    this.attempt = 0;
    this.refreshedForRefusal = false;
    if (this.welcomed) return;
    this.dropSocket();
    this.connect();
  }

  /** The auth session has a new token: hand it to the orchestrator, or try again with it. */
  updateToken(): void {
    const token = this.options.token();
    if (token === null || this.closed) return;
    if (this.welcomed) {
      this.send({ type: 'token', token });
    } else if (this.statusValue.state === MonitorState.refused) {
      this.refreshedForRefusal = false;
      this.retry();
    }
  }

  /** Closes the socket for good (the page is going away). */
  close(): void {
    this.closed = true;
    this.clearTimer(this.retryTimer);
    this.clearTimer(this.idleTimer);
    this.dropSocket();
    this.watchers.clear();
  }

  private unwatch(workflowId: WorkflowId, listener: (message: WorkflowMessage) => void): void {
    const listeners = this.watchers.get(workflowId);
    if (listeners === undefined) return;
    listeners.delete(listener);
    if (listeners.size > 0) return;
    this.watchers.delete(workflowId);
    if (this.welcomed) this.send({ type: 'unwatch', workflowId });
    if (this.watchers.size === 0 && this.idleTimer === null) {
      this.idleTimer = this.setTimer(() => {
        this.idleTimer = null;
        if (this.watchers.size > 0) return;
        this.clearTimer(this.retryTimer);
        this.retryTimer = null;
        this.dropSocket();
        // No socket now: the next watcher (another workflow) waits for a `welcome` of its own.
        this.setStatus({ state: MonitorState.connecting });
      }, MONITOR_IDLE_CLOSE_MS);
    }
  }

  private ensureConnecting(): void {
    if (this.closed || this.refreshing || this.socket !== null || this.retryTimer !== null) return;
    this.connect();
  }

  /** Opens a socket, closing any other first: the page has one live stream at most. */
  private connect(): void {
    this.clearTimer(this.retryTimer);
    this.retryTimer = null;
    this.dropSocket();
    if (this.closed || this.watchers.size === 0) return;
    const token = this.options.token();
    if (token === null) {
      this.setStatus({
        state: MonitorState.refused,
        code: MonitorErrorCode.missingToken,
        reason: 'You are signed out: sign in to run workflows.',
      });
      return;
    }
    this.welcomed = false;
    const events: MonitorSocketEvents = {
      open: () => {
        if (this.socket === socket) this.send({ type: 'hello', token });
      },
      message: (text) => {
        if (this.socket === socket) this.onMessage(text);
      },
      close: (code, reason) => {
        if (this.socket === socket) this.onClose(code, reason);
      },
    };
    let socket: MonitorSocket;
    try {
      socket = this.createSocket(this.options.url, events);
    } catch (error) {
      // A malformed URL (a bad orchestrator URL in localStorage): say so, and do not hammer it.
      this.setStatus({
        state: MonitorState.unreachable,
        reason: `the orchestrator URL ${this.options.url} cannot be opened (${error instanceof Error ? error.message : String(error)})`,
        wasConnected: this.wasConnected,
      });
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
  }

  private onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      console.warn('Symphony: the orchestrator sent a message that is not JSON; ignored');
      return;
    }
    const parsed = MonitorServerMessage.safeParse(json);
    if (!parsed.success) {
      console.warn(
        'Symphony: the orchestrator sent a message this page does not understand; ignored',
        parsed.error.issues[0],
      );
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'welcome':
        this.welcomed = true;
        this.wasConnected = true;
        this.clearTimer(this.stableTimer);
        this.stableTimer = this.setTimer(() => {
          this.stableTimer = null;
          this.attempt = 0;
        }, MONITOR_STABLE_MS);
        this.refreshedForRefusal = false;
        this.setStatus({ state: MonitorState.connected, user: message.user, health: message.health });
        for (const workflowId of this.watchers.keys()) this.send({ type: 'watch', workflowId });
        return;
      case 'error':
        if (message.workflowId === undefined) {
          if (message.code === MonitorErrorCode.invalidToken) void this.refreshAfterRefusal(message.message);
          else
            console.warn(
              `Symphony: the orchestrator refused a message (${message.code}): ${message.message}`,
            );
          return;
        }
        this.deliver(message.workflowId, message);
        return;
      default:
        this.deliver(message.workflowId, message);
    }
  }

  private deliver(workflowId: WorkflowId, message: WorkflowMessage): void {
    for (const listener of [...(this.watchers.get(workflowId) ?? [])]) {
      try {
        listener(message);
      } catch (error) {
        console.error('Symphony: a run view failed on a message from the orchestrator', error);
      }
    }
  }

  private onClose(code: number, reason: string): void {
    this.socket = null;
    const welcomed = this.welcomed;
    this.welcomed = false;
    this.clearTimer(this.stableTimer);
    this.stableTimer = null;
    if (this.closed || this.watchers.size === 0) return;
    if (TOKEN_CLOSES.has(code)) {
      void this.refreshAfterRefusal(reason);
      return;
    }
    this.setStatus({
      state: MonitorState.unreachable,
      reason: closeReason(code, reason, this.options.url, welcomed || this.wasConnected),
      wasConnected: this.wasConnected,
    });
    this.scheduleRetry(SLOW_DOWN_CLOSES.has(code) ? MONITOR_RETRY_MAX_MS : 0);
  }

  /** The orchestrator refused the token: refresh it once and reconnect, else say sign in again. */
  private async refreshAfterRefusal(reason: string): Promise<void> {
    this.dropSocket();
    if (this.refreshedForRefusal) {
      this.refuse(reason);
      return;
    }
    this.refreshedForRefusal = true;
    let outcome: TokenRefreshOutcome;
    this.refreshing = true;
    try {
      outcome = await this.options.refreshToken();
    } catch {
      outcome = 'offline';
    } finally {
      this.refreshing = false;
    }
    if (this.closed) return;
    if (outcome === 'refreshed') this.connect();
    else if (outcome === 'offline') {
      // OFB is out of reach, so the token cannot be renewed now: try again later with whatever we have.
      this.refreshedForRefusal = false;
      this.setStatus({
        state: MonitorState.unreachable,
        reason: 'the sign-in could not be renewed (the team server does not answer); retrying',
        wasConnected: this.wasConnected,
      });
      this.scheduleRetry();
    } else this.refuse(reason);
  }

  private refuse(reason: string): void {
    this.setStatus({
      state: MonitorState.refused,
      code: MonitorErrorCode.invalidToken,
      reason: `The orchestrator did not accept your sign-in${reason === '' ? '' : ` (${reason})`}: sign in again to run workflows.`,
    });
  }

  /** Tries again after the backoff's delay, and no sooner than `floorMs`. */
  private scheduleRetry(floorMs = 0): void {
    if (this.closed || this.watchers.size === 0) return;
    const backoff = Math.min(MONITOR_RETRY_MAX_MS, MONITOR_RETRY_BASE_MS * 2 ** this.attempt);
    const delay = Math.max(floorMs, backoff * (0.8 + 0.4 * this.random()));
    this.attempt = Math.min(this.attempt + 1, 16);
    this.clearTimer(this.retryTimer);
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private send(message: MonitorClientMessage): void {
    try {
      this.socket?.send(JSON.stringify(message));
    } catch {
      // A socket closing under us: its close event reconnects.
    }
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    this.clearTimer(this.stableTimer);
    this.stableTimer = null;
    try {
      socket?.close(1000, 'done');
    } catch {
      // already closed
    }
  }

  private setStatus(status: MonitorStatus): void {
    this.statusValue = status;
    for (const listener of [...this.statusListeners]) listener();
  }
}

/** Why the socket closed, in words for the person. */
function closeReason(code: number, reason: string, url: string, wasConnected: boolean): string {
  if (code === MonitorCloseCode.goingAway) return 'the orchestrator stopped';
  if (code === MonitorCloseCode.badMessage || code === MonitorCloseCode.tooLarge)
    return `the orchestrator closed the connection (${code}${reason === '' ? '' : `: ${reason}`}); reload the page if this repeats`;
  if (reason !== '') return `the orchestrator closed the connection (${code}: ${reason})`;
  return wasConnected ? `the orchestrator at ${url} stopped answering` : `no orchestrator answers at ${url}`;
}

/** The browser's WebSocket as a {@link MonitorSocket}. */
export const browserSocket: MonitorSocketFactory = (url, events) => {
  const ws = new WebSocket(url);
  ws.onopen = () => events.open();
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') events.message(e.data);
  };
  ws.onclose = (e) => events.close(e.code, e.reason);
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close(code, reason);
    },
  };
};
