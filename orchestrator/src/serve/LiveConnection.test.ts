// One live socket against a real WebSocket server and client, the team authority as a table and a
// clock the test moves: a hello answered late, a team server that never answers, floods, a peer
// that never finishes closing, failures while handling a message, missed re-checks, an unwatch
// dropping progress waiting to be sent, and a user this orchestrator does not answer.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDagTracker } from '@symphony/pit';
import {
  MonitorCloseCode,
  type MonitorHealth,
  MonitorLimits,
  type MonitorServerMessage,
  type NodeId,
  type RunId,
  type Workflow,
  type WorkflowId,
} from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Engine } from '../cli/data-dir.js';
import type { Clock } from '../executor/options.js';
import { LiveClient } from '../testing/serve-process.js';
import { AccessCache } from './AccessCache.js';
import { onlyUsers } from './allowed-users.js';
import { Gatekeeper } from './Gatekeeper.js';
import {
  CLOSE_GRACE_MS,
  IDENTIFY_TIMEOUT_MS,
  LiveConnection,
  MAX_PENDING_BEFORE_WELCOME,
  RECHECK_MS,
} from './LiveConnection.js';
import { LiveNodes } from './LiveNodes.js';
import type { RunControl } from './RunControl.js';
import { RunIndex } from './RunIndex.js';
import type { MonitorServices } from './services.js';
import { TableTeamAuthority } from './testing/TableTeamAuthority.js';
import { UserTokens } from './UserTokens.js';

const SERVER = 'http://team.test';
const WORKFLOW = 'wf-lab' as WorkflowId;
const RUNNING = 'run_running00001' as RunId;
const EVE = 'eve-token';
const OUTSIDER = 'outsider-token';

/** A clock whose timers fire only when the test moves it. */
class ManualClock implements Clock {
  time = Date.now();
  readonly #timers = new Map<number, { at: number; ms: number; run: () => void }>();
  #next = 0;

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.time + ms, ms, run });
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.#timers.delete(timer as number);
  }

  /** How many timers set for `ms` are waiting. */
  waiting(ms: number): number {
    return [...this.#timers.values()].filter((timer) => timer.ms === ms).length;
  }

  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.#timers]) {
      if (timer.at > this.time) continue;
      this.#timers.delete(id);
      timer.run();
    }
  }
}

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const health: MonitorHealth = {
  service: 'symphony-orchestrator',
  version: '0.0.0',
  server: SERVER,
  isolation: 'reduced',
  running: 0,
};

/** A WebSocket server whose every socket is a LiveConnection over real parts (a journal with one running run). */
async function liveServer(options: { failHealth?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'symphony-live-'));
  dirs.push(root);
  const paths = { root, runs: join(root, 'runs'), artifacts: join(root, 'artifacts') };
  mkdirSync(paths.runs);
  const clock = new ManualClock();
  const exp = Math.floor(clock.now() / 1000) + 3600;
  const authority = new TableTeamAuthority()
    .user(EVE, { userId: 'u-eve', userName: 'eve', exp })
    .user(OUTSIDER, { userId: 'u-out', userName: 'out', exp })
    .resource(WORKFLOW, 'workflow', { 'u-eve': 'owner', 'u-out': 'owner' });
  const tracker = new MemoryDagTracker();
  await tracker.record({
    type: 'run.started',
    runId: RUNNING,
    at: clock.now(),
    workflow: { name: 'Lab', nodes: {}, edges: {} } as unknown as Workflow,
    source: { kind: 'automerge', server: SERVER, workflowId: WORKFLOW, heads: ['h'] },
    options: { cache: true, grants: [] },
  });
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const now = () => clock.now();
  const tokens = new UserTokens(now);
  const services: MonitorServices = {
    server: SERVER,
    paths,
    // A socket reads only which runs this process executes (none) from the engine.
    engine: { executor: { running: [] } } as unknown as Engine,
    index: await RunIndex.load(tracker, warn),
    gate: new Gatekeeper(new AccessCache(authority, now), tokens, SERVER, onlyUsers({ names: ['eve'] })),
    runs: {} as RunControl,
    live: new LiveNodes(),
    env: {},
    now,
    warn,
    health: () => {
      if (options.failHealth) throw new Error('health failed on purpose');
      return health;
    },
  };
  const connections: LiveConnection[] = [];
  const sockets = new WebSocketServer({ noServer: true });
  const http = createServer();
  http.on('upgrade', (request, socket, head) =>
    sockets.handleUpgrade(request, socket, head, (ws) =>
      connections.push(new LiveConnection(ws, services, () => {}, { clock })),
    ),
  );
  servers.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, port, clock, authority, connections, warnings, paths };
}

