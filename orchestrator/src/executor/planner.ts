// The pure scheduling core: a run's graph and its journal records in, commands out, time given.
// No I/O, no clock, no randomness of its own: the executor applies every record it makes and asks
// for the next commands; tests drive it the same way.
import type { RunState } from '@symphony/pit';
import { type NodeId, NodeState, type RunError, type RunEvent, RunStatus } from '@symphony/schemas';
import type { RunGraph } from './graph.js';
import { TimerHeap } from './timer-heap.js';

/** What the executor must do next. Each command is given once. */
export type PlannerCommand =
  /** Run `attempt` of the node (after a cache check): record `node.running` or `node.cached`. */
  | { readonly kind: 'start'; readonly nodeId: NodeId; readonly attempt: number }
  /** Record `node.skipped`: an upstream node failed, was cancelled or skipped. */
  | { readonly kind: 'skip'; readonly nodeId: NodeId; readonly reason: string }
  /** Record `node.cancelled` for a node that is not running. */
  | { readonly kind: 'cancel'; readonly nodeId: NodeId; readonly reason: string }
  /** Abort the running attempt's signal; record `node.cancelled` once it stops (or is abandoned). */
  | { readonly kind: 'abort'; readonly nodeId: NodeId; readonly reason: string }
  /** Ask for the next commands at `at` (a retry comes due). Replaces any earlier wake. */
  | { readonly kind: 'wake'; readonly at: number }
  /** Every node is final: record `run.finished` with `status`. */
  | { readonly kind: 'finish'; readonly status: FinalStatus };

/** How a run ends. */
export type FinalStatus = typeof RunStatus.succeeded | typeof RunStatus.failed | typeof RunStatus.cancelled;

/** The planner's limits and retry policy. */
export interface PlannerLimits {
  /** Nodes in flight at once, over all types. */
  readonly concurrency: number;
  /** Nodes in flight at once per node type; a type not listed has only the global limit. */
  readonly typeConcurrency?: ReadonlyMap<string, number>;
  /** Attempts per node type, the first included; `defaultMaxAttempts` for a type not listed. */
  readonly maxAttempts?: ReadonlyMap<string, number>;
  readonly defaultMaxAttempts: number;
  /** Backoff before attempt 2; it doubles for each further attempt, up to `backoffMaxMs`. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

// A node's phase inside the planner (finer than NodeState: it knows what it has already asked for).
const WAITING = 0; // inputs not all ready
const READY = 1; // in a ready queue
const IN_FLIGHT = 2; // start given (cache check or running); holds a slot
const RETRY_WAIT = 3; // waiting for its retryAt
const DOOMED = 4; // skip or cancel given, its record not yet applied
const SUCCEEDED = 5; // succeeded or cached: final
const ENDED = 6; // failed, cancelled or skipped: final

/**
 * The delay before the attempt after `attempt` failed: exponential (`base · 2^(attempt−1)`, at most
 * `max`) with equal jitter, so it is at least half the exponential delay and retries of many nodes
 * that failed together spread out instead of arriving together. `random` gives [0, 1).
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 52));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/**
 * A run's scheduler. `apply` every journal record of the run as the executor makes it (in order;
 * before it is durable is fine, since commands are acted on only after it is); `next(now)` gives
 * what to do. Nodes start as soon as every input is ready, oldest-ready first, within the global
 * and per-type limits; a failed, cancelled or skipped node's descendants are skipped while
 * independent branches go on; the run finishes `failed` if any node failed, else `cancelled` if
 * any was cancelled, else `succeeded`. Incremental: O(nodes + edges) over a whole run, plus
 * O(node types) per start and O(log n) per retry.
 *
 * Built from a folded {@link RunState} it resumes: final nodes stay final (a failure's skips that
 * were not yet recorded are given again), a node that was running starts again with the same
 * attempt, a retrying one waits for its retryAt, a pending cancellation is carried out.
 */
export class RunPlanner {
  readonly #graph: RunGraph;
  readonly #limits: PlannerLimits;
  readonly #random: () => number;
  readonly #phase: Uint8Array;
  /** Inputs (distinct producers) not yet succeeded, per node. */
  readonly #pending: Uint32Array;
  /** The attempt a node starts with when it leaves READY. */
  readonly #attempt: Uint16Array;
  /** Abort already given for the node's current attempt. */
  readonly #aborted: Uint8Array;
  readonly #cancelNodes = new Set<number>();
  /** Ready queues per node type, each with its nodes' ready sequence numbers (for oldest-first). */
  readonly #ready = new Map<string, ReadyQueue>();
  readonly #inFlightByType = new Map<string, number>();
  readonly #timers = new TimerHeap();
  readonly #outbox: PlannerCommand[] = [];
  #sequence = 0;
  #inFlight = 0;
  #unfinished: number;
  #failed = 0;
  #cancelled = 0;
  #cancelAll = false;
  #sweepPending = false;
  #lastWake: number | undefined;
  #finishGiven = false;
  #finished = false;

