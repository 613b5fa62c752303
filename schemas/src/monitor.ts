// The Orchestration Monitor's contract: `symphony serve`'s HTTP + WebSocket API on 127.0.0.1, the
// run views it answers with, the artifact and instrument views, and its errors. The orchestrator
// parses every request with these and the client parses every answer with them.
import { z } from 'zod';
import { ErrorBody } from './errors.js';
import { CallUsage } from './extensions.js';
import { ArmStats, RoutingDecision } from './instruments.js';
import { OfbLimits } from './ofb.js';
import {
  ArtifactHash,
  ArtifactInfo,
  ArtifactVersion,
  NodeOutputs,
  NodeState,
  RunError,
  RunEvent,
  RunId,
  RunOptions,
  RunSource,
  RunStatus,
} from './runs.js';
import { NodeId, WorkflowId } from './workflow/model.js';
import { RoleSchema } from './workspace.js';

/** 4322: the port `symphony serve` listens on by default (the team server's is 4321). */
export const MONITOR_DEFAULT_PORT = 4322;
/** Every HTTP route and the WebSocket are under this prefix. */
export const MONITOR_API_PREFIX = '/v1';
/** The WebSocket's path. */
export const MONITOR_LIVE_PATH = `${MONITOR_API_PREFIX}/live`;
/** The localStorage key a client keeps a non-default orchestrator URL under. */
export const MONITOR_URL_STORAGE_KEY = 'symphony.orchestratorUrl';

/** The monitor's limits, defined once for the orchestrator and the client. */
export const MonitorLimits = {
  /** 64 KiB: the largest request body or WebSocket message a client may send. */
  maxRequestBytes: 64 * 1024,
  /** 5 s: a WebSocket that has not said `hello` by then is closed. */
  helloTimeoutMs: 5000,
  /** Workflows one socket may watch at once. */
  maxWatched: 32,
  /** Runs a list answers with, newest first. */
  maxRunsListed: 200,
  /** 64 KiB: the streamed-token tail kept per running node (older text is cut from the front). */
  maxTokensTail: 64 * 1024,
  /** Log lines kept per node (progress messages), newest last. */
  maxLogLines: 200,
  /** 1 MiB: the most of an artifact's content an inspector preview carries. */
  maxPreviewBytes: 1024 * 1024,
  /** Hits an artifact search answers with. */
  maxSearchHits: 50,
  /** 10 s: how long a verified token's OFB answer is reused before asking OFB again. */
  authCacheMs: 10_000,
  /** How often progress for one node is sent at most (tokens coalesce in between). */
  progressIntervalMs: 50,
  /**
   * 16 ms (a frame): how often one socket is sent an `events` message at most. The first record
   * after a quiet spell goes at once; those that follow within the interval go together. A board
   * draws once a frame anyway, and a 1,000-node run is then ~60 messages a second, not hundreds
   * each parsed and folded on the page's main thread.
   */
  eventsIntervalMs: 16,
  /**
   * Socket messages received and not yet handled, at most (more close 4429): room for
   * {@link MonitorLimits.maxWatched} watches, which a board re-sends at once after `welcome`.
   */
  maxPendingMessages: 40,
} as const;

/** The token a request carries: the user's OFB access token. */
export const MonitorToken = z.string().min(1).max(OfbLimits.maxTokenLength);

// --- errors ---------------------------------------------------------------------------------------

/**
 * Every `code` a monitor refusal carries (HTTP: an `ErrorBody`; WebSocket: an `error` message or the
 * close reason). The status each comes with is in brackets.
 */
