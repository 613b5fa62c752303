// The outbox: OFB mutations kept in IndexedDB and sent in order with idempotency keys, retried with
// backoff offline, refused entries kept with OFB's words for Retry or Dismiss.
import { type ErrorBody, type OfbFunctionName, OfbRequests } from '@symphony/schemas';
import { liveQuery, type Subscription } from 'dexie';
import type { SymphonyDb } from './local-db.js';
import { OfbRequestError } from './ofb-errors.js';

/** The OFB functions that go through the outbox: every mutation a person can make offline. */
export const OutboxFunction = {
  createWorkspace: 'create-workspace',
  inviteMember: 'invite-member',
  changeRole: 'change-role',
  removeMember: 'remove-member',
  createDocument: 'create-document',
  renameDocument: 'rename-document',
  deleteDocument: 'delete-document',
} as const satisfies Record<string, OfbFunctionName>;
export type OutboxFunction = (typeof OutboxFunction)[keyof typeof OutboxFunction];

/** Why OFB refused an entry, in its own words: the HTTP status and OFB's error body's fields. */
export type OutboxRefusal = Readonly<{ status: number } & Omit<ErrorBody['error'], 'details'>>;

/** One queued OFB mutation. */
export interface OutboxEntry {
  /** FIFO order (Dexie's auto-increment). */
  readonly seq?: number;
  /**
   * The idempotency key: sent with every attempt, so a replay applies once. Retry after a refusal
   * gives the entry a new one (a new attempt).
   */
  readonly key: string;
  /** The user who queued it; only their token may replay it. */
  readonly userId: string;
  readonly name: OutboxFunction;
  readonly body: Record<string, unknown>;
  /** What it does, for the Outbox panel ("Create document “Notes”"). */
  readonly label: string;
  /** When it was queued (ms since the epoch). */
  readonly createdAt: number;
  readonly state: 'pending' | 'refused';
  readonly attempts: number;
  readonly refusal?: OutboxRefusal;
}

/** A body that fails the function's own schema: refused before it is queued. */
export class OutboxPrevalidationError extends Error {
  override name = 'OutboxPrevalidationError';
}

/** Sends one entry to OFB (with `entry.key` as idempotency key); rejects like an `OfbTransport`. */
export type OutboxSend = (entry: OutboxEntry) => Promise<unknown>;

/** Options for {@link Outbox}. */
export interface OutboxOptions {
  readonly db: SymphonyDb;
  readonly send: OutboxSend;
  /** The signed-in user's id (entries are queued and replayed per user), or `null`. */
  readonly userId: () => string | null;
  readonly now: () => number;
  readonly newKey: () => string;
  /** Timers, injected so tests control time. */
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  /** Called after OFB applied an entry (or, for a create, found it already there). */
  readonly onApplied?: (entry: OutboxEntry, answer: unknown) => void;
  /** Called when OFB refused the token (401): the replay stops until the person signs in again. */
  readonly onAuthRequired?: () => void;
}

/** How a {@link Outbox.replay} ended. */
export type ReplayOutcome = 'done' | 'offline' | 'auth' | 'busy' | 'signed-out';

/**
 * What became of an entry {@link Outbox.submit} queued, once the replay it started ended: OFB
 * applied it, refused it (with its words; the entry stays in the outbox, refused), or it is still
 * queued (offline, or the session needs a sign-in) and is sent later like any entry.
 */
export type OutboxOutcome =
  | { readonly state: 'applied'; readonly entry: OutboxEntry }
  | { readonly state: 'refused'; readonly entry: OutboxEntry; readonly refusal: OutboxRefusal }
  | { readonly state: 'queued'; readonly entry: OutboxEntry; readonly replay: ReplayOutcome };

/** 1 s doubled per failed replay up to 60 s: quick when the network blips, cheap when it is gone. */
const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * OFB mutations made offline (or online: everything goes through here), kept in IndexedDB and sent
 * in order. Each entry carries an idempotency key sent on every attempt, so an entry whose answer
 * was lost and is sent again applies once. A network failure (or a 5xx) stops the replay, which
 * retries later with backoff; a refusal (4xx) marks that entry refused with OFB's message and the
 * replay goes on; a success removes the entry.
 */