  constructor(graph: RunGraph, limits: PlannerLimits, random: () => number, resumeFrom?: RunState) {
    this.#graph = graph;
    this.#limits = limits;
    this.#random = random;
    const n = graph.nodes.length;
    this.#phase = new Uint8Array(n);
    this.#pending = new Uint32Array(n);
    this.#attempt = new Uint16Array(n).fill(1);
    this.#aborted = new Uint8Array(n);
    this.#unfinished = n;
    for (const node of graph.nodes) this.#pending[node.index] = node.parents.length;
    if (resumeFrom) this.#resume(resumeFrom);
    else for (const node of graph.nodes) if (node.parents.length === 0) this.#enqueue(node.index);
  }

  /** Whether `run.finished` has been applied: nothing more will be asked for. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Nodes holding a slot (started and not yet retrying or final). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Applies one journal record of the run. Records of other nodes' states are taken as they come. */
  apply(event: RunEvent): void {
    if (event.type === 'run.finished') {
      this.#finished = true;
      return;
    }
    if (event.type === 'run.cancelRequested') {
      if (event.nodeId === undefined) this.#requestCancelAll();
      else {
        const i = this.#graph.index.get(event.nodeId);
        if (i !== undefined) this.#requestCancel(i, 'cancelled');
      }
      return;
    }
    if (event.type === 'run.started' || event.type === 'node.queued' || event.type === 'node.running') return;
    const i = this.#graph.index.get(event.nodeId);
    if (i === undefined) return;
    switch (event.type) {
      case 'node.succeeded':
      case 'node.cached':
        this.#succeed(i);
        return;
      case 'node.retrying':
        this.#retryLater(i, event.attempt + 1, event.retryAt);
        return;
      case 'node.failed':
        this.#end(i, 'failed', `upstream node ${event.nodeId} failed`);
        return;
      case 'node.cancelled':
        this.#end(i, 'cancelled', `upstream node ${event.nodeId} was cancelled`);
        return;
      case 'node.skipped':
        this.#end(i, 'skipped', event.reason);
        return;
    }
  }