export const MonitorErrorCode = {
  /** No `Authorization: Bearer <token>` (401), or no `hello` first on the socket. */
  missingToken: 'missing_token',
  /** OFB refused the token: invalid, expired, revoked (401); `details.ofbCode` says which. */
  invalidToken: 'invalid_token',
  /** The request came from a page on another origin than the ones allowed (403). */
  forbiddenOrigin: 'forbidden_origin',
  /** The `Host` header names something other than this machine's loopback address (403): DNS rebinding. */
  forbiddenHost: 'forbidden_host',
  /** The user is not a member of the workflow's workspace (403). */
  notAMember: 'not_a_member',
  /** The user's role may watch but not do this (a viewer starting a run) (403). */
  roleTooLow: 'role_too_low',
  /**
   * This orchestrator does not run workflows for this user (403): it answers only the users it was
   * started for (`symphony serve --allow-user`, `SYMPHONY_ORCHESTRATOR_USERS`, else the user signed
   * in with `symphony login`). On the socket: the close reason of a 4401.
   */
  notAllowedHere: 'not_allowed_here',
  /** No such run, artifact, workflow or route, or none the user may read (404). */
  notFound: 'not_found',
  /** The body or query does not fit the schema (422; `details.issues`). */
  invalidRequest: 'invalid_request',
  /** The body is larger than {@link MonitorLimits.maxRequestBytes} (413). */
  bodyTooLarge: 'body_too_large',
  /** The workflow has errors and was not started (422; `details.findings`). */
  workflowRefused: 'workflow_refused',
  /** The run already finished: it cannot be cancelled or resumed (409). */
  runFinished: 'run_finished',
  /** The team server (workflow, documents, OFB) did not answer (502). */
  teamServerUnreachable: 'team_server_unreachable',
  /** The orchestrator failed (500); it logged why. */
  internal: 'internal',
} as const;
export type MonitorErrorCode = (typeof MonitorErrorCode)[keyof typeof MonitorErrorCode];

/** A monitor refusal over HTTP: the one error shape of every Symphony service. */
export const MonitorErrorBody = ErrorBody;

/** Close codes of the monitor's WebSocket (4000–4999 are the application's). */
export const MonitorCloseCode = {
  /**
   * No valid `hello` within {@link MonitorLimits.helloTimeoutMs}, a token OFB refused, or a user this
   * orchestrator does not answer (the reason starts with `not_allowed_here`).
   */
  unauthorized: 4401,
  /** A message that is not JSON or fits no schema, before `hello` (after it: an `error` message). */
  badMessage: 4400,
  /** The token expired or was revoked while the socket was open. */
  tokenExpired: 4402,
  /** A message larger than {@link MonitorLimits.maxRequestBytes}. */
  tooLarge: 4413,
  /** More messages waiting to be handled than {@link MonitorLimits.maxPendingMessages}: the client floods. */
  tooManyMessages: 4429,
  /** The orchestrator is stopping. */
  goingAway: 1001,
  /** A frame over 1 MiB, refused by the WebSocket library before the monitor reads it. */
  messageTooBig: 1009,
  /**
   * OFB could not be asked to verify the token at `hello` (or did not answer in time, or missed the
   * re-checks of an open socket); reconnect later.
   */
  authorityUnavailable: 1011,
  /** The orchestrator failed handling a message (it logged why); reconnect. */
  internal: 1011,
  /** More than 8 MiB waiting to be sent: the board reads slower than its runs change; reconnect to catch up. */
  slowConsumer: 1013,
} as const;

// --- views of runs --------------------------------------------------------------------------------

const at = z.number().int().nonnegative();

/** Tokens and cost summed over a run. */
export const RunUsageView = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** Nodes that reported usage. */
  calls: z.number().int().nonnegative(),
});
export type RunUsageView = z.infer<typeof RunUsageView>;

/** How many of a run's nodes are in each state. */
export const NodeStateCounts = z.record(
  z.enum(Object.values(NodeState) as [NodeState, ...NodeState[]]),
  z.number(),
);
export type NodeStateCounts = Readonly<Record<NodeState, number>>;

/** A run in a list (`runs ls`, a workflow's run history). */
export const RunSummary = z.object({
  runId: RunId,
  /** `running` with no live executor reads as resumable: `executedBy` is absent then. */
  status: z.enum(Object.values(RunStatus) as [RunStatus, ...RunStatus[]]),
  /** The pid of the live process executing it, if one is. */
  executedBy: z.number().int().optional(),
  /** The workflow's name at start. */
  workflow: z.string(),
  source: RunSource,
  startedAt: at,
  finishedAt: at.optional(),
  /** Who started it (a user name), when known. */
  startedBy: z.string().optional(),
  nodes: z.number().int().nonnegative(),
  counts: NodeStateCounts,
});
export type RunSummary = z.infer<typeof RunSummary>;