export class Outbox {
  private cached: OutboxEntry[] = [];
  /** Ids whose create was asked for in this page and not yet applied (before IndexedDB has them). */
  private readonly creating = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private running: Promise<ReplayOutcome> | null = null;
  private again = false;
  private failures = 0;
  private timer: unknown = null;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  /** The live view of the queue in IndexedDB, which other tabs of this browser write too. */
  private watching: Subscription | null = null;
  /** Set by {@link Outbox.stop}: a load still under way must not start watching. */
  private stopped = false;

  constructor(private readonly options: OutboxOptions) {
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  /** The current user's entries, oldest first (pending and refused). */
  get entries(): readonly OutboxEntry[] {
    return this.cached;
  }

  /** How many of the current user's entries still wait to be sent. */
  get pendingCount(): number {
    return this.cached.filter((e) => e.state === 'pending').length;
  }

  /** Whether an entry creating `id` (a workspace or document) has not been applied yet. */
  isCreationPending(id: string): boolean {
    return (
      this.creating.has(id) ||
      this.cached.some(
        (e) =>
          (e.name === OutboxFunction.createDocument || e.name === OutboxFunction.createWorkspace) &&
          e.body.id === id,
      )
    );
  }

  /** Calls `listener` whenever {@link Outbox.entries} changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reads the queue from IndexedDB (call once at start, and after the user changes) and keeps
   * {@link Outbox.entries} live from then on: another tab of this browser shares the queue, and an
   * entry it sends (or queues) must show here too, not only after this page's next replay.
   */
  async load(): Promise<void> {
    this.stopped = false;
    await this.reload();
    this.watching?.unsubscribe();
    const userId = this.options.userId();
    // stop() while the queue was read: the page is going away, so nothing to watch.
    if (userId === null || this.stopped) return;
    this.watching = liveQuery(() =>
      this.options.db.outbox.where('userId').equals(userId).sortBy('seq'),
    ).subscribe({
      next: (entries) => {
        if (this.options.userId() !== userId) return;
        this.cached = entries;
        this.notify();
      },
      error: (error: unknown) => console.warn('Symphony: watching the outbox failed', error),
    });
  }

  /**
   * Queues `name(body)` and starts a replay. Throws {@link OutboxPrevalidationError} when the body
   * does not fit the function's schema (nothing is queued then).
   */
  async enqueue(name: OutboxFunction, body: Record<string, unknown>, label: string): Promise<OutboxEntry> {
    const userId = this.options.userId();
    if (userId === null) throw new OutboxPrevalidationError(`${name}: sign in first`);
    const checked = OfbRequests[name].safeParse(body);
    if (!checked.success)
      throw new OutboxPrevalidationError(checked.error.issues[0]?.message ?? `${name}: invalid request`);
    const createdId = isCreate(name) && typeof body.id === 'string' ? body.id : null;
    if (createdId !== null) this.creating.add(createdId);
    const entry: OutboxEntry = {
      key: this.options.newKey(),
      userId,
      name,
      body,
      label,
      createdAt: this.options.now(),
      state: 'pending',
      attempts: 0,
    };
    const seq = await this.options.db.outbox.add(entry);
    await this.reload();
    if (createdId !== null) this.creating.delete(createdId);
    void this.replay();
    return { ...entry, seq };
  }

  /**
   * Queues `name(body)` like {@link Outbox.enqueue} and waits for the replay that sends it, so an
   * online caller can say at once what OFB answered ("No user named …"), while offline the entry
   * simply stays queued. It still goes through the queue, in order and with its idempotency key.
   */
  async submit(name: OutboxFunction, body: Record<string, unknown>, label: string): Promise<OutboxOutcome> {
    const entry = await this.enqueue(name, body, label);
    // `enqueue` started (or joined) a run, which goes round until the queue it reads holds no
    // entry queued before it asked: when the run ends, this entry was sent or the run gave up.
    const replay: ReplayOutcome = (await this.running) ?? 'done';
    const stored = await this.options.db.outbox.where('key').equals(entry.key).first();
    if (stored === undefined) return { state: 'applied', entry };
    if (stored.state === 'refused' && stored.refusal !== undefined)
      return { state: 'refused', entry: stored, refusal: stored.refusal };
    return { state: 'queued', entry: stored, replay };
  }

  /**
   * Sends a refused entry again, as a new attempt the person chose: with a fresh idempotency key,
   * since OFB stores a refusal under the key and would answer the old key with the same refusal.
   * Keeps its place in the queue.
   */
  async retry(key: string): Promise<void> {
    const entry = await this.options.db.outbox.where('key').equals(key).first();
    if (entry?.seq === undefined) return;
    if (entry.state !== 'refused') {
      // Still pending: it may have been applied with its answer lost, so it keeps its key.
      this.failures = 0;
      void this.replay();
      return;
    }
    const fresh = this.options.newKey();
    await this.options.db.outbox
      .where('seq')
      .equals(entry.seq)
      .modify((e: { -readonly [K in keyof OutboxEntry]: OutboxEntry[K] }) => {
        e.state = 'pending';
        e.key = fresh;
        e.attempts = 0;
        delete e.refusal;
      });
    this.failures = 0;
    await this.reload();
    void this.replay();
  }

  /** Drops an entry for good (it is never sent again). */
  async dismiss(key: string): Promise<void> {
    await this.options.db.outbox.where('key').equals(key).delete();
    await this.reload();
  }

  /**
   * Sends the current user's pending entries in order. Concurrent calls share one run (and a call
   * during a run makes it go round once more, for entries queued meanwhile).
   */
  replay(): Promise<ReplayOutcome> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.clearTimer(this.timer);
    this.timer = null;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops the retry timer and the live view (the queue stays in IndexedDB). */
  stop(): void {
    this.clearTimer(this.timer);
    this.timer = null;
    this.watching?.unsubscribe();
    this.watching = null;
    this.stopped = true;
  }

  private async run(): Promise<ReplayOutcome> {
    for (;;) {
      this.again = false;
      const outcome = await this.sendPending();
      if (outcome !== 'done') {
        // Someone asked for a replay while this one was failing: they get a fresh attempt.
        if (this.again && outcome === 'offline') continue;
        if (outcome === 'offline') this.scheduleRetry();
        return outcome;
      }
      this.failures = 0;
      if (!this.again) return 'done';
    }
  }

  private async sendPending(): Promise<ReplayOutcome> {
    const userId = this.options.userId();
    if (userId === null) return 'signed-out';
    const queue = (await this.options.db.outbox.where('userId').equals(userId).sortBy('seq')).filter(
      (e) => e.state === 'pending',
    );
    for (const entry of queue) {
      if (entry.seq === undefined) continue;
      await this.options.db.outbox.update(entry.seq, { attempts: entry.attempts + 1 });
      let answer: unknown;
      try {
        answer = await this.options.send(entry);
      } catch (error) {
        if (error instanceof OfbRequestError && error.isAuth) {
          await this.reload();
          this.options.onAuthRequired?.();
          return 'auth';
        }
        if (!(error instanceof OfbRequestError) || error.isTransient) {
          await this.reload();
          return 'offline';
        }
        if (alreadyApplied(entry, error)) {
          await this.options.db.outbox.delete(entry.seq);
          await this.reload();
          this.options.onApplied?.(entry, null);
          continue;
        }
        const refusal: OutboxRefusal = {
          status: error.status,
          category: error.category,
          code: error.code,
          message: error.message,
        };
        await this.options.db.outbox.update(entry.seq, { state: 'refused', refusal });
        await this.reload();
        continue;
      }
      await this.options.db.outbox.delete(entry.seq);
      await this.reload();
      this.options.onApplied?.(entry, answer);
    }
    // Another tab may have sent what this page still listed: the queue as it is now.
    await this.reload();
    return 'done';
  }

  private scheduleRetry(): void {
    this.failures++;
    const delay = Math.min(BASE_BACKOFF_MS * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
    this.clearTimer(this.timer);
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.replay();
    }, delay);
  }

  private async reload(): Promise<void> {
    const userId = this.options.userId();
    this.cached =
      userId === null ? [] : await this.options.db.outbox.where('userId').equals(userId).sortBy('seq');
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * A create that OFB answers "already exists" for was applied before (by this browser, or by whoever
 * listed the same document first): the goal, registration, holds.
 */
function alreadyApplied(entry: OutboxEntry, error: OfbRequestError): boolean {
  return error.status === 409 && isCreate(entry.name) && /exist|taken|duplicate/i.test(error.code);
}

function isCreate(name: OutboxFunction): boolean {
  return name === OutboxFunction.createDocument || name === OutboxFunction.createWorkspace;
}
