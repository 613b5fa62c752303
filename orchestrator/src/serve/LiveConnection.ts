// One board's WebSocket to the monitor: `hello` with a token first, then `watch` workflows to get
// their runs and every durable journal record of them (batched per tick) and the running nodes'
// progress (coalesced per node); `token` swaps in a refreshed token of the same user.
import {
  MonitorClientMessage,
  MonitorCloseCode,
  MonitorErrorCode,
  MonitorLimits,
  type MonitorProgress,
  type MonitorServerMessage,
  type Role,
  type RunEvent,
  type RunId,
  type WorkflowId,
} from '@symphony/schemas';
import type { WebSocket } from 'ws';
import type { ProgressEvent } from '../executor/options.js';
import type { Caller } from './Gatekeeper.js';
import { MonitorError } from './monitor-error.js';
import { executedBy, type MonitorServices } from './services.js';

/** 8 MiB unsent: a board that reads slower than its runs change is dropped (it reconnects and catches up). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** 30 s: how often the watched workflows' access is asked again (a removed member stops receiving). */
const RECHECK_MS = 30_000;
/** Close reasons are at most 123 bytes. */
const MAX_REASON = 120;

/** A progress report waiting to be sent, with the workflow it belongs to. */
interface PendingProgress extends MonitorProgress {
  readonly workflowId: WorkflowId;
}

/**
 * One socket. Messages are handled one at a time, in order. Before `hello`: a message that is not
 * JSON or fits no schema closes 4400, any other message closes 4401, and so does silence for
 * {@link MonitorLimits.helloTimeoutMs} or a refused token. After it, a bad message is answered with
 * an `error` message and the socket stays open. A message larger than
 * {@link MonitorLimits.maxRequestBytes} closes 4413; the token's `exp` passing without a `token`
 * message, or the token revoked, closes 4402.
 */
