// The editor engine's JSON-RPC protocol: every method's params and result, notifications and error codes.
import { z } from 'zod';
import { DocumentId } from './ids.js';
import { OfbLimits } from './ofb.js';
import { RoleSchema } from './workspace.js';

/**
 * The editor engine's JSON-RPC 2.0 protocol (issue 5; prose and examples in
 * `editor-engine/PROTOCOL.md`). Every request's params and result, every notification and every
 * error code is here, so the engine, its typed client, the bench and the browser share one contract.
 */

/** Version of this protocol; bumped when a method changes incompatibly. */
export const EDITOR_ENGINE_PROTOCOL_VERSION = 1;

/**
 * Limits the engine enforces, announced by `engine.hello`.
 * 8 MiB per message: a 10 MB document is read in ranges, never in one frame; anything larger is
 * refused before it is parsed.
 */
export const EditorEngineLimits = {
  maxMessageBytes: 8 * 1024 * 1024,
  /** Edits in one `buffer.edit` batch. */
  maxEditsPerBatch: 10_000,
  /** Matches one `buffer.find` may return; `limit` defaults to 1,000. */
  maxFindResults: 100_000,
  /** Lines one `buffer.lines` call may return. */
  maxLinesPerRead: 100_000,
  /** Selections per caller and buffer. */
  maxSelections: 10_000,
  /** Characters in a find pattern. */
  maxPatternLength: 10_000,
} as const;

/**
 * Characters in an effect marker (`buffer.edit`'s `marker`): 256 holds a `runId/nodeId` (at most
 * 45 + 1 + 64) with room to spare, and keeps the document's marker map small.
 */
export const MAX_EFFECT_MARKER_LENGTH = 256;

/**
 * The longest `buffer.flush` may wait, in ms: 10 minutes. A caller that needs longer calls it
 * again; an unbounded wait would hold the connection (its messages are handled in order) forever.
 */
export const MAX_FLUSH_TIMEOUT_MS = 600_000;

/**
 * Name of the `Y.Map` in every document where edits made with a `marker` record it: key the
 * marker, value an {@link EffectRecord}. It lives beside the text (`content`) in the same `Y.Doc`,
 * so an edit and its marker travel in one Yjs update.
 */
export const EFFECT_MARKERS_NAME = 'symphony-effects';

/** What the marker map holds for each marker: when the engine applied the edit (ms since the epoch). */
export const EffectRecord = z.object({ at: z.number() });
export type EffectRecord = z.infer<typeof EffectRecord>;

/**
 * Error codes of the protocol: JSON-RPC's standard ones plus the engine's own, in the range
 * JSON-RPC reserves for implementation-defined server errors (-32000 to -32099).
 */
export const EngineErrorCode = {
  /** The message is not JSON. */
  ParseError: -32700,
  /** JSON, but not a JSON-RPC 2.0 request or notification. */
  InvalidRequest: -32600,
  /** No such method. */
  MethodNotFound: -32601,
  /** The params fail the method's schema; `data.issues` lists each problem with its path. */
  InvalidParams: -32602,
  /** A bug in the engine; the buffer is left as it was. */
  InternalError: -32603,
  /** No open buffer with this id for this caller; `data.bufferId`. */
  UnknownBuffer: -32001,
  /** `baseRevision` is not the buffer's revision; `data.currentRevision`. */
  StaleRevision: -32002,
  /** An offset, line or column outside the buffer; `data` names what and the valid range. */
  OutOfRange: -32003,
  /** The message is larger than `maxMessageBytes` (checked before parsing); `data.bytes`, `data.limit`. */
  PayloadTooLarge: -32004,
  /** The caller's role on the document is `viewer`; `data.role`. */
  ReadOnly: -32005,
  /** The find pattern is not a valid regular expression; `data.pattern`, `data.reason`. */
  InvalidPattern: -32006,
  /** The document could not be joined or stayed unreachable; `data.closeCode`, `data.reason`. */
  SyncFailed: -32007,
  /** The sync-server refused the token (4401 sign-in required, 4419 expired); `data.closeCode`. */
  Unauthorized: -32008,
  /** The user may not open the document (4403 not a member); `data.closeCode`. */
  Forbidden: -32009,
  /** The server knows no document by this id (4410); `data.closeCode`. */
  UnknownDocument: -32010,
  /** Edits in one batch overlap; `data.first`, `data.second` are their indexes. */
  OverlappingEdits: -32011,
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** A buffer's id, given by `buffer.open`. */
export const BufferId = z.string().min(1).max(64).brand<'BufferId'>();
export type BufferId = z.infer<typeof BufferId>;

const count = z.number().int().nonnegative();

/** Every change bumps a buffer's revision by one; a freshly opened buffer starts where its text is. */
export const BufferRevision = count;

/** A line and a column, both 0-based; columns count UTF-16 code units, as offsets do. */
export const LineColumn = z.strictObject({ line: count, column: count });
export type LineColumn = z.infer<typeof LineColumn>;

/** A place in a buffer: a UTF-16 offset, or a line and column. */
export const TextPosition = z.union([count, LineColumn]);
export type TextPosition = z.infer<typeof TextPosition>;

/** A range `[from, to)`; `to` may equal `from` (empty). */
export const TextRange = z.strictObject({ from: TextPosition, to: TextPosition });
export type TextRange = z.infer<typeof TextRange>;

/** A resolved range in offsets. */
export const OffsetRange = z.strictObject({ from: count, to: count });
export type OffsetRange = z.infer<typeof OffsetRange>;

/**
 * One edit. All positions in a batch refer to the text before the batch; ranges must not overlap
 * (inserts at the same place land in the order given).
 */
export const TextEdit = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('insert'), at: TextPosition, text: z.string() }),
  z.strictObject({ op: z.literal('delete'), from: TextPosition, to: TextPosition }),
  z.strictObject({ op: z.literal('replace'), from: TextPosition, to: TextPosition, text: z.string() }),
]);
export type TextEdit = z.infer<typeof TextEdit>;

