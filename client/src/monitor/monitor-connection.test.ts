// Tests of the live stream's state machine: hello and welcome, watches delivered and re-sent after a
// reconnect, backoff while no orchestrator answers, token refresh on 4401/4402, sign-in refused,
// idle close; with a fake transport and injected timers, then once over a real WebSocket.
import type { AddressInfo } from 'node:net';
import { MonitorCloseCode, type WorkflowId } from '@symphony/schemas';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  browserSocket,
  MONITOR_IDLE_CLOSE_MS,
  MONITOR_RETRY_MAX_MS,
  MONITOR_STABLE_MS,
  MonitorConnection,
  type MonitorSocketEvents,
  type TokenRefreshOutcome,
  type WorkflowMessage,
} from './monitor-connection.js';

const wf = 'wf0000000000000000001' as WorkflowId;
const other = 'wf0000000000000000002' as WorkflowId;
const health = {
  service: 'symphony-orchestrator',
  version: '0',
  server: 'http://127.0.0.1:4321',
  isolation: 'full',
  running: 0,
};
const welcome = { type: 'welcome', user: { id: 'u1', name: 'ada' }, health };
const runsOf = (workflowId: WorkflowId) => ({ type: 'runs', workflowId, role: 'editor', runs: [] });

class FakeSocket {
  readonly sent: Record<string, unknown>[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  constructor(
    readonly url: string,
    private readonly events: MonitorSocketEvents,
  ) {}
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }
  open(): void {
    this.events.open();
  }
  receive(message: unknown): void {
    this.events.message(typeof message === 'string' ? message : JSON.stringify(message));
  }
  drop(code: number, reason = ''): void {
    this.events.close(code, reason);
  }
}

/** Timers run by hand: `advance(ms)` fires what is due, in order. */
class Timers {
  now = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; run: () => void }>();
  set = (run: () => void, ms: number): unknown => {
    const id = this.next++;
    this.due.set(id, { at: this.now + ms, run });
    return id;
  };
  clear = (handle: unknown): void => {
    this.due.delete(handle as number);
  };
  /** The delays of the timers pending now. */
  pending(): number[] {
    return [...this.due.values()].map((t) => t.at - this.now);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const [id, timer] = [...this.due].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (id === undefined || timer === undefined || timer.at > until) break;
      this.due.delete(id);
      this.now = timer.at;
      timer.run();
    }
    this.now = until;
  }
}

function setup(options: { token?: () => string | null; refresh?: () => Promise<TokenRefreshOutcome> } = {}) {
  const sockets: FakeSocket[] = [];
  const timers = new Timers();
  let token = 'token-1';
  const renew = async (): Promise<TokenRefreshOutcome> => {
    token = 'token-2';
    return 'refreshed';
  };
  const refresh = vi.fn(options.refresh ?? renew);
  const connection = new MonitorConnection({
    url: 'ws://127.0.0.1:4322/v1/live',
    token: options.token ?? (() => token),
    refreshToken: refresh,
    createSocket: (url, events) => {
      const socket = new FakeSocket(url, events);
      sockets.push(socket);
      return socket;
    },
    setTimer: timers.set,
    clearTimer: timers.clear,
    random: () => 0.5,
  });
  const last = () => sockets.at(-1) as FakeSocket;
  return { connection, sockets, timers, refresh, last };
}