export class LiveConnection {
  #caller: Caller | undefined;
  readonly #watched = new Map<WorkflowId, Role>();
  readonly #events = new Map<WorkflowId, RunEvent[]>();
  readonly #progress = new Map<string, PendingProgress>();
  #eventsScheduled = false;
  #progressTimer: NodeJS.Timeout | undefined;
  #helloTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #recheckTimer: NodeJS.Timeout | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly services: MonitorServices,
    private readonly onClose: (connection: LiveConnection) => void,
  ) {
    this.#helloTimer = setTimeout(
      () =>
        this.close(
          MonitorCloseCode.unauthorized,
          `${MonitorErrorCode.missingToken}: no hello within ${MonitorLimits.helloTimeoutMs} ms`,
        ),
      MonitorLimits.helloTimeoutMs,
    );
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? undefined : rawText(data);
      this.#queue = this.#queue.then(() => this.#receive(text, byteLength(data)));
    });
    socket.on('close', () => this.#ended());
    socket.on('error', () => this.#ended());
  }

  /** Whether this socket watches `workflowId`. */
  watches(workflowId: WorkflowId): boolean {
    return this.#watched.has(workflowId);
  }

  /** A durable record of a run of `workflowId` (sent with the others of this tick). */
  event(workflowId: WorkflowId, event: RunEvent): void {
    if (!this.#watched.has(workflowId)) return;
    const batch = this.#events.get(workflowId);
    if (batch === undefined) this.#events.set(workflowId, [event]);
    else batch.push(event);
    if (this.#eventsScheduled) return;
    this.#eventsScheduled = true;
    setImmediate(() => this.#flushEvents());
  }

  /** A step's progress in a run of `workflowId` (tokens coalesce per node for {@link MonitorLimits.progressIntervalMs}). */
  progress(workflowId: WorkflowId, event: ProgressEvent): void {
    if (!this.#watched.has(workflowId)) return;
    const key = `${event.runId}\u0000${event.nodeId}`;
    const pending = this.#progress.get(key);
    if (pending !== undefined && pending.attempt !== event.attempt) this.#flushProgress();
    const before = this.#progress.get(key);
    const { fraction, message, tokens } = event.progress;
    this.#progress.set(key, {
      workflowId,
      runId: event.runId,
      nodeId: event.nodeId,
      attempt: event.attempt,
      ...(fraction !== undefined && Number.isFinite(fraction)
        ? { fraction: Math.min(1, Math.max(0, fraction)) }
        : before?.fraction !== undefined
          ? { fraction: before.fraction }
          : {}),
      ...(message !== undefined
        ? { message }
        : before?.message !== undefined
          ? { message: before.message }
          : {}),
      ...(tokens || before?.tokens ? { tokens: (before?.tokens ?? '') + (tokens ?? '') } : {}),
    });
    this.#progressTimer ??= setTimeout(() => this.#flushProgress(), MonitorLimits.progressIntervalMs);
  }

  /** Closes the socket with `code` and `reason`. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.socket.close(code, cut(reason));
    this.#ended();
  }

  async #receive(text: string | undefined, bytes: number): Promise<void> {
    if (this.#closed) return;
    if (bytes > MonitorLimits.maxRequestBytes) {
      return this.close(
        MonitorCloseCode.tooLarge,
        `${MonitorErrorCode.bodyTooLarge}: a message may be ${MonitorLimits.maxRequestBytes} bytes at most`,
      );
    }
    const parsed = parse(text);
    if (typeof parsed === 'string') {
      if (this.#caller === undefined)
        return this.close(MonitorCloseCode.badMessage, `${MonitorErrorCode.invalidRequest}: ${parsed}`);
      return this.#send({ type: 'error', code: MonitorErrorCode.invalidRequest, message: parsed });
    }
    if (this.#caller === undefined && parsed.type !== 'hello') {
      return this.close(
        MonitorCloseCode.unauthorized,
        `${MonitorErrorCode.missingToken}: say hello with your token first`,
      );
    }
    switch (parsed.type) {
      case 'hello':
        return this.#hello(parsed.token);
      case 'token':
        return this.#token(parsed.token);
      case 'watch':
        return this.#watch(parsed.workflowId);
      case 'unwatch':
        this.#watched.delete(parsed.workflowId);
        this.#events.delete(parsed.workflowId);
        return;
    }
  }

  async #hello(token: string): Promise<void> {
    if (this.#caller !== undefined) {
      return this.#send({
        type: 'error',
        code: MonitorErrorCode.invalidRequest,
        message: 'hello was said already; send token to refresh it',
      });
    }
    const caller = await this.#identify(token, MonitorCloseCode.unauthorized);
    if (caller === undefined || this.#closed) return;
    clearTimeout(this.#helloTimer);
    this.#caller = caller;
    this.#expireAt(caller.exp);
    this.#recheckTimer = setInterval(() => {
      this.#queue = this.#queue.then(() => this.#recheck());
    }, RECHECK_MS);
    this.#recheckTimer.unref();
    this.#send({
      type: 'welcome',
      user: { id: caller.userId, name: caller.userName },
      health: this.services.health(),
    });
  }

  async #token(token: string): Promise<void> {
    const current = this.#caller!;
    const caller = await this.#identify(token, MonitorCloseCode.tokenExpired);
    if (caller === undefined || this.#closed) return;
    if (caller.userId !== current.userId) {
      return this.close(
        MonitorCloseCode.unauthorized,
        `${MonitorErrorCode.invalidToken}: the token is another user's; open a new socket for them`,
      );
    }
    this.#caller = caller;
    this.#expireAt(caller.exp);
  }

  async #watch(workflowId: WorkflowId): Promise<void> {
    const caller = this.#caller!;
    if (!this.#watched.has(workflowId) && this.#watched.size >= MonitorLimits.maxWatched) {
      return this.#send({
        type: 'error',
        code: MonitorErrorCode.invalidRequest,
        message: `a socket watches at most ${MonitorLimits.maxWatched} workflows; unwatch one first`,
        workflowId,
      });
    }
    let role: Role;
    try {
      role = (await this.services.gate.authorize(caller.token, workflowId, 'watch')).role;
    } catch (error) {
      return this.#refused(error, workflowId);
    }
    // Who executes each running run is read first; the list and the watch then begin in one turn,
    // so every record after the list is sent, and none twice.
    const owners = new Map<RunId, number | undefined>();
    for (const run of this.services.index.ofWorkflow(this.services.server, workflowId)) {
      if (run.status === 'running') owners.set(run.runId, await executedBy(this.services, run));
    }
    if (this.#closed) return;
    const runs = this.services.index
      .ofWorkflow(this.services.server, workflowId)
      .slice(0, MonitorLimits.maxRunsListed)
      .map((run) => {
        const pid = this.services.engine.executor.running.includes(run.runId)
          ? process.pid
          : owners.get(run.runId);
        return pid === undefined || run.status !== 'running' ? run : { ...run, executedBy: pid };
      });
    this.#watched.set(workflowId, role);
    this.#send({ type: 'runs', workflowId, role, runs });
  }

  /** Asks again whether the token is still valid (not revoked) and each watched workflow may still be watched. */
  async #recheck(): Promise<void> {
    const caller = this.#caller;
    if (caller === undefined || this.#closed) return;
    try {
      await this.services.gate.identify(caller.token);
    } catch (error) {
      if (error instanceof MonitorError && error.code === MonitorErrorCode.invalidToken) {
        return this.close(MonitorCloseCode.tokenExpired, `${error.code}: ${error.message}`);
      }
      // The team server did not answer: asked again next time.
      return;
    }
    for (const workflowId of [...this.#watched.keys()]) {
      try {
        await this.services.gate.authorize(caller.token, workflowId, 'watch');
      } catch (error) {
        this.#watched.delete(workflowId);
        this.#events.delete(workflowId);
        await this.#refused(error, workflowId);
        if (this.#closed) return;
      }
    }
  }

  /** The caller `token` belongs to; undefined (the socket closed with `refusedCode`) when it is refused. */
  async #identify(token: string, refusedCode: number): Promise<Caller | undefined> {
    try {
      return await this.services.gate.identify(token);
    } catch (error) {
      if (error instanceof MonitorError && error.code === MonitorErrorCode.invalidToken) {
        this.close(refusedCode, `${error.code}: ${error.message}`);
      } else {
        this.close(
          MonitorCloseCode.authorityUnavailable,
          `${MonitorErrorCode.teamServerUnreachable}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return undefined;
    }
  }

  async #refused(error: unknown, workflowId: WorkflowId): Promise<void> {
    if (error instanceof MonitorError && error.code === MonitorErrorCode.invalidToken) {
      return this.close(MonitorCloseCode.tokenExpired, `${error.code}: ${error.message}`);
    }
    const refusal =
      error instanceof MonitorError
        ? error
        : new MonitorError(MonitorErrorCode.internal, error instanceof Error ? error.message : String(error));
    if (refusal.code === MonitorErrorCode.internal)
      this.services.warn(`watch ${workflowId} failed: ${refusal.message}`);
    this.#send({ type: 'error', code: refusal.code, message: refusal.message, workflowId });
  }

  #expireAt(exp: number): void {
    clearTimeout(this.#expiryTimer);
    const left = exp * 1000 - this.services.now();
    // Timers hold 2^31 - 1 ms at most (~24 days); a longer-lived token is checked again then.
    this.#expiryTimer = setTimeout(
      () => {
        if (exp * 1000 <= this.services.now()) {
          this.close(
            MonitorCloseCode.tokenExpired,
            `${MonitorErrorCode.invalidToken}: the token expired; send a fresh one with a token message`,
          );
        } else this.#expireAt(exp);
      },
      Math.max(0, Math.min(left, 2 ** 31 - 1)),
    );
    this.#expiryTimer.unref();
  }

  #flushEvents(): void {
    this.#eventsScheduled = false;
    const batches = [...this.#events];
    this.#events.clear();
    for (const [workflowId, events] of batches) this.#send({ type: 'events', workflowId, events });
  }

  #flushProgress(): void {
    clearTimeout(this.#progressTimer);
    this.#progressTimer = undefined;
    const byWorkflow = new Map<WorkflowId, MonitorProgress[]>();
    for (const { workflowId, ...progress } of this.#progress.values()) {
      const list = byWorkflow.get(workflowId) ?? [];
      list.push(progress);
      byWorkflow.set(workflowId, list);
    }
    this.#progress.clear();
    for (const [workflowId, progress] of byWorkflow) this.#send({ type: 'progress', workflowId, progress });
  }

  #send(message: MonitorServerMessage): void {
    if (this.#closed) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(MonitorCloseCode.slowConsumer, 'the board reads slower than its runs change; reconnect to catch up');
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  #ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#helloTimer);
    clearTimeout(this.#expiryTimer);
    clearTimeout(this.#progressTimer);
    clearInterval(this.#recheckTimer);
    this.#watched.clear();
    this.#events.clear();
    this.#progress.clear();
    this.onClose(this);
  }
}

/** The message, or what is wrong with it. */
function parse(text: string | undefined): MonitorClientMessage | string {
  if (text === undefined) return 'messages are JSON text, not binary';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'the message is not JSON';
  }
  const parsed = MonitorClientMessage.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `the message fits no monitor message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`;
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

/** `reason` cut to what a close frame carries. */
function cut(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_REASON) return reason;
  return bytes
    .subarray(0, MAX_REASON)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