/** One step of a change, as Yjs deltas have them: keep, add or remove characters. */
export const DeltaOp = z.union([
  z.strictObject({ retain: z.number().int().positive() }),
  z.strictObject({ insert: z.string() }),
  z.strictObject({ delete: z.number().int().positive() }),
]);
export type DeltaOp = z.infer<typeof DeltaOp>;

/** A selection or cursor (`anchor === head`) in the params of `buffer.setSelections`. */
export const SelectionInput = z.strictObject({ anchor: TextPosition, head: TextPosition });
export type SelectionInput = z.infer<typeof SelectionInput>;

/** A selection resolved to offsets. */
export const Selection = z.strictObject({ anchor: count, head: count });
export type Selection = z.infer<typeof Selection>;

/** Who caused a change, from the point of view of the caller receiving the notification. */
export const ChangeOrigin = {
  /** This caller (an edit, replace, undo or redo it asked for). */
  self: 'self',
  /** Another caller of the same engine. */
  other: 'other',
  /** A peer elsewhere: the sync-server or the page's Y.Doc. */
  remote: 'remote',
} as const;
export type ChangeOrigin = (typeof ChangeOrigin)[keyof typeof ChangeOrigin];
export const ChangeOriginSchema = z.enum([ChangeOrigin.self, ChangeOrigin.other, ChangeOrigin.remote]);

/** A syntax token: a range and a highlight type (`keyword`, `string`, `heading`, …). */
export const Token = z.strictObject({ from: count, to: count, type: z.string() });
export type Token = z.infer<typeof Token>;

/** An outline entry: a heading, function, class, or JSON key, with its nesting depth (0 = top). */
export const OutlineItem = z.strictObject({
  name: z.string(),
  kind: z.string(),
  from: count,
  to: count,
  depth: count,
});
export type OutlineItem = z.infer<typeof OutlineItem>;

const bufferRef = { bufferId: BufferId };

/** Find options shared by `buffer.find`, `buffer.replace` and `buffer.replaceAll`. */
const findOptions = {
  query: z.string().min(1).max(EditorEngineLimits.maxPatternLength),
  /** `query` is a JavaScript regular expression (flags `g` and `m` are always set, `i` unless `caseSensitive`). */
  regex: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
  /** A match must not touch a letter, digit or `_` on either side. */
  wholeWord: z.boolean().optional(),
  /** Only search `[from, to)`; the whole buffer when absent. */
  range: TextRange.optional(),
};

/** A match of `buffer.find`, with the line and column of its start. */
export const FindMatch = z.strictObject({ from: count, to: count, line: count, column: count });
export type FindMatch = z.infer<typeof FindMatch>;

/**
 * Every request: its params and result schemas. A request sent as a JSON-RPC notification (no `id`)
 * takes effect and is not answered.
 */