describe('MonitorConnection', () => {
  it('connects when a workflow is watched, says hello, and delivers that workflow’s messages once welcomed', () => {
    const { connection, sockets, last } = setup();
    expect(sockets).toHaveLength(0);
    const got: WorkflowMessage[] = [];
    const gotOther: WorkflowMessage[] = [];
    connection.watch(wf, (m) => got.push(m));
    connection.watch(other, (m) => gotOther.push(m));
    expect(connection.status.state).toBe('connecting');
    last().open();
    expect(last().sent).toEqual([{ type: 'hello', token: 'token-1' }]);
    last().receive(welcome);
    expect(connection.status).toMatchObject({ state: 'connected', user: { name: 'ada' } });
    expect(last().sent.slice(1)).toEqual([
      { type: 'watch', workflowId: wf },
      { type: 'watch', workflowId: other },
    ]);
    last().receive(runsOf(wf));
    expect(got).toEqual([runsOf(wf)]);
    expect(gotOther).toEqual([]);
  });

  it('drops what does not parse and stays connected', () => {
    const { connection, last } = setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const got: WorkflowMessage[] = [];
    connection.watch(wf, (m) => got.push(m));
    last().open();
    last().receive(welcome);
    last().receive('{not json');
    last().receive({ type: 'runs', workflowId: wf, role: 'emperor', runs: [] });
    last().receive({ type: 'nonsense' });
    expect(got).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(connection.status.state).toBe('connected');
    last().receive(runsOf(wf));
    expect(got).toHaveLength(1);
    warn.mockRestore();
  });

  it('says no orchestrator answers, retries with growing waits up to the cap, and re-watches once back', () => {
    const { connection, sockets, timers, last } = setup();
    connection.watch(wf, () => {});
    last().drop(1006);
    expect(connection.status).toEqual({
      state: 'unreachable',
      reason: 'no orchestrator answers at ws://127.0.0.1:4322/v1/live',
      wasConnected: false,
    });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      waits.push(...timers.pending());
      timers.advance(timers.pending()[0] ?? 0);
      last().drop(1006);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, MONITOR_RETRY_MAX_MS, MONITOR_RETRY_MAX_MS]);
    expect(sockets).toHaveLength(7);
    // It comes back: the watch is sent again, and once it has stayed up a while the backoff starts over.
    timers.advance(MONITOR_RETRY_MAX_MS);
    last().open();
    last().receive(welcome);
    expect(last().sent).toContainEqual({ type: 'watch', workflowId: wf });
    timers.advance(MONITOR_STABLE_MS);
    last().drop(1006);
    expect(connection.status).toMatchObject({ state: 'unreachable', wasConnected: true });
    expect(connection.status.state === 'unreachable' && connection.status.reason).toMatch(
      /stopped answering/,
    );
    expect(timers.pending()).toEqual([500]);
  });

  it('backs off from an orchestrator that welcomes and then closes at once, instead of reconnecting every 500 ms', () => {
    const { connection, timers, last } = setup();
    connection.watch(wf, () => {});
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      last().open();
      last().receive(welcome);
      last().drop(1006);
      waits.push(...timers.pending());
      timers.advance(timers.pending()[0] ?? 0);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, MONITOR_RETRY_MAX_MS]);
  });

  it('waits the longest backoff after a slow-consumer (1013) or internal (1011) close', () => {
    for (const code of [MonitorCloseCode.slowConsumer, MonitorCloseCode.internal]) {
      const { connection, timers, last } = setup();
      connection.watch(wf, () => {});
      last().open();
      last().receive(welcome);
      timers.advance(MONITOR_STABLE_MS);
      last().drop(code, 'try again later');
      expect(timers.pending()).toEqual([MONITOR_RETRY_MAX_MS]);
    }
  });

  it('opens no second socket while a token refresh is on its way', async () => {
    let token = 'token-1';
    let renewed: (outcome: TokenRefreshOutcome) => void = () => {};
    const { connection, sockets, last } = setup({
      token: () => token,
      refresh: () => new Promise<TokenRefreshOutcome>((resolve) => (renewed = resolve)),
    });
    const stop = connection.watch(wf, () => {});
    last().open();
    last().receive(welcome);
    last().drop(MonitorCloseCode.tokenExpired, 'token expired');
    // The board switches workflows meanwhile: the last watcher leaves, another comes.
    stop();
    connection.watch(other, () => {});
    expect(sockets).toHaveLength(1);
    token = 'token-2';
    renewed('refreshed');
    await vi.waitFor(() => expect(sockets).toHaveLength(2));
    last().open();
    expect(last().sent).toEqual([{ type: 'hello', token: 'token-2' }]);
    await Promise.resolve();
    expect(sockets).toHaveLength(2);
  });

  it('asks for a watched workflow’s runs again on rewatch(), and only for one that is watched', () => {
    const { connection, last } = setup();
    connection.watch(wf, () => {});
    connection.rewatch(wf);
    expect(last().sent).toEqual([]);
    last().open();
    last().receive(welcome);
    connection.rewatch(wf);
    connection.rewatch(other);
    expect(last().sent.filter((m) => m.type === 'watch')).toEqual([
      { type: 'watch', workflowId: wf },
      { type: 'watch', workflowId: wf },
    ]);
  });

  it('tries again at once on retry()', () => {
    const { connection, sockets, last } = setup();
    connection.watch(wf, () => {});
    last().drop(1006);
    connection.retry();
    expect(sockets).toHaveLength(2);
  });

  it('refreshes the token when the orchestrator says it expired, and says hello with the new one', async () => {
    const { connection, refresh, last } = setup();
    connection.watch(wf, () => {});
    last().open();
    last().receive(welcome);
    last().drop(MonitorCloseCode.tokenExpired, 'token expired');
    await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(last().sent).toEqual([]));
    last().open();
    expect(last().sent).toEqual([{ type: 'hello', token: 'token-2' }]);
    last().receive(welcome);
    expect(connection.status.state).toBe('connected');
  });

  it('asks to sign in again when the orchestrator refuses even the refreshed token', async () => {
    const { connection, refresh, sockets, last } = setup();
    connection.watch(wf, () => {});
    last().open();
    last().drop(MonitorCloseCode.unauthorized, 'invalid_token');
    await vi.waitFor(() => expect(sockets).toHaveLength(2));
    last().open();
    last().drop(MonitorCloseCode.unauthorized, 'invalid_token');
    await vi.waitFor(() => expect(connection.status.state).toBe('refused'));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(connection.status).toMatchObject({
      code: 'invalid_token',
      reason: expect.stringMatching(/sign in again/),
    });
    expect(sockets).toHaveLength(2);
  });

  it('asks to sign in again when the auth session refuses the refresh, and retries when offline', async () => {
    const refused = setup({ refresh: async () => 'refused' });
    refused.connection.watch(wf, () => {});
    refused.last().drop(MonitorCloseCode.unauthorized, 'invalid_token');
    await vi.waitFor(() => expect(refused.connection.status.state).toBe('refused'));

    const offline = setup({ refresh: async () => 'offline' });
    offline.connection.watch(wf, () => {});
    offline.last().drop(MonitorCloseCode.tokenExpired);
    await vi.waitFor(() => expect(offline.connection.status.state).toBe('unreachable'));
    expect(offline.timers.pending()).toEqual([500]);
  });

  it('refreshes when the orchestrator refuses a swapped token, and hands a refreshed token over', async () => {
    const { connection, refresh, sockets, last } = setup();
    connection.watch(wf, () => {});
    last().open();
    last().receive(welcome);
    connection.updateToken();
    expect(last().sent.at(-1)).toEqual({ type: 'token', token: 'token-1' });
    last().receive({ type: 'error', code: 'invalid_token', message: 'that token is another user’s' });
    await vi.waitFor(() => expect(sockets).toHaveLength(2));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sockets[0]?.closedWith).not.toBeNull();
  });

  it('is refused while signed out, and connects once a token is there', () => {
    let token: string | null = null;
    const { connection, sockets } = setup({ token: () => token });
    connection.watch(wf, () => {});
    expect(connection.status).toMatchObject({ state: 'refused', code: 'missing_token' });
    expect(sockets).toHaveLength(0);
    token = 'fresh';
    connection.updateToken();
    expect(sockets).toHaveLength(1);
  });

  it('unwatches, and closes the socket once nobody has watched for a while', () => {
    const { connection, timers, last } = setup();
    const stop = connection.watch(wf, () => {});
    last().open();
    last().receive(welcome);
    stop();
    expect(last().sent.at(-1)).toEqual({ type: 'unwatch', workflowId: wf });
    // A board switching workflows watches again within the grace: the socket stays.
    const stopOther = connection.watch(other, () => {});
    timers.advance(MONITOR_IDLE_CLOSE_MS);
    expect(last().closedWith).toBeNull();
    stopOther();
    timers.advance(MONITOR_IDLE_CLOSE_MS);
    expect(last().closedWith).toEqual({ code: 1000, reason: 'done' });
    // With no socket open, the next board to watch is not told it is connected.
    expect(connection.status.state).toBe('connecting');
  });

  it('keeps delivering to the other watchers when one throws', () => {
    const { connection, last } = setup();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const got: unknown[] = [];
    connection.watch(wf, () => {
      throw new Error('a broken view');
    });
    connection.watch(wf, (m) => got.push(m));
    last().open();
    last().receive(welcome);
    last().receive(runsOf(wf));
    expect(got).toHaveLength(1);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });
});

