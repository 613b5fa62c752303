// The one gate both websocket endpoints (/yjs and /automerge) hold a socket in until the authority
// has said who its token is and what it may open: the limits, their defaults, and the asking.
import { CloseCode } from '@symphony/schemas';
import { type Access, type Denial, DenialReason } from './AccessControl.js';
import { DEFAULT_MAX_STALE_MS, type Watched } from './Revalidator.js';
import { limitUnauthorizedBytes, type RawSocket } from './unauthorized-bytes.js';

/** Limits around authorization; the defaults ({@link DEFAULT_AUTHORIZATION}) suit a team server. */
export interface AuthorizationOptions {
  /**
   * 32 frames and 256 KiB: a stock client sends 2–3 frames (sync step 1, awareness, perhaps its
   * pending edits) before it is told anything; anything more is queued work from a stranger
   * (GHSA-xwhh-v746-pj9m). Past either limit, or `timeoutMs`, the connection is closed with 4408.
   */
  readonly maxFrames: number;
  readonly maxBytes: number;
  /** 10 s: the authority answers in milliseconds or is treated as down (4503) well before this. */
  readonly timeoutMs: number;
  /** 2 s: how often every open connection is re-checked, so a removed member is gone within it. */
  readonly authRecheckMs: number;
  /** 2 s: how long one answer for a (token, resource) is reused by new connections. */
  readonly cacheMs: number;
  /**
   * 30 s: a connection whose access could not be re-confirmed for this long (OFB unreachable) is
   * closed with 4503, so a removed member does not keep access for as long as OFB is down.
   */
  readonly maxStaleMs: number;
}

/** The limits both endpoints use unless the server is told otherwise. */
export const DEFAULT_AUTHORIZATION: AuthorizationOptions = {
  maxFrames: 32,
  maxBytes: 256 * 1024,
  timeoutMs: 10_000,
  authRecheckMs: 2000,
  cacheMs: 2000,
  maxStaleMs: DEFAULT_MAX_STALE_MS,
};

/** What one connection may send, and how long it may wait, before it is authorized (4408 past them). */
export type PreAuthorizationLimits = Pick<AuthorizationOptions, 'maxFrames' | 'maxBytes' | 'timeoutMs'>;

/** What {@link PreAuthorization} needs from the connection and the server around it. */
export interface PreAuthorizationOptions {
  readonly limits: PreAuthorizationLimits;
  /** The token the connection presented (`?token=`), `''` when none. */
  readonly token: string;
  /** Asks the authority (through the server's cache) about the token and one resource. */
  authorize(token: string, resourceId: string): Promise<Access | Denial>;
  /** Re-checks a granted (token, resource) every few seconds; returns the function that stops. */
  watch(watched: Watched): () => void;
  /** The TCP socket under the websocket, whose raw bytes are counted until the token is accepted. */
  readonly raw?: RawSocket | undefined;
  /** What the connection waits for, as the byte limit's log detail ends ("the token was checked"). */
  readonly awaiting: string;
  /** Closes the connection with `close` (the gate only calls it with 4408). */
  refuse(close: CloseCode, detail: string): void;
  /** Whether the websocket is still open: answers for a closed one start no re-check. */
  isOpen(): boolean;
}

/**
 * One connection's wait for authorization, the same for `/yjs` and `/automerge`: the raw bytes it
 * sends are counted (frames are held whole by `ws`, so counting frames would be too late) until the
 * token is {@link accepted}; each question to the authority must be answered within
 * `limits.timeoutMs`; an authority that throws is an `unavailable` denial (4503); frames held while
 * waiting must stay within {@link admits}. Everything past a limit closes with 4408.
 */
export class PreAuthorization {
  readonly #options: PreAuthorizationOptions;
  readonly #stopCounting: () => void;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #watches: (() => void)[] = [];
  #closed = false;

  constructor(options: PreAuthorizationOptions) {
    this.#options = options;
    this.#stopCounting = limitUnauthorizedBytes(options.raw, options.limits.maxBytes, (received) =>
      options.refuse(CloseCode.UnauthenticatedLimit, `${received} bytes received before ${options.awaiting}`),
    );
  }

  /** The limits this gate holds the connection to. */
  get limits(): PreAuthorizationLimits {
    return this.#options.limits;
  }

  /**
   * Asks once about `resourceId`; `onAnswer` gets the answer (nothing once the gate is closed). No
   * answer within the timeout closes the connection with 4408 and `timeoutDetail`.
   */
  ask(
    resourceId: string,
    onAnswer: (answer: Access | Denial) => void,
    timeoutDetail = `no authorization within ${this.limits.timeoutMs} ms`,
  ): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#options.refuse(CloseCode.UnauthenticatedLimit, timeoutDetail);
    }, this.limits.timeoutMs);
    timer.unref();
    this.#timers.add(timer);
    const settle = (answer: Access | Denial) => {
      clearTimeout(timer);
      this.#timers.delete(timer);
      if (!this.#closed) onAnswer(answer);
    };
    this.#options
      .authorize(this.#options.token, resourceId)
      .then(settle, (error: unknown) =>
        settle({ ok: false, reason: DenialReason.unavailable, message: String(error) }),
      );
  }

  /**
   * Asks about `resourceId` as {@link ask} does; once granted (and the connection still open), the
   * grant is re-checked every few seconds with every later answer going to `onAnswer` too, and
   * `onGranted` runs.
   */
  authorize(
    resourceId: string,
    onAnswer: (answer: Access | Denial) => void,
    onGranted: () => void,
    timeoutDetail?: string,
  ): void {
    this.ask(
      resourceId,
      (answer) => {
        onAnswer(answer);
        if (!answer.ok || this.#closed || !this.#options.isOpen()) return;
        this.#watches.push(this.#options.watch({ token: this.#options.token, resourceId, onAnswer }));
        onGranted();
      },
      timeoutDetail,
    );
  }

  /** Whether `frames` frames of `bytes` bytes in all may wait for an authorization. */
  admits(frames: number, bytes: number): boolean {
    return frames <= this.limits.maxFrames && bytes <= this.limits.maxBytes;
  }

  /** The token was accepted: its raw bytes are no longer counted. */
  accepted(): void {
    this.#stopCounting();
  }

  /** The connection is gone: no more timeouts, counting or re-checks. */
  close(): void {
    this.#closed = true;
    this.#stopCounting();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const stop of this.#watches.splice(0)) stop();
  }
}
