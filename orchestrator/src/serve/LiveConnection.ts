// One board's WebSocket to the monitor: `hello` with a token first, then `watch` workflows to get
// their runs and every durable journal record of them (batched per tick) and the running nodes'
// progress (coalesced per node); `token` swaps in a refreshed token of the same user.
import {
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
import { type Clock, type ClockTimer, type ProgressEvent, systemClock } from '../executor/options.js';
import type { Caller } from './Gatekeeper.js';
import { byteLength, cut, parse, rawText } from './live-frames.js';
import { MonitorError } from './monitor-error.js';
import { executedBy, type MonitorServices } from './services.js';

/** 8 MiB unsent: a board that reads slower than its runs change is dropped (it reconnects and catches up). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** 30 s: how often the watched workflows' access is asked again (a removed member stops receiving). */
export const RECHECK_MS = 30_000;
/** 2: re-checks in a row the team server may miss before the socket is closed (its access is unknown). */
const MAX_MISSED_RECHECKS = 2;
/** 30 s: how long a `hello` or `token` waits for the team server to verify it (two OFB calls of at most 15 s). */
export const IDENTIFY_TIMEOUT_MS = 30_000;
/** 4: messages waiting before `hello` is answered; a board sends one (its hello). */
export const MAX_PENDING_BEFORE_WELCOME = 4;
/** 1 s: how long a closed socket's peer has to answer the close frame before the connection is cut. */
export const CLOSE_GRACE_MS = 1000;
/** Timers hold 2^31 - 1 ms at most (~24 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a {@link LiveConnection} may be given besides its socket and services. */
export interface LiveConnectionOptions {
  /** The timers of the hello, verification, re-check, progress, expiry and closing waits (default: the system's). */
  readonly clock?: Clock;
}

/** A progress report waiting to be sent, with the workflow it belongs to. */
interface PendingProgress extends MonitorProgress {
  readonly workflowId: WorkflowId;
}

/**
 * One socket. Messages are handled one at a time, in order. Before `hello`: a message that is not
 * JSON or fits no schema closes 4400, any other message closes 4401, and so does silence for
 * {@link MonitorLimits.helloTimeoutMs}, a refused token or a user this orchestrator does not answer
 * (`not_allowed_here`); a team server that does not verify the token within
 * {@link IDENTIFY_TIMEOUT_MS} closes 1011. After it, a bad message is answered with an `error`
 * message and the socket stays open. A message larger than {@link MonitorLimits.maxRequestBytes}
 * closes 4413 as it arrives (it is never decoded); more than
 * {@link MonitorLimits.maxPendingMessages} waiting to be handled (4 before `hello` is answered)
 * closes 4429; a failure handling one closes 1011. The token's `exp` passing without a `token`
 * message, or the token revoked, closes 4402; the team server missing
 * {@link MAX_MISSED_RECHECKS} re-checks in a row closes 1011.
 */
export class LiveConnection {
  #caller: Caller | undefined;
  readonly #watched = new Map<WorkflowId, Role>();
  readonly #events = new Map<WorkflowId, RunEvent[]>();
  readonly #progress = new Map<string, PendingProgress>();
  #eventsScheduled = false;
  /** When the last `events` message was sent (the clock's ms; records within the interval wait). */
  #lastEventsAt = Number.NEGATIVE_INFINITY;
  #eventsTimer: ClockTimer | undefined;
  #progressTimer: ClockTimer | undefined;
  #helloTimer: ClockTimer | undefined;
  #expiryTimer: ClockTimer | undefined;
  #recheckTimer: ClockTimer | undefined;
  #missedRechecks = 0;
  /** Messages received and not handled yet. */
  #pending = 0;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #clock: Clock;

  constructor(
    private readonly socket: WebSocket,
    private readonly services: MonitorServices,
    private readonly onClose: (connection: LiveConnection) => void,
    options: LiveConnectionOptions = {},
  ) {
    this.#clock = options.clock ?? systemClock;
    this.#helloTimer = this.#clock.setTimeout(
      () =>
        this.close(
          MonitorCloseCode.unauthorized,
          `${MonitorErrorCode.missingToken}: no hello within ${MonitorLimits.helloTimeoutMs} ms`,
        ),
      MonitorLimits.helloTimeoutMs,
    );
    socket.on('message', (data, isBinary) => this.#received(data, isBinary));
    socket.on('close', () => this.#ended());
    socket.on('error', () => this.#ended());
  }

  /** Whether this socket watches `workflowId`. */
  watches(workflowId: WorkflowId): boolean {
    return this.#watched.has(workflowId);
  }

  /**
   * A durable record of a run of `workflowId`: sent with the others of this tick, or with those of
   * the next {@link MonitorLimits.eventsIntervalMs} when a message went out less than that ago.
   */
  event(workflowId: WorkflowId, event: RunEvent): void {
    if (!this.#watched.has(workflowId)) return;
    const batch = this.#events.get(workflowId);
    if (batch === undefined) this.#events.set(workflowId, [event]);
    else batch.push(event);
    if (this.#eventsScheduled) return;
    this.#eventsScheduled = true;
    const wait = this.#lastEventsAt + MonitorLimits.eventsIntervalMs - this.#clock.now();
    if (wait <= 0) setImmediate(() => this.#flushEvents());
    else this.#eventsTimer = this.#clock.setTimeout(() => this.#flushEvents(), wait);
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
    this.#progressTimer ??= this.#clock.setTimeout(
      () => this.#flushProgress(),
      MonitorLimits.progressIntervalMs,
    );
  }

  /**
   * Closes the socket with `code` and `reason`. Nothing it sends from then on is read, and a peer
   * that has not answered the close frame within {@link CLOSE_GRACE_MS} is cut off.
   */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.socket.close(code, cut(reason));
    this.#ended();
    const cutOff = this.#clock.setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    this.socket.once('close', () => this.#clock.clearTimeout(cutOff));
  }

  /** A frame arrived: refused at once when too large or one too many, else queued to be handled. */
  #received(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.#closed) return;
    if (byteLength(data) > MonitorLimits.maxRequestBytes) {
      this.close(
        MonitorCloseCode.tooLarge,
        `${MonitorErrorCode.bodyTooLarge}: a message may be ${MonitorLimits.maxRequestBytes} bytes at most`,
      );
      return;
    }
    const limit = this.#caller === undefined ? MAX_PENDING_BEFORE_WELCOME : MonitorLimits.maxPendingMessages;
    if (this.#pending >= limit) {
      this.close(
        MonitorCloseCode.tooManyMessages,
        `${MonitorErrorCode.invalidRequest}: more than ${limit} messages wait to be handled; send more once they are answered`,
      );
      return;
    }
    this.#pending++;
    const text = isBinary ? undefined : rawText(data);
    this.#enqueue(async () => {
      try {
        await this.#receive(text);
      } finally {
        this.#pending--;
      }
    });
  }

  /** Runs `work` after everything queued; a failure is logged and closes the socket (1011), never the process. */
  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => {
      this.services.warn(
        `a live socket failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      this.close(
        MonitorCloseCode.internal,
        `${MonitorErrorCode.internal}: the orchestrator failed; its log says why`,
      );
    });
  }

  async #receive(text: string | undefined): Promise<void> {
    if (this.#closed) return;
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
        return this.#unwatch(parsed.workflowId);
    }
  }

  /** Stops sending `workflowId`'s records and progress, including what waits to be sent. */
  #unwatch(workflowId: WorkflowId): void {
    this.#watched.delete(workflowId);
    this.#events.delete(workflowId);
    for (const [key, pending] of this.#progress)
      if (pending.workflowId === workflowId) this.#progress.delete(key);
  }

  async #hello(token: string): Promise<void> {
    if (this.#caller !== undefined) {
      return this.#send({
        type: 'error',
        code: MonitorErrorCode.invalidRequest,
        message: 'hello was said already; send token to refresh it',
      });
    }
    // Said in time: how long the team server takes to verify it is limited on its own.
    this.#clock.clearTimeout(this.#helloTimer);
    this.#helloTimer = undefined;
    const caller = await this.#identify(token, MonitorCloseCode.unauthorized);
    if (caller === undefined || this.#closed) return;
    this.#caller = caller;
    this.#expireAt(caller.exp);
    this.#scheduleRecheck();
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
    // Who executes each running run is read first; the list and the watch then begin in one turn,
    // so every record after the list is sent, and none twice.
    const owners = new Map<RunId, number | undefined>();
    try {
      role = (await this.services.gate.authorize(caller.token, workflowId, 'watch')).role;
      for (const run of this.services.index.ofWorkflow(this.services.server, workflowId)) {
        if (run.status === 'running') owners.set(run.runId, await executedBy(this.services, run));
      }
    } catch (error) {
      return this.#refused(error, workflowId);
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

  /** The next re-check, {@link RECHECK_MS} after the last one finished. */
  #scheduleRecheck(): void {
    if (this.#closed) return;
    this.#recheckTimer = this.#clock.setTimeout(
      () =>
        this.#enqueue(async () => {
          await this.#recheck();
          this.#scheduleRecheck();
        }),
      RECHECK_MS,
    );
  }

  /**
   * Asks again whether the token is still valid (not revoked) and each watched workflow may still be
   * watched. A team server that does not answer is asked again next time, {@link MAX_MISSED_RECHECKS}
   * times in a row at most.
   */
  async #recheck(): Promise<void> {
    const caller = this.#caller;
    if (caller === undefined || this.#closed) return;
    try {
      await this.services.gate.identify(caller.token);
      this.#missedRechecks = 0;
    } catch (error) {
      if (error instanceof MonitorError && error.code === MonitorErrorCode.invalidToken) {
        return this.close(MonitorCloseCode.tokenExpired, `${error.code}: ${error.message}`);
      }
      if (error instanceof MonitorError && error.code === MonitorErrorCode.notAllowedHere) {
        return this.close(MonitorCloseCode.unauthorized, `${error.code}: ${error.message}`);
      }
      if (++this.#missedRechecks < MAX_MISSED_RECHECKS) return;
      return this.close(
        MonitorCloseCode.authorityUnavailable,
        `${MonitorErrorCode.teamServerUnreachable}: the team server did not answer ${this.#missedRechecks} checks of your sign-in in a row; reconnect later`,
      );
    }
    for (const workflowId of [...this.#watched.keys()]) {
      try {
        await this.services.gate.authorize(caller.token, workflowId, 'watch');
      } catch (error) {
        this.#unwatch(workflowId);
        await this.#refused(error, workflowId);
        if (this.#closed) return;
      }
    }
  }

  /**
   * The caller `token` belongs to; undefined when it is refused (the socket closed with
   * `refusedCode`, or 4401 for a user this orchestrator does not answer) or the team server did not
   * verify it within {@link IDENTIFY_TIMEOUT_MS} (closed 1011).
   */
  async #identify(token: string, refusedCode: number): Promise<Caller | undefined> {
    let timer: ClockTimer | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve('late'), IDENTIFY_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.services.gate.identify(token), late]);
      if (answer !== 'late') return answer;
      this.close(
        MonitorCloseCode.authorityUnavailable,
        `${MonitorErrorCode.teamServerUnreachable}: the team server did not verify the token within ${IDENTIFY_TIMEOUT_MS / 1000} s`,
      );
    } catch (error) {
      if (error instanceof MonitorError && error.code === MonitorErrorCode.invalidToken) {
        this.close(refusedCode, `${error.code}: ${error.message}`);
      } else if (error instanceof MonitorError && error.code === MonitorErrorCode.notAllowedHere) {
        this.close(MonitorCloseCode.unauthorized, `${error.code}: ${error.message}`);
      } else {
        this.close(
          MonitorCloseCode.authorityUnavailable,
          `${MonitorErrorCode.teamServerUnreachable}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    } finally {
      this.#clock.clearTimeout(timer);
    }
    return undefined;
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
    this.#clock.clearTimeout(this.#expiryTimer);
    const left = exp * 1000 - this.services.now();
    // A token living longer than a timer can wait is checked again then.
    this.#expiryTimer = this.#clock.setTimeout(
      () => {
        if (exp * 1000 <= this.services.now()) {
          this.close(
            MonitorCloseCode.tokenExpired,
            `${MonitorErrorCode.invalidToken}: the token expired; send a fresh one with a token message`,
          );
        } else this.#expireAt(exp);
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
  }

  #flushEvents(): void {
    this.#eventsScheduled = false;
    this.#eventsTimer = undefined;
    this.#lastEventsAt = this.#clock.now();
    const batches = [...this.#events];
    this.#events.clear();
    for (const [workflowId, events] of batches) this.#send({ type: 'events', workflowId, events });
  }

  #flushProgress(): void {
    this.#clock.clearTimeout(this.#progressTimer);
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
      this.close(
        MonitorCloseCode.slowConsumer,
        'the board reads slower than its runs change; reconnect to catch up',
      );
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  #ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of [
      this.#helloTimer,
      this.#expiryTimer,
      this.#progressTimer,
      this.#recheckTimer,
      this.#eventsTimer,
    ])
      this.#clock.clearTimeout(timer);
    this.#watched.clear();
    this.#events.clear();
    this.#progress.clear();
    this.onClose(this);
  }
}
