// One running extension: its sandboxed process, the JSON-RPC connection to it, its fetch proxy and its
// watchdog. Calls are served one at a time, in order (see `call`).
import { type ChildProcess, spawn } from 'node:child_process';
import { readlink, realpath } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { dirname, resolve } from 'node:path';
import {
  ExtensionFailure,
  ExtensionFetchAbort,
  ExtensionLimits,
  ExtensionLog,
  type ExtensionManifest,
  ExtensionMethod,
  ExtensionProgress,
  type ExtensionRun,
  ExtensionRunResult,
  IsolationLevel,
  RunErrorCode,
} from '@symphony/schemas';
import { redactSecrets, redactSecretsDeep } from '../credentials/redact.js';
import type { ExtensionCallProgress } from './api.js';
import { ExtensionCallError, ExtensionThrewError } from './errors.js';
import { FetchProxy } from './fetch-proxy.js';
import { TreeFreezer } from './freezer.js';
import { LinePeer, METHOD_NOT_FOUND, RpcError, type RpcIncoming } from './runtime/line-peer.js';
import { RunFailureData, RuntimeErrorCode } from './runtime/run-failure.js';
import { isInside } from './sandbox/grants.js';
import { bwrapArgs, type LaunchSpec, nodeArgs } from './sandbox/launch.js';
import { armCallTimer, MemoryWatch, treeRssBytes } from './watchdog.js';

/** Time from spawn to `extension.init` answered before the start fails (a cold sandbox takes ~0.2 s). */
const DEFAULT_START_TIMEOUT_MS = 10_000;
/** Bytes of stderr kept for the message of a crash. */
const STDERR_BYTES = 8 * 1024;
/** Room for the JSON-RPC envelope around an answer of `maxOutputBytes`. */
const ENVELOPE_BYTES = 64 * 1024;
/** Time `close()` gives the process to exit once its stdin ends, before SIGKILL. */
const CLOSE_GRACE_MS = 500;
/** Bytes sent to the extension and not yet read before relayed bodies pause. */
const MAX_UNREAD_BYTES = 8 * 1024 * 1024;
/**
 * Bytes an extension may write on stdout per call beyond its output limit (progress, logs, fetch
 * requests): what passes it is a flood that would keep the host parsing, so the process is killed.
 */
const STDOUT_BUDGET_FACTOR = 4;

/** The level of a log line an extension sends. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How to start one extension process. */
export interface ExtensionProcessOptions {
  readonly manifest: ExtensionManifest;
  /** Settings handed to `extension.init` (an instrument's base URL and models). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly isolation: IsolationLevel;
  readonly launch: LaunchSpec;
  /** The user's credential store, for `permissions.credentials`. */
  readonly lookupCredential: (name: string) => Promise<string | undefined>;
  readonly startTimeoutMs?: number;
  /** Name resolution of the fetch proxy (tests inject one). */
  readonly lookup?: LookupFunction;
  /** Where log lines outside a call go. */
  readonly onLog?: (level: LogLevel, message: string) => void;
}

/** What a caller hands `call` besides the run itself. */
export interface ExtensionCallOptions {
  /** Aborting it cancels the call (`node.cancel`), and kills the process a grace later. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ExtensionCallProgress) => void;
  readonly onLog?: (level: LogLevel, message: string) => void;
}

interface CurrentCall {
  readonly callId: string;
  readonly options: ExtensionCallOptions;
  /** Fetches the grant refused during the call. */
  readonly denials: string[];
  timedOut: boolean;
}

/**
 * One extension in its own process. Started with {@link ExtensionProcess.start}; serves calls one at
 * a time (a second `call` waits for the first: the watchdog's memory and time verdicts then belong to
 * one call, and a pool gives each run its own process when it wants parallelism).
 */
