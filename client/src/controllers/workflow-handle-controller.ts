// A Lit controller binding the Workflow board to one Workflow's automerge handle: finding it, validating
// each version, undoable edits (BoardHistory), board presence and live run states over ephemeral messages.
import type { DocHandle, DocHandleEphemeralMessagePayload } from '@automerge/automerge-repo';
import {
  type BoardRun,
  type ChangeRefusal,
  NodeLibrary,
  type ValidationContext,
  validateWorkflow,
  type Workflow,
  type WorkflowReport,
} from '@symphony/schemas';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { applyOps, BoardHistory, type BoardOp } from '../core/board-history.js';
import { BoardPresence, PRESENCE_HEARTBEAT_MS, type PresenceMessage } from '../core/board-presence.js';
import { type BoardRunBody, RemoteRuns, RUN_HEARTBEAT_MS, RunBroadcast } from '../core/board-run.js';
import { throttle } from '../core/throttle.js';
import type { UserProfile } from '../core/user-profile.js';
import { type WorkflowSync, WorkflowUnavailableError } from '../sync/workflow-sync.js';

/** 1.5 s between attempts to fetch a workflow the server does not have yet (just created elsewhere). */
const FIND_RETRY_MS = 1_500;
/** 60 ms: presence (pointer, drag) at ~16 updates a second is smooth enough and cheap on the wire. */
const PRESENCE_THROTTLE_MS = 60;
/**
 * 250 ms: node states change far less often than a pointer moves, and each run message is the whole
 * picture (up to 10,000 states), so four a second keeps boards live without flooding the channel.
 */
const RUN_THROTTLE_MS = 250;

/** What this person is doing on the board, as collaborators see it. */
export interface LocalPresence {
  selection: readonly string[];
  pointer: { x: number; y: number } | null;
  dragging: readonly (readonly [string, { x: number; y: number }])[];
}

/**
 * Binds a host element to one workflow's automerge `DocHandle`: finds it (retrying while the server
 * does not have it yet), re-renders the host on every change, local or remote, validates each new
 * version once, applies the person's edits as undoable gestures ({@link BoardHistory}) and carries
 * presence over the handle's ephemeral messages.
 */
export class WorkflowHandleController implements ReactiveController {
  /** The handle, once found. */
  handle: DocHandle<Workflow> | null = null;
  /** Why the workflow could not be opened, in words for the person; null while fine. */
  error: string | null = null;
  /** Collaborators on this board. */
  readonly presence = new BoardPresence();
  /** This person's undo/redo stacks for this workflow. */
  readonly history = new BoardHistory();