export const EngineRequests = {
  'engine.hello': {
    params: z.strictObject({ client: z.string().max(200).optional() }).optional(),
    result: z.strictObject({
      name: z.literal('symphony-editor-engine'),
      protocolVersion: z.number().int(),
      methods: z.array(z.string()),
      notifications: z.array(z.string()),
      limits: z.strictObject({
        maxMessageBytes: count,
        maxEditsPerBatch: count,
        maxFindResults: count,
        maxLinesPerRead: count,
        maxSelections: count,
        maxPatternLength: count,
      }),
      languages: z.array(z.strictObject({ id: z.string(), extensions: z.array(z.string()) })),
    }),
  },
  'buffer.open': {
    params: z.strictObject({
      documentId: DocumentId,
      /** The user's OFB access token, passed to the sync-server as `?token=`. */
      token: z.string().max(OfbLimits.maxTokenLength).optional(),
      /** Language id for tokens and outline (`markdown`, `javascript`, `typescript`, `json`, …). */
      language: z.string().max(64).optional(),
      /**
       * Which changes this caller is sent `buffer.update` for: `all` (the default; a view that patches
       * from updates) or `others` (not its own: a script or workflow step that only writes).
       */
      updates: z.enum(['all', 'others']).optional(),
    }),
    result: z.strictObject({
      bufferId: BufferId,
      revision: BufferRevision,
      length: count,
      lineCount: count,
      role: RoleSchema,
    }),
  },
  'buffer.close': {
    params: z.strictObject(bufferRef),
    result: z.strictObject({ closed: z.literal(true) }),
  },
  'buffer.read': {
    params: z.strictObject({ ...bufferRef, range: TextRange.optional() }),
    result: z.strictObject({ text: z.string(), from: count, to: count, revision: BufferRevision }),
  },
  'buffer.lineCount': {
    params: z.strictObject(bufferRef),
    result: z.strictObject({ lineCount: count, length: count, revision: BufferRevision }),
  },
  'buffer.lines': {
    /** Lines `[from, to)`, 0-based; `to` is clamped to the line count. */
    params: z.strictObject({ ...bufferRef, from: count, to: count }),
    result: z.strictObject({ lines: z.array(z.string()), from: count, to: count, revision: BufferRevision }),
  },
  'buffer.edit': {
    params: z.strictObject({
      ...bufferRef,
      baseRevision: BufferRevision.optional(),
      edits: z.array(TextEdit).min(1).max(EditorEngineLimits.maxEditsPerBatch),
      /**
       * An effect that must happen once (a workflow's `runId/nodeId`): the edits and the marker are
       * applied in one Yjs transaction unless the document already carries the marker, in which
       * case nothing changes and `applied` is `false`.
       */
      marker: z
        .string()
        .min(1, 'marker must not be empty')
        .max(MAX_EFFECT_MARKER_LENGTH, `marker must be at most ${MAX_EFFECT_MARKER_LENGTH} characters`)
        .optional(),
    }),
    result: z.strictObject({
      revision: BufferRevision,
      /** Only with a `marker`: `false` when the document already carried it and nothing changed. */
      applied: z.boolean().optional(),
    }),
  },
  'buffer.flush': {
    /**
     * Resolves once the sync-server has durably stored every change this buffer's replica holds
     * (its `savedState` covers the replica's state vector); fails with `SyncFailed` on timeout or
     * disconnect. Sources that report no storage (in-process, a page's document) answer at once.
     */
    params: z.strictObject({
      ...bufferRef,
      /** How long to wait, in ms (10 s by default). */
      timeoutMs: z.number().int().positive().max(MAX_FLUSH_TIMEOUT_MS).optional(),
    }),
    result: z.strictObject({
      revision: BufferRevision,
      /** `true`: the server said it stored the changes; `false`: the source does not report storage. */
      stored: z.boolean(),
    }),
  },
  'buffer.undo': {
    params: z.strictObject(bufferRef),
    result: z.strictObject({ revision: BufferRevision, changed: z.boolean() }),
  },
  'buffer.redo': {
    params: z.strictObject(bufferRef),
    result: z.strictObject({ revision: BufferRevision, changed: z.boolean() }),
  },
  'buffer.find': {
    params: z.strictObject({
      ...bufferRef,
      ...findOptions,
      limit: z.number().int().positive().max(EditorEngineLimits.maxFindResults).optional(),
    }),
    result: z.strictObject({ matches: z.array(FindMatch), truncated: z.boolean(), revision: BufferRevision }),
  },
  'buffer.replace': {
    /** Replaces the first match at or after `at` (default 0). With `regex`, `$1`… and `$<name>` expand. */
    params: z.strictObject({
      ...bufferRef,
      ...findOptions,
      replacement: z.string(),
      at: TextPosition.optional(),
      baseRevision: BufferRevision.optional(),
    }),
    result: z.strictObject({ revision: BufferRevision, replaced: OffsetRange.nullable() }),
  },
  'buffer.replaceAll': {
    params: z.strictObject({
      ...bufferRef,
      ...findOptions,
      replacement: z.string(),
      baseRevision: BufferRevision.optional(),
    }),
    result: z.strictObject({ revision: BufferRevision, count }),
  },
  'buffer.setSelections': {
    params: z.strictObject({
      ...bufferRef,
      selections: z.array(SelectionInput).max(EditorEngineLimits.maxSelections),
    }),
    result: z.strictObject({ selections: z.array(Selection), revision: BufferRevision }),
  },
  'buffer.selections': {
    params: z.strictObject(bufferRef),
    result: z.strictObject({ selections: z.array(Selection), revision: BufferRevision }),
  },
  'buffer.tokens': {
    params: z.strictObject({
      ...bufferRef,
      range: TextRange.optional(),
      language: z.string().max(64).optional(),
    }),
    result: z.strictObject({
      language: z.string().nullable(),
      tokens: z.array(Token),
      revision: BufferRevision,
    }),
  },
  'buffer.outline': {
    params: z.strictObject({ ...bufferRef, language: z.string().max(64).optional() }),
    result: z.strictObject({
      language: z.string().nullable(),
      items: z.array(OutlineItem),
      revision: BufferRevision,
    }),
  },
} as const;