type Live = Awaited<ReturnType<typeof liveServer>>;

/** A socket that said hello as `token` and got its welcome. */
async function welcomed(live: Live, token = EVE): Promise<LiveClient> {
  const client = LiveClient.open(live);
  await client.opened();
  client.send({ type: 'hello', token });
  await client.next((m) => m.type === 'welcome');
  return client;
}

/** A welcomed socket watching {@link WORKFLOW} (its `runs` answered), and the server's side of it. */
async function watching(live: Live): Promise<{ client: LiveClient; connection: LiveConnection }> {
  const client = await welcomed(live);
  client.send({ type: 'watch', workflowId: WORKFLOW });
  await client.next((m) => m.type === 'runs');
  return { client, connection: live.connections.at(-1)! };
}

/** Waits until `check` holds (what the test waits for is an event, not a duration). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 2));
}

const isError = (m: MonitorServerMessage): m is Extract<MonitorServerMessage, { type: 'error' }> =>
  m.type === 'error';

describe('LiveConnection: hello', () => {
  it('welcomes a hello said in time even when the team server answers after the hello timeout', async () => {
    const live = await liveServer();
    live.authority.hold();
    const client = LiveClient.open(live);
    await client.opened();
    client.send({ type: 'hello', token: EVE });
    await until(() => live.authority.callsWith(EVE).length > 0);
    live.clock.advance(MonitorLimits.helloTimeoutMs);
    live.authority.release();
    expect(await client.next((m) => m.type === 'welcome')).toMatchObject({ user: { name: 'eve' } });
    client.close();
  });

  it('closes 1011 when the team server does not verify the token in time', async () => {
    const live = await liveServer();
    live.authority.hold();
    const client = LiveClient.open(live);
    await client.opened();
    client.send({ type: 'hello', token: EVE });
    await until(() => live.authority.callsWith(EVE).length > 0);
    live.clock.advance(IDENTIFY_TIMEOUT_MS);
    const closed = await client.closed;
    expect(closed.code).toBe(MonitorCloseCode.authorityUnavailable);
    expect(closed.reason).toContain('team_server_unreachable');
    live.authority.release();
  });

  it('closes 4401 not_allowed_here for a member this orchestrator does not run workflows for', async () => {
    const live = await liveServer();
    const client = LiveClient.open(live);
    await client.opened();
    client.send({ type: 'hello', token: OUTSIDER });
    const closed = await client.closed;
    expect(closed.code).toBe(MonitorCloseCode.unauthorized);
    expect(closed.reason).toMatch(/^not_allowed_here: .*eve only/);
  });
});

describe('LiveConnection: floods', () => {
  it('closes 4413 on a frame over the limit as it arrives, while the hello still waits for the team server', async () => {
    const live = await liveServer();
    live.authority.hold();
    const client = LiveClient.open(live);
    await client.opened();
    client.send({ type: 'hello', token: EVE });
    client.send('x'.repeat(MonitorLimits.maxRequestBytes + 1));
    expect((await client.closed).code).toBe(MonitorCloseCode.tooLarge);
    live.authority.release();
  });

  it('closes 4429 when more messages wait than a board sends, and lets a board re-send its watches', async () => {
    const live = await liveServer();
    live.authority.hold();
    const flood = LiveClient.open(live);
    await flood.opened();
    flood.send({ type: 'hello', token: EVE });
    for (let i = 0; i < MAX_PENDING_BEFORE_WELCOME; i++) flood.send({ type: 'watch', workflowId: WORKFLOW });
    expect((await flood.closed).code).toBe(MonitorCloseCode.tooManyMessages);
    live.authority.release();

    const board = await welcomed(live);
    const watches = MonitorLimits.maxWatched + 1;
    for (let i = 0; i < watches; i++) board.send({ type: 'watch', workflowId: `wf-${i}` });
    for (let i = 0; i < watches; i++) await board.next(isError);
    expect(board.socket.readyState).toBe(board.socket.OPEN);
    board.close();
  });

  // Shorter than ws's own 30 s wait for a close frame: the cut-off is the monitor's.
  it('cuts off a peer that never answers the close frame', { timeout: 10_000 }, async () => {
    const live = await liveServer();
    const deaf = await deafPeer(live.port);
    deaf.socket.write(maskedTextFrame('x'.repeat(MonitorLimits.maxRequestBytes + 1)));
    await until(() => live.clock.waiting(CLOSE_GRACE_MS) === 1);
    live.clock.advance(CLOSE_GRACE_MS);
    await deaf.ended;
  });
});

describe('LiveConnection: failures', () => {
  it('closes 1011 when handling a message fails, saying why in the log, and the process stays up', async () => {
    const live = await liveServer({ failHealth: true });
    const client = LiveClient.open(live);
    await client.opened();
    client.send({ type: 'hello', token: EVE });
    const closed = await client.closed;
    expect(closed).toMatchObject({
      code: MonitorCloseCode.internal,
      reason: expect.stringContaining('internal'),
    });
    expect(live.warnings.join('\n')).toContain('health failed on purpose');
  });

  it('answers a watch whose runs cannot be read with an error, and stays open', async () => {
    const live = await liveServer();
    // Who executes the running run cannot be read (EISDIR): as EMFILE or EACCES would be.
    mkdirSync(join(live.paths.runs, `${RUNNING}.owner`));
    const client = await welcomed(live);
    client.send({ type: 'watch', workflowId: WORKFLOW });
    expect(await client.next(isError)).toMatchObject({ code: 'internal', workflowId: WORKFLOW });
    client.send({ type: 'unwatch', workflowId: 'x'.repeat(200) });
    expect(await client.next(isError)).toMatchObject({ code: 'invalid_request' });
    client.close();
  });
});

describe('LiveConnection: re-checks and watches', () => {
  it('closes 1011 after two re-checks in a row the team server did not answer', async () => {
    const live = await liveServer();
    const { client } = await watching(live);
    live.authority.unreachable = true;
    for (let missed = 1; missed <= 2; missed++) {
      const asked = live.authority.callsWith(EVE).length;
      await until(() => live.clock.waiting(RECHECK_MS) === 1);
      live.clock.advance(RECHECK_MS);
      await until(() => live.authority.callsWith(EVE).length > asked);
    }
    const closed = await client.closed;
    expect(closed.code).toBe(MonitorCloseCode.authorityUnavailable);
    expect(closed.reason).toContain('2 checks');
  });

  it('drops the progress waiting to be sent of a workflow unwatched', async () => {
    const live = await liveServer();
    const { client, connection } = await watching(live);
    const progress = (nodeId: string, message: string) =>
      connection.progress(WORKFLOW, {
        runId: RUNNING,
        nodeId: nodeId as NodeId,
        attempt: 1,
        progress: { message },
      });
    progress('before', 'sent to nobody');
    client.send({ type: 'unwatch', workflowId: WORKFLOW });
    client.send({ type: 'watch', workflowId: WORKFLOW });
    await client.next((m) => m.type === 'runs');
    progress('after', 'for the new watch');
    live.clock.advance(MonitorLimits.progressIntervalMs);
    const sent = await client.next((m) => m.type === 'progress');
    expect(sent).toMatchObject({ progress: [{ nodeId: 'after', message: 'for the new watch' }] });
    client.close();
  });
});

describe('LiveConnection: events', () => {
  it('sends the first record after a quiet spell at once and those within the interval together', async () => {
    const live = await liveServer();
    const { client, connection } = await watching(live);
    const running = (nodeId: string) =>
      connection.event(WORKFLOW, {
        type: 'node.running',
        runId: RUNNING,
        nodeId: nodeId as NodeId,
        attempt: 1,
        at: live.clock.now(),
      });
    const nodesOf = (m: MonitorServerMessage) =>
      m.type === 'events' ? m.events.map((e) => ('nodeId' in e ? e.nodeId : e.type)) : [];
    running('a');
    expect(nodesOf(await client.next((m) => m.type === 'events'))).toEqual(['a']);
    // Within the interval: held, and sent as one message when it has passed.
    running('b');
    running('c');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(live.clock.waiting(MonitorLimits.eventsIntervalMs)).toBe(1);
    live.clock.advance(MonitorLimits.eventsIntervalMs);
    expect(nodesOf(await client.next((m) => m.type === 'events'))).toEqual(['b', 'c']);
    // After a quiet spell longer than the interval: at once again, no timer.
    live.clock.advance(MonitorLimits.eventsIntervalMs + 1);
    running('d');
    expect(live.clock.waiting(MonitorLimits.eventsIntervalMs)).toBe(0);
    expect(nodesOf(await client.next((m) => m.type === 'events'))).toEqual(['d']);
    client.close();
  });
});

/** A hand-written WebSocket client that opens `/v1/live` and never answers anything, a close frame included. */
async function deafPeer(port: number): Promise<{ socket: Socket; ended: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    `GET /v1/live HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  await new Promise<void>((resolve) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) resolve();
    });
  });
  return { socket, ended };
}

/** `text` as one masked text frame, as a client sends it. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, masked]);
}