  private sync: WorkflowSync | null = null;
  private url: string | null = null;
  private profile: UserProfile | null = null;
  private connected = false;
  private abort: AbortController | null = null;
  private cleanup: (() => void)[] = [];
  private reportFor: unknown = null;
  private context: ValidationContext = {};
  private reportContext: ValidationContext | null = null;
  private reportValue: WorkflowReport | null = null;
  private local: LocalPresence = { selection: [], pointer: null, dragging: [] };
  private readonly sendPresence = throttle(() => this.broadcastPresence(), PRESENCE_THROTTLE_MS);
  /** Runs other boards on this workflow are watching. */
  private readonly runs = new RemoteRuns();
  /** The run this board watches and when to send it. */
  private readonly ownRun = new RunBroadcast();
  private readonly sendRun = throttle(() => this.broadcastWatchedRun(), RUN_THROTTLE_MS);

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: { onLocalChange?: () => void } = {},
  ) {
    host.addController(this);
  }

  /** The current version of the workflow, or null before it is found. */
  get doc(): Workflow | null {
    return this.handle?.isReady() ? this.handle.doc() : null;
  }

  /**
   * Validation of the current version in the current {@link WorkflowHandleController.setContext}
   * (computed once per version and context, never on pan or zoom).
   */
  get report(): WorkflowReport | null {
    const doc = this.doc;
    if (doc === null) return null;
    if (doc !== this.reportFor || this.context !== this.reportContext) {
      this.reportFor = doc;
      this.reportContext = this.context;
      this.reportValue = validateWorkflow(doc, NodeLibrary, this.context);
    }
    return this.reportValue;
  }

  /** What validation knows beyond the workflow (the workspace's documents); a new object revalidates. */
  setContext(context: ValidationContext): void {
    this.context = context;
  }

  /**
   * The server's latest refusal of this person's changes to the workflow (read-only, invalid,
   * storage refused), until {@link WorkflowHandleController.dismissRefusal}; else undefined.
   */
  get refusal(): ChangeRefusal | undefined {
    return this.url === null ? undefined : this.sync?.refusalOf(this.url);
  }

  /** Forgets the current refusal (the person dismissed it); a new refusal shows again. */
  dismissRefusal(): void {
    if (this.url !== null) this.sync?.dismissRefusal(this.url);
  }

  /**
   * Opens workflow `url` from `sync` (call again with the same values: nothing happens). Another
   * workflow starts with no watched run: a run belongs to its workflow.
   */
  open(sync: WorkflowSync | undefined, url: string | null, profile: UserProfile | undefined): void {
    this.profile = profile ?? null;
    if (sync === this.sync && url === this.url) return;
    if (url !== this.url) {
      this.sendRun.cancel();
      this.ownRun.reset();
    }
    this.sync = sync ?? null;
    this.url = url;
    if (this.connected) this.bind();
  }

  hostConnected(): void {
    this.connected = true;
    this.bind();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unbind();
  }

  /**
   * Applies one gesture as one change and records its inverse for undo. Returns false (and changes
   * nothing) before the workflow is open.
   */
  change(label: string, ops: readonly BoardOp[]): boolean {
    const handle = this.handle;
    if (handle === null || ops.length === 0) return false;
    let inverse: BoardOp[] = [];
    handle.change((doc) => {
      inverse = applyOps(doc, ops);
    });
    this.history.record(label, inverse);
    this.hooks.onLocalChange?.();
    return true;
  }

  /** Undoes this person's latest gesture; returns its label or null. */
  undo(): string | null {
    return this.history.undo((ops) => this.applyUntracked(ops));
  }

  /** Redoes this person's latest undone gesture; returns its label or null. */
  redo(): string | null {
    return this.history.redo((ops) => this.applyUntracked(ops));
  }

  /** Updates what collaborators see of this person (throttled). */
  publish(update: Partial<LocalPresence>): void {
    this.local = { ...this.local, ...update };
    this.sendPresence();
  }

  /**
   * Runs other boards on this workflow are watching, newest first, as their boards last broadcast
   * them (read-only: never in the workflow's document). The host re-renders when this changes.
   */
  get remoteRuns(): readonly BoardRun[] {
    return this.runs.list();
  }

  /**
   * Tells everyone else on the workflow the run this board watches (build it with `boardRunFrom`),
   * or `null` when it watches none any more. Call it whenever the run's picture changes; repeating
   * the same picture sends nothing new. While the run is running it goes out throttled and again
   * every few seconds (so a board that opens the workflow later sees it); once it has finished, one
   * last message goes out at once, and only for a run this board broadcast while it was running (a
   * run that was already over when this board saw it is history, not news). After `null` the others
   * drop the run when its heartbeats stop.
   */
  broadcastRun(run: BoardRunBody | null): void {
    const send = this.ownRun.watch(run);
    if (send === 'throttled') {
      this.sendRun();
      return;
    }
    this.sendRun.cancel();
    if (send === 'now') this.broadcastWatchedRun();
  }

  private applyUntracked(ops: readonly BoardOp[]): BoardOp[] {
    let inverse: BoardOp[] = [];
    this.handle?.change((doc) => {
      inverse = applyOps(doc, ops);
    });
    this.hooks.onLocalChange?.();
    return inverse;
  }

  private broadcastPresence(): void {
    if (this.handle === null || this.profile === null) return;
    const message: PresenceMessage = {
      type: 'board-presence',
      user: { name: this.profile.name, color: this.profile.color },
      selection: [...this.local.selection],
      pointer: this.local.pointer,
      dragging: this.local.dragging.map(([id, p]) => [id, { x: p.x, y: p.y }]),
    };
    this.handle.broadcast(message);
  }

  private broadcastWatchedRun(): void {
    if (this.handle === null || this.profile === null) return;
    const run = this.ownRun.take();
    if (run === null) return;
    const message: BoardRun = {
      type: 'board-run',
      user: { name: this.profile.name, color: this.profile.color },
      ...run,
      at: Date.now(),
    };
    this.handle.broadcast(message);
  }

  private bind(): void {
    this.unbind();
    const sync = this.sync;
    const url = this.url;
    if (sync === null || url === null) return;
    const abort = new AbortController();
    this.abort = abort;
    this.error = null;
    const unsubscribe = sync.subscribeRefusals(() => this.host.requestUpdate());
    abort.signal.addEventListener('abort', unsubscribe);
    const attempt = async (): Promise<void> => {
      try {
        const handle = await sync.find(url, abort.signal);
        if (abort.signal.aborted) return;
        this.attach(sync, handle);
      } catch (error) {
        if (abort.signal.aborted) return;
        if (!(error instanceof WorkflowUnavailableError)) throw error;
        this.error = error.message;
        this.host.requestUpdate();
        const timer = setTimeout(() => void attempt(), FIND_RETRY_MS);
        abort.signal.addEventListener('abort', () => clearTimeout(timer));
      }
    };
    void attempt();
    this.host.requestUpdate();
  }

  private attach(sync: WorkflowSync, handle: DocHandle<Workflow>): void {
    this.handle = handle;
    this.error = null;
    const onChange = (): void => this.host.requestUpdate();
    const onMessage = ({ senderId, message }: DocHandleEphemeralMessagePayload<Workflow>): void => {
      const isNew = !this.presence.list().some((p) => p.peerId === senderId);
      const now = Date.now();
      const presenceChanged = this.presence.receive(senderId, message, now);
      if (this.runs.receive(senderId, message, now) || presenceChanged) this.host.requestUpdate();
      // Answer a newcomer at once so they do not wait for the next heartbeat.
      if (isNew && this.presence.list().some((p) => p.peerId === senderId)) {
        this.sendPresence();
        if (this.ownRun.running) this.sendRun();
      }
    };
    handle.on('change', onChange);
    handle.on('ephemeral-message', onMessage);
    const heartbeat = setInterval(() => {
      this.broadcastPresence();
      if (this.presence.expire(Date.now())) this.host.requestUpdate();
    }, PRESENCE_HEARTBEAT_MS);
    const runHeartbeat = setInterval(() => {
      if (this.ownRun.running) this.broadcastWatchedRun();
      if (this.runs.expire(Date.now())) this.host.requestUpdate();
    }, RUN_HEARTBEAT_MS);
    const unwatch = sync.watch(handle);
    this.cleanup.push(() => {
      handle.off('change', onChange);
      handle.off('ephemeral-message', onMessage);
      clearInterval(heartbeat);
      clearInterval(runHeartbeat);
      unwatch();
      this.sendPresence.cancel();
      this.sendRun.cancel();
      handle.broadcast({ type: 'board-leave' } satisfies PresenceMessage);
    });
    this.broadcastPresence();
    if (this.ownRun.running) this.broadcastWatchedRun();
    this.host.requestUpdate();
  }

  private unbind(): void {
    this.abort?.abort();
    this.abort = null;
    for (const fn of this.cleanup.splice(0)) fn();
    this.handle = null;
    this.reportFor = null;
    this.reportValue = null;
    this.history.clear();
    this.local = { selection: [], pointer: null, dragging: [] };
    for (const peer of this.presence.list()) this.presence.remove(peer.peerId);
    this.runs.clear();
  }
}