/** One attempt of a node. */
export const AttemptView = z.object({
  attempt: z.number().int().min(1),
  startedAt: at,
  endedAt: at.optional(),
  /** How the attempt ended; absent while it runs. */
  outcome: z.enum(['succeeded', 'failed', 'retrying', 'cancelled']).optional(),
  error: RunError.optional(),
});
export type AttemptView = z.infer<typeof AttemptView>;

/** A node of a run. */
export const NodeView = z.object({
  nodeId: NodeId,
  type: z.string(),
  label: z.string().optional(),
  state: z.enum(Object.values(NodeState) as [NodeState, ...NodeState[]]),
  attempts: z.array(AttemptView),
  /** From its first attempt's start to its end. */
  durationMs: z.number().nonnegative().optional(),
  error: RunError.optional(),
  outputs: NodeOutputs.optional(),
  /** The run whose outputs a cached node took. */
  fromRun: RunId.optional(),
  /** Why it was skipped or cancelled. */
  reason: z.string().optional(),
  /** Tokens and cost of its AI instrument calls, every attempt. */
  usage: CallUsage.optional(),
  /** The artifacts it was given, per input port (the upstream nodes' outputs), when they are known. */
  inputs: z.record(z.string(), z.array(ArtifactHash)).optional(),
});
export type NodeView = z.infer<typeof NodeView>;

/** A run in full (`runs show`, the run panel). */
export const RunView = RunSummary.extend({
  options: RunOptions,
  cancelRequested: z.boolean(),
  nodeStates: z.array(NodeView),
  /** Tokens and cost of every instrument call of the run. */
  usage: RunUsageView,
});
export type RunView = z.infer<typeof RunView>;

/** What a node said while it ran, kept by the orchestrator that runs it (not journaled). */
export const NodeLive = z.object({
  /** Progress messages and extension logs, oldest first, at most {@link MonitorLimits.maxLogLines}. */
  logs: z.array(z.string()),
  /** Streamed tokens of its latest attempt (the tail, {@link MonitorLimits.maxTokensTail}). */
  tokens: z.string(),
  /** 0–1, when the step reported it. */
  fraction: z.number().min(0).max(1).optional(),
});
export type NodeLive = z.infer<typeof NodeLive>;

/** `GET /v1/runs/:runId`: the run, what its nodes said, and what the caller may do with it. */
export const RunDetailResponse = z.object({
  run: RunView,
  live: z.record(NodeId, NodeLive),
  role: RoleSchema,
});
export type RunDetailResponse = z.infer<typeof RunDetailResponse>;

/** `GET /v1/runs?workflowId=`: the workflow's runs on this orchestrator, newest first. */
export const RunListQuery = z.object({
  workflowId: WorkflowId,
  limit: z.coerce.number().int().min(1).max(MonitorLimits.maxRunsListed).optional(),
});
export const RunListResponse = z.object({ runs: z.array(RunSummary), role: RoleSchema });
export type RunListResponse = z.infer<typeof RunListResponse>;

/** `POST /v1/runs`: run the workflow at its current version on the team server (editor+). */
export const StartRunRequest = z.strictObject({
  workflowId: WorkflowId,
  /** `false`: every node runs, none from the cache. */
  cache: z.boolean().optional(),
});
export type StartRunRequest = z.infer<typeof StartRunRequest>;

/** `POST /v1/runs/:runId/rerun`: the workflow again at its current version, from a node or whole (editor+). */
export const RerunRequest = z.strictObject({
  /** It and its descendants run again; the other nodes take the old run's outputs. */
  from: NodeId.optional(),
  cache: z.boolean().optional(),
});
export type RerunRequest = z.infer<typeof RerunRequest>;

/** `POST /v1/runs/:runId/cancel`: the whole run, or one node (editor+). */
export const CancelRunRequest = z.strictObject({ nodeId: NodeId.optional() });
export type CancelRunRequest = z.infer<typeof CancelRunRequest>;

