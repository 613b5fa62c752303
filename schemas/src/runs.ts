// Runs: the records of the run journal (DagTracker), artifact hashes and metadata, and the named
// errors a run or a node ends with. One contract for the executor, the Pit, the CLI and the monitor.
import { z } from 'zod';
import { CallUsage } from './extensions.js';
import { NodeId, Workflow, WorkflowId } from './workflow/model.js';

/** A run's id: `run_` and 20 base-36 characters from a random source (see the orchestrator's `newRunId`). */
export const RunId = z
  .string()
  .regex(/^run_[a-z0-9]{8,40}$/, 'run id must look like run_ followed by 8–40 lowercase letters or digits')
  .brand<'RunId'>();
export type RunId = z.infer<typeof RunId>;

/** The SHA-256 of an artifact's bytes, 64 lowercase hex digits: its address in the ArtifactStore. */
export const ArtifactHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'artifact hash must be 64 lowercase hex digits (a SHA-256)')
  .brand<'ArtifactHash'>();
export type ArtifactHash = z.infer<typeof ArtifactHash>;

/** A node's state in a run. */
export const NodeState = {
  queued: 'queued',
  running: 'running',
  /** Failed an attempt with a retryable error and waits for the next one. */
  retrying: 'retrying',
  succeeded: 'succeeded',
  failed: 'failed',
  /** Not run: an earlier success with the same cache key gave its outputs. */
  cached: 'cached',
  cancelled: 'cancelled',
  /** Not run: an upstream node failed or was cancelled, or the node does not run (a note). */
  skipped: 'skipped',
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** A run's state. */
export const RunStatus = {
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/**
 * Why a node (or a run) failed. Each code is one cause a person can act on; `retryable` on the
 * error says whether the executor may try again.
 */
export const RunErrorCode = {
  /** The step threw or rejected; the message is the step's. */
  stepFailed: 'step_failed',
  /** The node ran past its timeout (retryable). */
  timeout: 'timeout',
  /** An input did not have the type or shape the step needs. */
  invalidInput: 'invalid_input',
  /** A `filter`/`map` expression threw, looped past its time budget or ran out of memory. */
  expressionFailed: 'expression_failed',
  /** The node type needs an AI instrument that is not configured. */
  needsInstrument: 'needs_instrument',
  /** No step implements the node type. */
  unknownNodeType: 'unknown_node_type',
  /** A path outside the folders the run was granted. */
  outsideGrant: 'outside_grant',
  /** A document could not be read or written (permission, missing, unreachable). */
  documentFailed: 'document_failed',
  /** Output larger than the limit, or an artifact could not be stored or read back intact. */
  artifactFailed: 'artifact_failed',
  /** JSON that does not parse or does not match its schema (`validate-json`). */
  invalidJson: 'invalid_json',
  /** The run or the node was cancelled. */
  cancelled: 'cancelled',
  /**
   * An extension failed: crashed, ran past its time or memory limit, answered too much, or asked for
   * something outside its grant. `details.reason` is an `ExtensionFailure`.
   */
  extensionFailed: 'extension_failed',
  /**
   * A model provider failed: rate limit, server error, a cut or malformed stream, a refused key.
   * `details.reason` is an `InstrumentFailure`; retryable when the provider may answer next time.
   */
  instrumentFailed: 'instrument_failed',
} as const;
export type RunErrorCode = (typeof RunErrorCode)[keyof typeof RunErrorCode];

/** A named error, as it is journaled and shown. */
export const RunError = z.object({
  code: z.enum(Object.values(RunErrorCode) as [RunErrorCode, ...RunErrorCode[]]),
  message: z.string().max(4000),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type RunError = z.infer<typeof RunError>;

/** Where a run's workflow came from, and the exact version it is pinned to. */
export const RunSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    /** The path given, as given. */
    path: z.string().max(4096),
    /** SHA-256 of the file's bytes at start. */
    hash: ArtifactHash,
  }),
  z.object({
    kind: z.literal('automerge'),
    /** The team server's base URL. */
    server: z.string().max(2048),
    workflowId: WorkflowId,
    /** The workflow document's Automerge heads at start. */
    heads: z.array(z.string().max(128)).max(1000),
  }),
]);
export type RunSource = z.infer<typeof RunSource>;

/** How a run was asked to run. */
export const RunOptions = z.object({
  /** `false`: every node runs, none comes from the cache. */
  cache: z.boolean().default(true),
  /** The run this one re-runs; with `from`, nodes outside `from`'s descendants take its outputs. */
  rerunOf: RunId.optional(),
  /** Re-run from this node: it and what depends on it run again. */
  from: NodeId.optional(),
  /** Folders `read-code` may read, absolute paths. */
  grants: z.array(z.string().min(1).max(4096)).max(64).default([]),
});
export type RunOptions = z.infer<typeof RunOptions>;
export type RunOptionsInput = z.input<typeof RunOptions>;

/** Outputs of a node: the artifact hash of each output port. */
export const NodeOutputs = z.record(z.string().max(64), ArtifactHash);
export type NodeOutputs = z.infer<typeof NodeOutputs>;

const at = z.number().int().nonnegative();
const attempt = z.number().int().min(1).max(1000);
const base = { runId: RunId, at };