export class ExtensionProcess {
  readonly manifest: ExtensionManifest;
  readonly #options: ExtensionProcessOptions;
  readonly #child: ChildProcess;
  readonly #peer: LinePeer;
  readonly #proxy: FetchProxy;
  readonly #memory: MemoryWatch;
  readonly #exited: Promise<void>;
  readonly #exitListeners = new Set<(error: ExtensionCallError) => void>();
  #stderr = '';
  #alive = true;
  /** Why the host killed the process, when it did: every failure after that names this reason. */
  #killedFor: ExtensionCallError | undefined;
  #current: CurrentCall | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #calls = 0;
  /** Bytes it wrote on stdout since the current call began (or since the last call ended). */
  #stdoutBytes = 0;
  /** Stops the tree between calls: an idle extension runs no code, so none escapes a time limit. */
  readonly #freezer: TreeFreezer;

  private constructor(options: ExtensionProcessOptions) {
    this.manifest = options.manifest;
    this.#options = options;
    const sandboxed = options.isolation === IsolationLevel.sandboxed;
    this.#child = sandboxed
      ? spawn('bwrap', bwrapArgs(options.launch), { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(options.launch.node, nodeArgs(options.launch), {
          stdio: ['pipe', 'pipe', 'pipe'],
          cwd: options.launch.folder,
          env: { ...options.launch.env },
        });
    const limit = options.manifest.limits.maxOutputBytes + ENVELOPE_BYTES;
    this.#peer = new LinePeer(limit, (text) => this.#write(text), {
      onMessage: (message) => this.#handle(message),
      onOversized: (bytes) =>
        this.#kill(
          ExtensionFailure.outputLimit,
          `sent a ${bytes}-byte message, over its output limit of ${options.manifest.limits.maxOutputBytes} bytes`,
        ),
      onMalformed: (error) =>
        this.#kill(ExtensionFailure.protocol, `broke the protocol: ${String(error).slice(0, 300)}`),
    });
    this.#proxy = new FetchProxy({
      extension: options.manifest.id,
      network: options.manifest.permissions.network,
      credentials: options.manifest.permissions.credentials,
      lookupCredential: options.lookupCredential,
      ...(options.lookup ? { lookup: options.lookup } : {}),
      sink: {
        chunk: (fetchId, data) => this.#peer.notify(ExtensionMethod.fetchChunk, { fetchId, data }),
        end: (fetchId) => this.#peer.notify(ExtensionMethod.fetchEnd, { fetchId }),
        error: (fetchId, message) => this.#peer.notify(ExtensionMethod.fetchError, { fetchId, message }),
        denied: (message) => this.#current?.denials.push(message),
        backlogged: () => (this.#child.stdin?.writableLength ?? 0) > MAX_UNREAD_BYTES,
        drained: (callback) => this.#child.stdin?.once('drain', callback),
      },
    });
    // LineSplitter reports an oversized line when its newline arrives; counting here kills the
    // process as soon as a line passes the limit, instead of after reading all of it.
    let unterminated = 0;
    const budget = STDOUT_BUDGET_FACTOR * limit;
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      this.#stdoutBytes += chunk.length;
      if (this.#stdoutBytes > budget) {
        this.#kill(
          ExtensionFailure.outputLimit,
          `wrote over ${budget} bytes of messages ${this.#current ? 'in one call' : 'between calls'}, ${STDOUT_BUDGET_FACTOR}× its output limit`,
        );
        return;
      }
      const newline = chunk.lastIndexOf(10);
      unterminated = newline === -1 ? unterminated + chunk.length : chunk.length - newline - 1;
      if (unterminated > limit) {
        this.#kill(
          ExtensionFailure.outputLimit,
          `sent a message of over ${limit} bytes, past its output limit of ${options.manifest.limits.maxOutputBytes} bytes`,
        );
        return;
      }
      this.#peer.push(chunk);
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_BYTES);
    });
    this.#child.stdin!.on('error', () => {});
    this.#freezer = new TreeFreezer(this.#child.pid, () => this.#alive && this.#current === undefined);
    this.#memory = new MemoryWatch({
      pid: this.#child.pid ?? -1,
      limitBytes: options.manifest.limits.memoryMb * 1024 * 1024,
      pollMs: ExtensionLimits.rssPollMs,
      onOver: (rss) =>
        this.#kill(
          ExtensionFailure.memoryLimit,
          `used ${Math.round(rss / 1048576)} MiB of memory, over its limit of ${options.manifest.limits.memoryMb} MiB`,
        ),
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once('error', (error) => {
        this.#stderr += `\n${error.message}`;
        this.#onExit(null, null);
        resolve();
      });
      this.#child.once('exit', (code, signal) => {
        this.#onExit(code, signal);
        resolve();
      });
    });
  }

  /**
   * Spawns the process (bwrap around node when sandboxed, node alone in reduced isolation), sends
   * `extension.init`, and resolves once the extension's module is loaded. Rejects with an
   * {@link ExtensionCallError} (`crashed`, `denied`, `protocol`) when it does not get there.
   */
  static async start(options: ExtensionProcessOptions): Promise<ExtensionProcess> {
    const process = new ExtensionProcess(options);
    const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ExtensionCallError(
          ExtensionFailure.crashed,
          `${options.manifest.id} did not start within ${timeoutMs} ms`,
          options.manifest.id,
        );
        void process.#kill(error.reason, error.message);
        reject(error);
      }, timeoutMs);
    });
    try {
      await Promise.race([
        process.#peer.request(ExtensionMethod.init, {
          manifest: options.manifest,
          config: options.config ?? {},
        }),
        timeout,
      ]);
      // What its module set going as it loaded waits, frozen, for the first call.
      process.#freezer.soon();
      return process;
    } catch (error) {
      const classified = await process.#classify(error, undefined, 'failed to start');
      const failure =
        classified instanceof ExtensionCallError
          ? classified
          : new ExtensionCallError(
              ExtensionFailure.crashed,
              `failed to start: ${classified.message}`,
              options.manifest.id,
            );
      process.#kill(failure.reason, failure.message);
      await process.#exited;
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the process is still running (a killed or crashed one never comes back). */
  get alive(): boolean {
    return this.#alive;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Resident bytes of the whole process tree now (bwrap, its init, node). */
  rssBytes(): Promise<number> {
    return this.#child.pid === undefined ? Promise.resolve(0) : treeRssBytes(this.#child.pid);
  }

  /** Called once when the process exits, with the error its calls failed with. */
  onExit(listener: (error: ExtensionCallError) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  /**
   * Runs one node attempt. Rejects with an {@link ExtensionCallError} when the host stopped it (time,
   * memory, output, a denial, a crash, a protocol breach) and an {@link ExtensionThrewError} when the
   * extension's `run` threw. Calls wait for the one before them.
   */
  call(run: Omit<ExtensionRun, 'callId'>, options: ExtensionCallOptions = {}): Promise<ExtensionRunResult> {
    const next = this.#queue.then(() => this.#callNow(run, options));
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Ends the process: stdin closed, then SIGKILL of the whole sandbox after a grace. */
  async close(): Promise<void> {
    if (this.#alive) {
      await this.#freezer.thaw();
      this.#child.stdin!.end();
      const grace = setTimeout(() => this.#signal('SIGKILL'), CLOSE_GRACE_MS);
      await this.#exited;
      clearTimeout(grace);
    }
  }

  async #callNow(
    run: Omit<ExtensionRun, 'callId'>,
    options: ExtensionCallOptions,
  ): Promise<ExtensionRunResult> {
    if (!this.#alive) throw this.#exitError();
    options.signal?.throwIfAborted();
    await this.#freezer.thaw();
    // Cancelled while it waited (for the call before it, or the thaw): it never starts.
    options.signal?.throwIfAborted();
    this.#stdoutBytes = 0;
    const callId = `${this.manifest.id}#${++this.#calls}`;
    const current: CurrentCall = { callId, options, denials: [], timedOut: false };
    this.#current = current;
    const { timeoutMs } = this.manifest.limits;
    const disarm = armCallTimer({
      timeoutMs,
      graceMs: ExtensionLimits.killGraceMs,
      onCancel: () => {
        current.timedOut = true;
        this.#peer.notify(ExtensionMethod.cancel, { callId });
      },
      onKill: () => this.#kill(ExtensionFailure.timeLimit, `ran past its time limit of ${timeoutMs} ms`),
    });
    let abortKill: NodeJS.Timeout | undefined;
    const onAbort = () => {
      this.#peer.notify(ExtensionMethod.cancel, { callId });
      abortKill = setTimeout(
        () =>
          this.#kill(ExtensionFailure.crashed, 'did not stop within its grace after the call was cancelled'),
        ExtensionLimits.killGraceMs,
      );
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const answer = await this.#peer.request(ExtensionMethod.run, { ...run, callId });
      const parsed = ExtensionRunResult.safeParse(answer);
      if (!parsed.success) {
        this.#kill(
          ExtensionFailure.protocol,
          `answered node.run with an invalid result: ${parsed.error.message.slice(0, 300)}`,
        );
        throw this.#exitError();
      }
      // A granted host may echo the key it was sent (a reflecting endpoint): it never leaves here.
      return redactSecretsDeep(parsed.data, this.#proxy.secrets);
    } catch (error) {
      // Cancelled by the caller (the executor's cancellation or its own timeout): its reason stands.
      if (options.signal?.aborted) throw options.signal.reason;
      throw await this.#classify(error, current, 'run failed');
    } finally {
      disarm();
      clearTimeout(abortKill);
      options.signal?.removeEventListener('abort', onAbort);
      if (this.#current === current) this.#current = undefined;
      // A body still streaming belongs to this call: it does not flow on into the next one.
      this.#proxy.abortAll();
      this.#stdoutBytes = 0;
      this.#freezer.soon();
    }
  }

  /** Turns what a request rejected with into the error the caller sees. */
  async #classify(
    error: unknown,
    current: CurrentCall | undefined,
    what: string,
  ): Promise<ExtensionCallError | ExtensionThrewError> {
    const id = this.manifest.id;
    if (error instanceof ExtensionCallError) return error;
    if (this.#killedFor) return this.#killedFor;
    if (!(error instanceof RpcError)) return this.#exitError();
    const message = this.#redact(error.message);
    if (current?.timedOut)
      return new ExtensionCallError(
        ExtensionFailure.timeLimit,
        `ran past its time limit of ${this.manifest.limits.timeoutMs} ms`,
        id,
      );
    if (error.code === RuntimeErrorCode.badModule)
      return new ExtensionCallError(ExtensionFailure.protocol, message, id);
    const data = RunFailureData.safeParse(error.data ?? {});
    const failure = data.success ? data.data : {};
    const fsDenied = failure.fs ? await this.#outsideGrant(failure.fs.path) : false;
    if (failure.denied || fsDenied || (current && current.denials.length > 0)) {
      const denial = current?.denials[0];
      const text = denial && !failure.denied && !fsDenied ? this.#redact(denial) : message;
      return new ExtensionCallError(ExtensionFailure.denied, `was denied: ${text}`, id);
    }
    if (error.code !== RuntimeErrorCode.threw)
      return new ExtensionCallError(ExtensionFailure.protocol, `${what}: ${message}`, id);
    const codes = Object.values(RunErrorCode) as string[];
    const code =
      failure.code && codes.includes(failure.code) ? (failure.code as RunErrorCode) : RunErrorCode.stepFailed;
    const details = failure.details && redactSecretsDeep(failure.details, this.#proxy.secrets);
    return new ExtensionThrewError(`${id}: ${message}`, code, failure.retryable ?? false, details);
  }

  /**
   * Whether a path a file system error names lies outside what the sandbox may touch, or is a
   * symlink inside a grant whose target lies outside (the sandbox has no such target mounted).
   * Resolved on the host, where the target exists.
   */
  async #outsideGrant(path: string): Promise<boolean> {
    const { launch } = this.#options;
    const roots = [launch.folder, ...launch.read, ...launch.write, ...launch.runtimeReadRoots];
    const within = (candidate: string) => roots.some((root) => isInside(candidate, root));
    if (!within(path)) return true;
    // Mounted read-only or hidden over a grant: a failure there is the sandbox refusing it.
    const masked = [...(launch.readOnly ?? []), ...(launch.hidden ?? [])];
    if (masked.some((root) => isInside(path, root))) return true;
    const real = await realpath(path).catch(() => undefined);
    if (real !== undefined) return !within(real);
    const target = await readlink(path).catch(() => undefined);
    return target !== undefined && !within(resolve(dirname(path), target));
  }

  #handle(message: RpcIncoming): unknown {
    const current = this.#current;
    switch (message.method) {
      case ExtensionMethod.fetch:
        // Only a call may reach the network: between calls nothing of the extension should run.
        if (!current)
          throw new RpcError(
            'fetch outside a call: an extension reaches the network only while it runs a node',
            METHOD_NOT_FOUND,
          );
        return this.#proxy.fetch(message.params);
      case ExtensionMethod.fetchAbort: {
        const parsed = ExtensionFetchAbort.safeParse(message.params);
        if (parsed.success) this.#proxy.abort(parsed.data.fetchId);
        return undefined;
      }
      case ExtensionMethod.progress: {
        const parsed = ExtensionProgress.safeParse(message.params);
        if (!parsed.success || !current || parsed.data.callId !== current.callId) return undefined;
        const { callId: _, ...progress } = parsed.data;
        if (progress.message !== undefined) progress.message = this.#redact(progress.message);
        if (progress.tokens !== undefined) progress.tokens = this.#redact(progress.tokens);
        current.options.onProgress?.(progress);
        return undefined;
      }
      case ExtensionMethod.log: {
        const parsed = ExtensionLog.safeParse(message.params);
        if (!parsed.success) return undefined;
        const sink = current?.options.onLog ?? this.#options.onLog;
        sink?.(parsed.data.level, this.#redact(parsed.data.message));
        return undefined;
      }
      default:
        if (message.type === 'request')
          throw new RpcError(`unknown method ${message.method}`, METHOD_NOT_FOUND);
        return undefined;
    }
  }

  #redact(text: string): string {
    return redactSecrets(text, this.#proxy.secrets);
  }

  #write(text: string): void {
    if (this.#alive && this.#child.stdin!.writable) this.#child.stdin!.write(text);
  }

  /** Kills the process for `reason` (the first reason wins). */
  #kill(reason: ExtensionFailure, message: string): void {
    if (!this.#alive) return;
    this.#killedFor ??= new ExtensionCallError(reason, `${this.manifest.id} ${message}`, this.manifest.id);
    this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** The error calls fail with once the process is gone. */
  #exitError(): ExtensionCallError {
    if (this.#killedFor) return this.#killedFor;
    const id = this.manifest.id;
    const stderr = this.#redact(this.#stderr.trim()).slice(-1000);
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(this.#stderr))
      return new ExtensionCallError(
        ExtensionFailure.memoryLimit,
        `${id} ran out of its JS heap (limit ${this.manifest.limits.memoryMb} MiB)`,
        id,
      );
    const code = this.#child.exitCode;
    const signal = this.#child.signalCode;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
    return new ExtensionCallError(ExtensionFailure.crashed, `${id} ${how}${stderr ? `: ${stderr}` : ''}`, id);
  }

  #onExit(_code: number | null, _signal: NodeJS.Signals | null): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#freezer.cancel();
    this.#memory.stop();
    this.#proxy.close();
    // Let stderr's last chunk arrive before the exit error is built from it.
    setImmediate(() => {
      const error = this.#exitError();
      this.#peer.close(error);
      for (const listener of this.#exitListeners) listener(error);
    });
  }
}