/** `POST /v1/runs/:runId/resume`: continue an unfinished run no process executes (editor+). */
export const ResumeRunRequest = z.strictObject({});

/** The answer to start, rerun and resume. */
export const RunStartedResponse = z.object({ run: RunSummary });
export type RunStartedResponse = z.infer<typeof RunStartedResponse>;

/** The answer to cancel: what the orchestrator did (`Executor.cancel`'s outcome). */
export const CancelRunResponse = z.object({
  outcome: z.enum(['requested', 'delivered', 'recorded', 'finished']),
});
export type CancelRunResponse = z.infer<typeof CancelRunResponse>;

// --- artifacts ------------------------------------------------------------------------------------

/** How an inspector shows an artifact's content. */
export const ArtifactPreviewKind = z.enum(['text', 'markdown', 'json', 'code', 'binary']);
export type ArtifactPreviewKind = z.infer<typeof ArtifactPreviewKind>;

/** `GET /v1/artifacts/:hash`: metadata, names, and the content to show (text up to 1 MiB). */
export const ArtifactDetailResponse = z.object({
  info: ArtifactInfo,
  /** The named versions these bytes are. */
  names: z.array(ArtifactVersion),
  preview: z.object({
    kind: ArtifactPreviewKind,
    /** The language of `code` (`typescript`, `python`, …), from the media type or the producing node. */
    language: z.string().optional(),
    /** UTF-8 text; absent for `binary`. */
    text: z.string().optional(),
    /** The text was cut at {@link MonitorLimits.maxPreviewBytes}. */
    truncated: z.boolean(),
  }),
});
export type ArtifactDetailResponse = z.infer<typeof ArtifactDetailResponse>;

/** `GET /v1/artifacts/names/:name`: every version of a named artifact, oldest first. */
export const ArtifactVersionsResponse = z.object({ versions: z.array(ArtifactVersion) });
export type ArtifactVersionsResponse = z.infer<typeof ArtifactVersionsResponse>;

/** `GET /v1/artifacts/:hash/lineage`: a small graph around an artifact. */
export const ArtifactLineageResponse = z.object({
  /** The artifact, what it was made from and what was made from it (one step each way). */
  artifacts: z.array(
    z.object({
      hash: ArtifactHash,
      mediaType: z.string(),
      size: z.number().int().nonnegative(),
      role: z.enum(['self', 'input', 'output']),
    }),
  ),
  /** `from` was an input of the node that made `to`. */
  edges: z.array(z.object({ from: ArtifactHash, to: ArtifactHash })),
  /** The runs that produced or used the artifact, readable by the caller. */
  runs: z.array(
    z.object({
      runId: RunId,
      nodeId: NodeId,
      relation: z.enum(['produced', 'used']),
      workflow: z.string(),
      startedAt: at,
    }),
  ),
});
export type ArtifactLineageResponse = z.infer<typeof ArtifactLineageResponse>;

/** `GET /v1/artifacts/search?q=`: full-text search over the artifacts of runs the caller may read. */
export const ArtifactSearchQuery = z.object({
  q: z.string().min(1).max(500),
  workflowId: WorkflowId.optional(),
});
export const ArtifactSearchResponse = z.object({
  hits: z.array(
    z.object({
      hash: ArtifactHash,
      score: z.number(),
      mediaType: z.string(),
      size: z.number().int().nonnegative(),
      names: z.array(z.string()),
      /** The first characters of a text artifact, for the result list. */
      snippet: z.string().optional(),
    }),
  ),
});
export type ArtifactSearchResponse = z.infer<typeof ArtifactSearchResponse>;

// --- instruments ----------------------------------------------------------------------------------