/**
 * One record of the run journal. Every state change of a run and of its nodes is one of these,
 * made durable before the executor acts on it; a run's state is the fold of its records
 * (`foldRun` in `@symphony/pit`). `at` is milliseconds since the epoch, from the executor's clock.
 */
export const RunEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run.started'),
    ...base,
    /** The pinned workflow: exactly what runs, whatever co-editors do meanwhile. */
    workflow: Workflow,
    source: RunSource,
    options: RunOptions,
    /** Who started it (user id or e-mail), when known. */
    startedBy: z.string().max(320).optional(),
  }),
  z.object({ type: z.literal('node.queued'), ...base, nodeId: NodeId }),
  z.object({ type: z.literal('node.running'), ...base, nodeId: NodeId, attempt }),
  z.object({
    type: z.literal('node.succeeded'),
    ...base,
    nodeId: NodeId,
    attempt,
    outputs: NodeOutputs,
    /** The cache key the outputs are stored under; absent for node types that are never cached. */
    cacheKey: ArtifactHash.optional(),
    /** Tokens and cost, for a node an AI instrument ran. */
    usage: CallUsage.optional(),
  }),
  z.object({
    type: z.literal('node.cached'),
    ...base,
    nodeId: NodeId,
    outputs: NodeOutputs,
    cacheKey: ArtifactHash.optional(),
    /** The run whose success gave these outputs, when known. */
    fromRun: RunId.optional(),
  }),
  z.object({
    type: z.literal('node.retrying'),
    ...base,
    nodeId: NodeId,
    /** The attempt that failed. */
    attempt,
    error: RunError,
    /** When the next attempt may start (ms since the epoch). */
    retryAt: at,
    /** Tokens and cost the failed attempt still used, when the provider reported them. */
    usage: CallUsage.optional(),
  }),
  z.object({
    type: z.literal('node.failed'),
    ...base,
    nodeId: NodeId,
    attempt,
    error: RunError,
    /** Tokens and cost a failed instrument call still used, when the provider reported them. */
    usage: CallUsage.optional(),
  }),
  z.object({ type: z.literal('node.cancelled'), ...base, nodeId: NodeId, reason: z.string().max(500) }),
  z.object({ type: z.literal('node.skipped'), ...base, nodeId: NodeId, reason: z.string().max(500) }),
  z.object({
    type: z.literal('run.cancelRequested'),
    ...base,
    /** One node; absent: the whole run. */
    nodeId: NodeId.optional(),
  }),
  z.object({
    type: z.literal('run.finished'),
    ...base,
    status: z.enum([RunStatus.succeeded, RunStatus.failed, RunStatus.cancelled]),
  }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
export type RunEventType = RunEvent['type'];

/** Limits of the run journal and the artifact store. */
export const RunLimits = {
  /**
   * 16 MiB per journal record. The biggest is `run.started`, which pins the whole workflow: a
   * workflow file may be 10 MB (`MAX_WORKFLOW_FILE_BYTES`) and a 10,000-node one is about 2.5 MB.
   */
  maxRecordBytes: 16 * 1024 * 1024,
  /** 256 MiB per node output held in memory; larger artifacts are streamed, never a step's value. */
  maxOutputBytes: 256 * 1024 * 1024,
  /** Tags per artifact and characters per tag. */
  maxTags: 32,
  maxTagLength: 100,
} as const;

/** An artifact's name: what a person calls a versioned artifact (`summary`, `reports/weekly`). */
export const ArtifactName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/,
    'artifact name must be 1–200 letters, digits, ".", "_", "/" or "-"',
  );
export type ArtifactName = z.infer<typeof ArtifactName>;

/** What made an artifact: the run and node, and the input artifacts it was made from (lineage). */
export const ArtifactProvenance = z.object({
  runId: RunId,
  nodeId: NodeId,
  port: z.string().max(64),
  inputs: z.array(ArtifactHash).max(10_000).default([]),
});
export type ArtifactProvenance = z.infer<typeof ArtifactProvenance>;

/** What a caller says about an artifact when it stores it. */
export const ArtifactPutOptions = z.object({
  /** Media type, e.g. `text/plain; charset=utf-8`, `application/json`. */
  mediaType: z.string().min(1).max(200),
  producedBy: ArtifactProvenance.optional(),
  tags: z.array(z.string().min(1).max(RunLimits.maxTagLength)).max(RunLimits.maxTags).default([]),
  /** Give the artifact this name; it becomes the name's next version. */
  name: ArtifactName.optional(),
});
export type ArtifactPutOptions = z.input<typeof ArtifactPutOptions>;

/** An artifact's metadata. Identical bytes are one artifact: provenance and tags accumulate. */
export const ArtifactInfo = z.object({
  hash: ArtifactHash,
  size: z.number().int().nonnegative(),
  mediaType: z.string(),
  /** When these bytes were first stored (ms since the epoch). */
  created: at,
  tags: z.array(z.string()),
  /** Every run/node that produced these bytes, oldest first. */
  producedBy: z.array(ArtifactProvenance),
});
export type ArtifactInfo = z.infer<typeof ArtifactInfo>;

/** One version of a named artifact. */
export const ArtifactVersion = z.object({
  name: ArtifactName,
  version: z.number().int().min(1),
  hash: ArtifactHash,
  created: at,
});
export type ArtifactVersion = z.infer<typeof ArtifactVersion>;