/** A method name of {@link EngineRequests}. */
export type EngineMethod = keyof typeof EngineRequests;
/** What a caller passes as a method's params. */
export type EngineParams<M extends EngineMethod> = z.input<(typeof EngineRequests)[M]['params']>;
/** A method's params after validation. */
export type EngineParsedParams<M extends EngineMethod> = z.output<(typeof EngineRequests)[M]['params']>;
/** What a method answers. */
export type EngineResult<M extends EngineMethod> = z.output<(typeof EngineRequests)[M]['result']>;

/** Notifications the engine sends to a caller. */
export const EngineNotifications = {
  /** A buffer the caller has open changed; apply `ops` to the text at `revision - 1`. */
  'buffer.update': z.strictObject({
    bufferId: BufferId,
    revision: BufferRevision,
    origin: ChangeOriginSchema,
    ops: z.array(DeltaOp),
  }),
  /** The caller's selections moved because of someone else's change (or its own). */
  'buffer.selections': z.strictObject({
    bufferId: BufferId,
    revision: BufferRevision,
    selections: z.array(Selection),
  }),
  /**
   * The buffer's link to its document changed: connected or not, the role, or closed by the server
   * (then `error` says why and the buffer stays readable but takes no more edits).
   */
  'buffer.status': z.strictObject({
    bufferId: BufferId,
    connected: z.boolean(),
    role: RoleSchema,
    error: z
      .strictObject({ code: z.number().int(), message: z.string(), data: z.unknown().optional() })
      .optional(),
  }),
} as const;
export type EngineNotification = keyof typeof EngineNotifications;
export type EngineNotificationParams<N extends EngineNotification> = z.output<
  (typeof EngineNotifications)[N]
>;

/** `data` of each engine-specific error, so a caller can act on it without parsing messages. */
export const EngineErrorData = {
  InvalidParams: z.strictObject({
    method: z.string(),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string() })),
  }),
  UnknownBuffer: z.strictObject({ bufferId: z.string() }),
  StaleRevision: z.strictObject({ baseRevision: BufferRevision, currentRevision: BufferRevision }),
  OutOfRange: z.strictObject({
    /** `offset`, `line` or `column` (with the line it was on), and where in the params. */
    what: z.enum(['offset', 'line', 'column']),
    path: z.string(),
    value: z.number(),
    min: z.number(),
    max: z.number(),
  }),
  PayloadTooLarge: z.strictObject({ bytes: count, limit: count }),
  ReadOnly: z.strictObject({ role: RoleSchema }),
  InvalidPattern: z.strictObject({ pattern: z.string(), reason: z.string() }),
  SyncFailed: z.strictObject({ closeCode: z.number().int().optional(), reason: z.string() }),
  Unauthorized: z.strictObject({ closeCode: z.number().int().optional(), reason: z.string() }),
  Forbidden: z.strictObject({ closeCode: z.number().int().optional(), reason: z.string() }),
  UnknownDocument: z.strictObject({ closeCode: z.number().int().optional(), reason: z.string() }),
  OverlappingEdits: z.strictObject({ first: count, second: count }),
} as const;

/** The `error` member of a JSON-RPC error response from the engine. */
export const EngineErrorObject = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type EngineErrorObject = z.infer<typeof EngineErrorObject>;
