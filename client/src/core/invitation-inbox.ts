// The person's pending invitations to other workspaces (InvitationInbox): asked of OFB on a short
// poll while the page is visible and online, so a new one shows without a reload; Accept and Decline.
import type { OfbResponse } from '@symphony/schemas';
import { type CallFailure, invitationFailureText } from './invite-refusal.js';

/** One invitation addressed to the person, as `list-invitations` answers it. */
export type ReceivedInvitation = OfbResponse<'list-invitations'>['invitations'][number];

/** Options for {@link InvitationInbox}. */
export interface InvitationInboxOptions {
  /** Asks OFB for the person's pending invitations. */
  readonly list: () => Promise<readonly ReceivedInvitation[]>;
  readonly accept: (invitation: ReceivedInvitation) => Promise<void>;
  readonly decline: (invitation: ReceivedInvitation) => Promise<void>;
  /** Runs after an accepted invitation, before `accept` resolves (list the workspaces again). */
  readonly onAccepted?: (invitation: ReceivedInvitation) => Promise<void> | void;
  /** What a failed `accept` or `decline` was: OFB's code and words, or unreachable. */
  readonly failure: (error: unknown) => CallFailure;
  /** Whether asking is worth it now (the page is visible and online); always, by default. */
  readonly isActive?: () => boolean;
  /** Timers, injected so tests control time. */
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  /** How often to ask while active (default 10 s); doubled per failure up to `maxIntervalMs` (60 s). */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
}

/** How an {@link InvitationInbox.accept} or {@link InvitationInbox.decline} ended. */
export type InvitationAnswer = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * The invitations waiting for the person. OFB cannot push them, so the inbox asks `list-invitations`
 * every 10 s while the page is visible and online (and at once on {@link InvitationInbox.poke}: focus,
 * back online), backing off to a minute while OFB fails. Accepting or declining removes the
 * invitation at once; one answered here never comes back from a list that was already under way.
 */
export class InvitationInbox {
  private current: readonly ReceivedInvitation[] = [];
  private newlyArrived: readonly ReceivedInvitation[] = [];
  private listed = false;
  private readonly answering = new Set<string>();
  /** Answered here: hidden from lists that were asked for before OFB applied the answer. */
  private readonly answered = new Set<string>();
  private readonly failures = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private inFlight: Promise<void> | null = null;
  private timer: unknown = null;
  private delay: number;
  private running = false;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: InvitationInboxOptions) {
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.delay = this.baseDelay;
  }

  /** The pending invitations, oldest first. */
  get invitations(): readonly ReceivedInvitation[] {
    return this.current;
  }

  /** Those that appeared in the latest list and were not in the one before (none on the first). */
  get arrived(): readonly ReceivedInvitation[] {
    return this.newlyArrived;
  }

  /** Whether an Accept or Decline of invitation `id` is under way. */
  isAnswering(id: string): boolean {
    return this.answering.has(id);
  }

  /** Why the last Accept or Decline of invitation `id` failed, or `null`. */
  failureOf(id: string): string | null {
    return this.failures.get(id) ?? null;
  }

  /** Calls `listener` whenever anything above changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Lists now and keeps polling until {@link InvitationInbox.stop}. */
  start(): Promise<void> {
    this.running = true;
    return this.refresh();
  }

  /** Stops polling (the list stays as it is). */
  stop(): void {
    this.running = false;
    this.clearTimer(this.timer);
    this.timer = null;
  }

  /** Something suggests news (the page got focus, the network came back): ask now if active. */
  poke(): void {
    if (this.isActive()) void this.refresh();
  }

  /** Asks OFB for the list now (concurrent calls share one request) and schedules the next ask. */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = null;
      this.schedule();
    });
    return this.inFlight;
  }

  /** Accepts invitation `id`: it leaves the list, then `onAccepted` runs (the workspace is listed). */
  accept(id: string): Promise<InvitationAnswer> {
    return this.answer(id, this.options.accept, this.options.onAccepted);
  }

  /** Declines invitation `id`: it leaves the list, and the workspace's owner sees it no more. */
  decline(id: string): Promise<InvitationAnswer> {
    return this.answer(id, (invitation) => this.options.decline(invitation));
  }

  private get baseDelay(): number {
    return this.options.intervalMs ?? 10_000;
  }

  private isActive(): boolean {
    return this.options.isActive?.() ?? true;
  }

  private async fetch(): Promise<void> {
    let rows: readonly ReceivedInvitation[];
    try {
      rows = await this.options.list();
    } catch {
      // Only news that did not come yet: keep the list, ask again later, less often.
      this.delay = Math.min(this.delay * 2, this.options.maxIntervalMs ?? 60_000);
      return;
    }
    this.delay = this.baseDelay;
    for (const id of this.answered) if (!rows.some((r) => r.id === id)) this.answered.delete(id);
    const open = rows.filter((r) => !this.answered.has(r.id));
    const before = new Set(this.current.map((r) => r.id));
    this.newlyArrived = this.listed ? open.filter((r) => !before.has(r.id)) : [];
    this.listed = true;
    this.current = open;
    this.notify();
  }

  private schedule(): void {
    this.clearTimer(this.timer);
    this.timer = null;
    if (!this.running) return;
    this.timer = this.setTimer(() => {
      this.timer = null;
      // Hidden or offline: nothing to show anyone; look again later without asking.
      if (this.isActive()) void this.refresh();
      else this.schedule();
    }, this.delay);
  }

  private async answer(
    id: string,
    send: (invitation: ReceivedInvitation) => Promise<void>,
    after?: (invitation: ReceivedInvitation) => Promise<void> | void,
  ): Promise<InvitationAnswer> {
    const invitation = this.current.find((r) => r.id === id);
    if (invitation === undefined) return { ok: false, message: 'This invitation is no longer open.' };
    if (this.answering.has(id)) return { ok: false, message: 'This invitation is being answered.' };
    this.answering.add(id);
    this.failures.delete(id);
    this.notify();
    try {
      await send(invitation);
    } catch (error) {
      this.answering.delete(id);
      const words = invitationFailureText(this.options.failure(error));
      if (words.gone) this.remove(id);
      else this.failures.set(id, words.message);
      this.notify();
      return { ok: false, message: words.message };
    }
    this.answering.delete(id);
    this.answered.add(id);
    this.remove(id);
    this.notify();
    try {
      await after?.(invitation);
    } catch (error) {
      // OFB applied the answer; what follows (listing the workspaces) catches up on its next run.
      console.warn('Symphony: after answering an invitation', error);
    }
    return { ok: true };
  }

  private remove(id: string): void {
    this.current = this.current.filter((r) => r.id !== id);
    this.newlyArrived = this.newlyArrived.filter((r) => r.id !== id);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