describe('MonitorConnection over a real WebSocket', () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it('says hello, watches, and comes back with a refreshed token after 4402', async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server?.once('listening', resolve));
    const hellos: string[] = [];
    server.on('connection', (socket) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.type === 'hello') {
          hellos.push(message.token);
          if (message.token === 'old') {
            socket.send(JSON.stringify(welcome));
            // The token's expiry passes with no new one.
            setTimeout(() => socket.close(MonitorCloseCode.tokenExpired, 'token expired'), 10);
          } else socket.send(JSON.stringify(welcome));
        } else if (message.type === 'watch') socket.send(JSON.stringify(runsOf(message.workflowId)));
      });
    });
    const port = (server.address() as AddressInfo).port;
    let token = 'old';
    const connection = new MonitorConnection({
      url: `ws://127.0.0.1:${port}/v1/live`,
      token: () => token,
      refreshToken: async () => {
        token = 'new';
        return 'refreshed';
      },
      createSocket: browserSocket,
    });
    const got: WorkflowMessage[] = [];
    connection.watch(wf, (m) => got.push(m));
    await vi.waitFor(() => expect(hellos).toEqual(['old', 'new']), { timeout: 10_000 });
    await vi.waitFor(() => expect(got).toHaveLength(2), { timeout: 10_000 });
    expect(connection.status.state).toBe('connected');
    connection.close();
  });

  it('says unreachable when nothing listens', async () => {
    const probe = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => probe.once('listening', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const connection = new MonitorConnection({
      url: `ws://127.0.0.1:${port}/v1/live`,
      token: () => 't',
      refreshToken: async () => 'refreshed',
      createSocket: browserSocket,
    });
    connection.watch(wf, () => {});
    await vi.waitFor(() => expect(connection.status.state).toBe('unreachable'), { timeout: 10_000 });
    connection.close();
  });
});
