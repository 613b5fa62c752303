// The step port: what runs one node. Built-in operators and the local instrument implement it in this
// process; the extension host (next issue) implements it for sandboxed extensions.
import type { CallUsage, DocumentId, NodeId, RunErrorCode, RunId } from '@symphony/schemas';

/** JSON, as `validate-json` outputs and `json` ports carry it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * A value on an edge as a step sees it: text for `text`, `document`, `code` and `label` ports,
 * an array of strings for `text-list`, an array of numbers for `embedding`, JSON for `json`.
 * Stored in the ArtifactStore as UTF-8 text or as JSON.
 */
export type StepValue = JsonValue;

/** Progress a step reports while it runs; shown by the CLI and (next issues) the monitor. */
export interface StepProgress {
  /** 0–1, when the step knows. */
  readonly fraction?: number;
  readonly message?: string;
  /** Streamed output text (tokens), appended to what came before. */
  readonly tokens?: string;
}

/**
 * Which run a document call is made for: documents shared by the runs of several users (`symphony
 * serve`) reach the document with the token of the run's user.
 */
export interface DocumentCaller {
  readonly runId: RunId;
}

/** Where document operators read and write: the editor engine, bound to the user's team server. */
export interface RunDocuments {
  /** The whole text of the document. Throws a `StepError` (`document_failed`) when it cannot. */
  read(documentId: DocumentId, signal: AbortSignal, caller?: DocumentCaller): Promise<string>;
  /**
   * Writes `text` (append or replace) and `marker` into the document in one transaction, unless
   * the document already carries `marker`; resolves once the server has stored it.
   * `applied: false` means an earlier attempt had already written it.
   */
  write(
    documentId: DocumentId,
    edit: { readonly text: string; readonly mode: 'append' | 'replace'; readonly marker: string },
    signal: AbortSignal,
    caller?: DocumentCaller,
  ): Promise<{ applied: boolean }>;
}

/** What a step is handed for one attempt of one node. */
export interface StepContext {
  readonly runId: RunId;
  readonly nodeId: NodeId;
  /** 1 for the first attempt; a node re-run after a crash keeps the attempt it was on. */
  readonly attempt: number;
  /** `runId/nodeId/attempt`: the same on a re-run after a crash, so a step can deduplicate a call. */
  readonly idempotencyKey: string;
  /** `runId/nodeId`: the marker of an effect that must happen once per run whatever the attempts. */
  readonly effectKey: string;
  /** The node's params, parsed by its node type's schema (defaults filled in). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Each input port's values, in edge order (one for a single port, any number for `multiple`). */
  readonly inputs: Readonly<Record<string, readonly StepValue[]>>;
  /** Aborted on cancellation and on timeout (`signal.reason` says which); a step must stop promptly. */
  readonly signal: AbortSignal;
  /** Absolute folders the run may read files from (`read-code`). */
  readonly grants: readonly string[];
  /** Documents of the user's workspace, when the run has a team server; otherwise undefined. */
  readonly documents: RunDocuments | undefined;
  progress(update: StepProgress): void;
  /**
   * An AI instrument call's tokens and cost: journaled with the attempt's success, retry or
   * failure (the last report of an attempt wins), and summed per node and per run.
   */
  reportUsage(usage: CallUsage): void;
}

/** How a node type runs. */
export interface Step {
  /** The node type it runs (`summarize`, `split-text`, …). */
  readonly type: string;
  /** Part of every cache key: bump it when the step's output for the same input changes. */
  readonly version: string;
  /** `false`: its output may differ for the same input (reads a live document, a file): never cached. */
  readonly deterministic: boolean;
  /**
   * Per node, for a deterministic step whose params can make it not so (a remote model instead of
   * the local one): `false` means this node's output is never cached.
   */
  readonly cacheable?: (params: Readonly<Record<string, unknown>>) => boolean;
  /** Per-attempt timeout; the executor's default applies when absent. */
  readonly timeoutMs?: number;
  /** At most this many nodes of this type run at once (beside the global limit). */
  readonly concurrency?: number;
  /** Attempts for retryable errors, the first included; the executor's default applies when absent. */
  readonly maxAttempts?: number;
  /** A label shown in the node library, e.g. "local, non-neural". */
  readonly label?: string;
  /** Each output port's value. Throw a `StepError` for a named failure. */
  run(context: StepContext): Promise<Readonly<Record<string, StepValue>>>;
}

/** A named failure of a step; `retryable` lets the executor try again with backoff. */
export class StepError extends Error {
  override name = 'StepError';
  constructor(
    readonly code: RunErrorCode,
    message: string,
    readonly retryable = false,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}