  /**
   * When the attempt after a failed one may start, or undefined when the failure is final: the
   * error is not retryable, the node type's attempts are used up, or its cancellation was asked for.
   */
  retryAt(nodeId: NodeId, attempt: number, error: RunError, now: number): number | undefined {
    const i = this.#graph.index.get(nodeId);
    if (i === undefined || !error.retryable || this.#cancelAll || this.#cancelNodes.has(i)) return undefined;
    const type = this.#graph.nodes[i]!.type;
    const max = this.#limits.maxAttempts?.get(type) ?? this.#limits.defaultMaxAttempts;
    if (attempt >= max) return undefined;
    return now + backoffDelay(attempt, this.#limits.backoffBaseMs, this.#limits.backoffMaxMs, this.#random);
  }

  /** Whether cancelling the node (or the whole run) was asked for. */
  cancelRequested(nodeId: NodeId): boolean {
    const i = this.#graph.index.get(nodeId);
    return this.#cancelAll || (i !== undefined && this.#cancelNodes.has(i));
  }

  /** The commands due at `now`, each given once. */
  next(now: number): PlannerCommand[] {
    if (this.#finished) return [];
    const commands = this.#outbox.splice(0);
    if (this.#sweepPending) this.#sweep(commands);
    this.#dueRetries(now);
    if (!this.#cancelAll) this.#startReady(commands);
    const wake = this.#nextWake();
    if (wake !== undefined && wake !== this.#lastWake) commands.push({ kind: 'wake', at: wake });
    this.#lastWake = wake;
    if (this.#unfinished === 0 && !this.#finishGiven) {
      this.#finishGiven = true;
      const status =
        this.#failed > 0 ? RunStatus.failed : this.#cancelled > 0 ? RunStatus.cancelled : RunStatus.succeeded;
      commands.push({ kind: 'finish', status });
    }
    return commands;
  }

  #resume(state: RunState): void {
    const nodes = this.#graph.nodes;
    const stateOf = (i: number): NodeState => state.nodes.get(nodes[i]!.id)?.state ?? NodeState.queued;
    for (const id of state.cancelRequestedNodes) {
      const i = this.#graph.index.get(id);
      if (i !== undefined) this.#cancelNodes.add(i);
    }
    this.#cancelAll = state.cancelRequested;
    this.#sweepPending = state.cancelRequested;
    // Final nodes first, all of them, so no propagation below touches a node that is final.
    for (let i = 0; i < nodes.length; i++) {
      const s = stateOf(i);
      if (s === NodeState.succeeded || s === NodeState.cached) this.#phase[i] = SUCCEEDED;
      else if (s === NodeState.failed || s === NodeState.cancelled || s === NodeState.skipped) {
        this.#phase[i] = ENDED;
        if (s === NodeState.failed) this.#failed++;
        if (s === NodeState.cancelled) this.#cancelled++;
      } else continue;
      this.#unfinished--;
    }
    for (let i = 0; i < nodes.length; i++) {
      if (this.#phase[i] === SUCCEEDED) for (const child of nodes[i]!.children) this.#pending[child]!--;
    }
    // Skips a failure gave that were not all recorded before the process stopped.
    for (let i = 0; i < nodes.length; i++) {
      if (this.#phase[i] !== ENDED) continue;
      const s = stateOf(i);
      const id = nodes[i]!.id;
      this.#skipDescendants(
        i,
        s === NodeState.failed
          ? `upstream node ${id} failed`
          : s === NodeState.cancelled
            ? `upstream node ${id} was cancelled`
            : (state.nodes.get(id)?.reason ?? 'skipped'),
      );
    }
    // A node that was running when the process stopped runs again first, with the same attempt.
    for (let i = 0; i < nodes.length; i++) {
      if (stateOf(i) !== NodeState.running || this.#phase[i] !== WAITING) continue;
      this.#attempt[i] = Math.max(1, state.nodes.get(nodes[i]!.id)!.attempt);
      this.#becomeReady(i);
    }
    for (let i = 0; i < nodes.length; i++) {
      if (this.#phase[i] !== WAITING) continue;
      if (stateOf(i) === NodeState.retrying) {
        const node = state.nodes.get(nodes[i]!.id)!;
        this.#retryLater(i, node.attempt + 1, node.retryAt ?? 0);
      } else if (this.#pending[i] === 0) this.#becomeReady(i);
    }
  }

  /** A node whose inputs are all ready: queued to start, or cancelled if that was asked for. */
  #becomeReady(i: number): void {
    if (this.#cancelNodes.has(i)) this.#doom(i, 'cancel', 'cancelled');
    else this.#enqueue(i);
  }

  #enqueue(i: number): void {
    const type = this.#graph.nodes[i]!.type;
    let queue = this.#ready.get(type);
    if (queue === undefined) {
      queue = { nodes: [], sequence: [], head: 0 };
      this.#ready.set(type, queue);
    }
    queue.nodes.push(i);
    queue.sequence.push(this.#sequence++);
    this.#phase[i] = READY;
  }

  #startReady(commands: PlannerCommand[]): void {
    const { concurrency, typeConcurrency } = this.#limits;
    while (this.#inFlight < concurrency) {
      let best: ReadyQueue | undefined;
      let bestType = '';
      for (const [type, queue] of this.#ready) {
        dropStale(queue, this.#phase);
        if (queue.head === queue.nodes.length) continue;
        const limit = typeConcurrency?.get(type);
        if (limit !== undefined && (this.#inFlightByType.get(type) ?? 0) >= limit) continue;
        if (best === undefined || queue.sequence[queue.head]! < best.sequence[best.head]!) {
          best = queue;
          bestType = type;
        }
      }
      if (best === undefined) return;
      const i = best.nodes[best.head++]!;
      compact(best);
      this.#phase[i] = IN_FLIGHT;
      this.#aborted[i] = 0;
      this.#inFlight++;
      this.#inFlightByType.set(bestType, (this.#inFlightByType.get(bestType) ?? 0) + 1);
      commands.push({ kind: 'start', nodeId: this.#graph.nodes[i]!.id, attempt: this.#attempt[i]! });
    }
  }

  #dueRetries(now: number): void {
    const timers = this.#timers;
    while (timers.size > 0 && timers.peekAt()! <= now) {
      const i = timers.peekNode()!;
      timers.pop();
      if (this.#phase[i] === RETRY_WAIT) this.#enqueue(i);
    }
  }

  #nextWake(): number | undefined {
    const timers = this.#timers;
    while (timers.size > 0 && this.#phase[timers.peekNode()!] !== RETRY_WAIT) timers.pop();
    return timers.peekAt();
  }

  #leaveFlight(i: number): void {
    if (this.#phase[i] !== IN_FLIGHT) return;
    this.#inFlight--;
    const type = this.#graph.nodes[i]!.type;
    this.#inFlightByType.set(type, this.#inFlightByType.get(type)! - 1);
  }

  #succeed(i: number): void {
    if (this.#phase[i]! >= SUCCEEDED) return;
    this.#leaveFlight(i);
    this.#phase[i] = SUCCEEDED;
    this.#unfinished--;
    for (const child of this.#graph.nodes[i]!.children) {
      this.#pending[child]!--;
      if (this.#pending[child] === 0 && this.#phase[child] === WAITING) this.#becomeReady(child);
    }
  }

  #retryLater(i: number, attempt: number, at: number): void {
    if (this.#phase[i]! >= DOOMED) return;
    this.#leaveFlight(i);
    if (this.#cancelAll || this.#cancelNodes.has(i)) {
      this.#doom(i, 'cancel', this.#cancelAll ? 'run cancelled' : 'cancelled');
      return;
    }
    this.#phase[i] = RETRY_WAIT;
    this.#attempt[i] = attempt;
    this.#timers.push(at, i);
  }

  /** A node ended without outputs: it is final, and every descendant not yet final is skipped. */
  #end(i: number, how: 'failed' | 'cancelled' | 'skipped', reason: string): void {
    if (this.#phase[i]! >= SUCCEEDED) return;
    this.#leaveFlight(i);
    this.#phase[i] = ENDED;
    this.#unfinished--;
    if (how === 'failed') this.#failed++;
    else if (how === 'cancelled') this.#cancelled++;
    this.#skipDescendants(i, reason);
  }

  #skipDescendants(i: number, reason: string): void {
    const stack = [i];
    while (stack.length > 0) {
      for (const child of this.#graph.nodes[stack.pop()!]!.children) {
        const phase = this.#phase[child]!;
        if (phase === IN_FLIGHT || phase >= DOOMED) continue;
        this.#doom(child, 'skip', reason);
        stack.push(child);
      }
    }
  }

  #doom(i: number, kind: 'skip' | 'cancel', reason: string): void {
    this.#phase[i] = DOOMED;
    this.#outbox.push({ kind, nodeId: this.#graph.nodes[i]!.id, reason });
  }

  #requestCancel(i: number, reason: string): void {
    this.#cancelNodes.add(i);
    const phase = this.#phase[i]!;
    if (phase === IN_FLIGHT) {
      if (this.#aborted[i] === 0) {
        this.#aborted[i] = 1;
        this.#outbox.push({ kind: 'abort', nodeId: this.#graph.nodes[i]!.id, reason });
      }
    } else if (phase < DOOMED) this.#doom(i, 'cancel', reason);
  }

  #requestCancelAll(): void {
    if (this.#cancelAll) return;
    this.#cancelAll = true;
    this.#sweepPending = true;
  }

  /** After the whole run's cancellation: every node not final is cancelled or aborted. */
  #sweep(commands: PlannerCommand[]): void {
    this.#sweepPending = false;
    for (let i = 0; i < this.#phase.length; i++) {
      if (this.#phase[i]! >= DOOMED) continue;
      this.#requestCancel(i, 'run cancelled');
    }
    commands.push(...this.#outbox.splice(0));
  }
}

interface ReadyQueue {
  nodes: number[];
  sequence: number[];
  head: number;
}

/** Skips entries at the head that left READY while queued (cancelled, skipped). */
function dropStale(queue: ReadyQueue, phase: Uint8Array): void {
  while (queue.head < queue.nodes.length && phase[queue.nodes[queue.head]!] !== READY) queue.head++;
}

/** Frees the consumed head of a queue once it is large, keeping pops O(1) amortised. */
function compact(queue: ReadyQueue): void {
  if (queue.head < 1024 || queue.head * 2 < queue.nodes.length) return;
  queue.nodes.splice(0, queue.head);
  queue.sequence.splice(0, queue.head);
  queue.head = 0;
}