/** One time bucket of one instrument's calls. */
export const InstrumentBucket = z.object({
  /** Start of the bucket (ms since the epoch). */
  at,
  calls: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  p50Ms: z.number().nonnegative().optional(),
  p99Ms: z.number().nonnegative().optional(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type InstrumentBucket = z.infer<typeof InstrumentBucket>;

/** One instrument's calls in the runs the caller may read. */
export const InstrumentPerformance = z.object({
  instrument: z.string(),
  calls: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  p50Ms: z.number().nonnegative().optional(),
  p99Ms: z.number().nonnegative().optional(),
  /** Calls per minute over the buckets that had calls. */
  callsPerMinute: z.number().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** Oldest first, {@link InstrumentStatsQuery.bucketMs} wide. */
  series: z.array(InstrumentBucket),
});
export type InstrumentPerformance = z.infer<typeof InstrumentPerformance>;

/** `GET /v1/instruments/stats`: what `symphony instruments stats` prints, as data. */
export const InstrumentStatsQuery = z.object({
  /** Only the last this many ms (default: a day). */
  sinceMs: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(90 * 86_400_000)
    .optional(),
  /** Bucket width (default: 1/60 of the window). */
  bucketMs: z.coerce.number().int().min(1000).optional(),
});
export const InstrumentStatsResponse = z.object({
  instruments: z.array(InstrumentPerformance),
  /** The router's arms per task, and what it would choose now and why. */
  routing: z.array(
    z.object({
      task: z.string(),
      arms: z.array(ArmStats),
      decision: RoutingDecision.optional(),
    }),
  ),
});
export type InstrumentStatsResponse = z.infer<typeof InstrumentStatsResponse>;

// --- health ---------------------------------------------------------------------------------------

/** `GET /v1/health` (no token; Origin and Host still checked): is an orchestrator here. */
export const MonitorHealth = z.object({
  service: z.literal('symphony-orchestrator'),
  version: z.string(),
  /** The team server it runs workflows from. */
  server: z.string(),
  /** `full`: extensions in bubblewrap sandboxes; `reduced`: what could not be isolated is refused. */
  isolation: z.enum(['full', 'reduced']),
  /** Runs executing in this process now. */
  running: z.number().int().nonnegative(),
});
export type MonitorHealth = z.infer<typeof MonitorHealth>;

// --- the WebSocket --------------------------------------------------------------------------------

/** Client → orchestrator. `hello` must come first. */
export const MonitorClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), token: MonitorToken }),
  /** A refreshed token for the same user; the socket stays open. */
  z.strictObject({ type: z.literal('token'), token: MonitorToken }),
  /** Send this workflow's runs (a `runs` answer) and then every event of them. */
  z.strictObject({ type: z.literal('watch'), workflowId: WorkflowId }),
  z.strictObject({ type: z.literal('unwatch'), workflowId: WorkflowId }),
]);
export type MonitorClientMessage = z.infer<typeof MonitorClientMessage>;

/** The progress of a node's attempt as it streams (tokens coalesced per {@link MonitorLimits.progressIntervalMs}). */
export const MonitorProgress = z.object({
  runId: RunId,
  nodeId: NodeId,
  attempt: z.number().int().min(1),
  fraction: z.number().min(0).max(1).optional(),
  message: z.string().optional(),
  /** Tokens since the last progress message of this node, to append. */
  tokens: z.string().optional(),
});
export type MonitorProgress = z.infer<typeof MonitorProgress>;

/** Orchestrator → client. */
export const MonitorServerMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    user: z.object({ id: z.string(), name: z.string() }),
    health: MonitorHealth,
  }),
  /** The answer to `watch`: the runs so far and the caller's role on the workflow. */
  z.object({ type: z.literal('runs'), workflowId: WorkflowId, role: RoleSchema, runs: z.array(RunSummary) }),
  /** Journal records of watched runs, durable before they are sent, in journal order. */
  z.object({ type: z.literal('events'), workflowId: WorkflowId, events: z.array(RunEvent) }),
  z.object({ type: z.literal('progress'), workflowId: WorkflowId, progress: z.array(MonitorProgress) }),
  /** A refused message (the socket stays open) or a `watch` the caller may not make. */
  z.object({
    type: z.literal('error'),
    code: z.enum(Object.values(MonitorErrorCode) as [MonitorErrorCode, ...MonitorErrorCode[]]),
    message: z.string(),
    workflowId: WorkflowId.optional(),
  }),
]);
export type MonitorServerMessage = z.infer<typeof MonitorServerMessage>;
