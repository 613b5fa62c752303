// Presence on a document (Yjs awareness) and on a board (ephemeral messages): the narrow shapes peers may send.
import { z } from 'zod';
import { NodeState, RunId, RunStatus } from './runs.js';
import { isPlainText, plainText } from './text.js';
import { NodeId } from './workflow/model.js';

/**
 * Presence: what a peer says about itself to everyone else on a document (Yjs awareness) or a
 * board (automerge-repo ephemeral messages). Every field here ends up in someone else's DOM — as
 * text, as an SVG attribute or inside a `style` attribute — so each is as narrow as the client that
 * sends it: a colour is a hex colour and nothing that could close a CSS declaration, a name is
 * bounded plain text, a coordinate is a bounded number. The sync-server cleans presence to these
 * shapes before relaying it; the client cleans it again before drawing it.
 */

/** A presence colour: `#rrggbb`, the only form a profile can hold. */
export const PresenceColor = z.string().regex(/^#[0-9a-f]{6}$/i, 'a presence colour must be "#rrggbb"');
export type PresenceColor = z.infer<typeof PresenceColor>;

/** A selection colour: `#rrggbb` or `#rrggbbaa` (the client sends its colour plus `33` alpha). */
export const PresenceColorLight = z
  .string()
  .regex(/^#[0-9a-f]{6}(?:[0-9a-f]{2})?$/i, 'a selection colour must be "#rrggbb" or "#rrggbbaa"');

/** 64: the longest account name OFB issues (`UserName`); a board shows 40 of it. */
export const MAX_PRESENCE_NAME_LENGTH = 64;

/** A name shown next to a cursor and in presence lists. */
export const PresenceName = plainText('a presence name').min(1).max(MAX_PRESENCE_NAME_LENGTH);

/** 128: the longest user id (`UserId`). */
const PresenceUserId = z.string().min(1).max(128);

/** Colours that read well on white with white label text; also the fallbacks for invalid ones. */
export const PRESENCE_COLORS = [
  '#d1453b',
  '#e07b00',
  '#b58900',
  '#2e8b57',
  '#008b8b',
  '#1e6fd9',
  '#6a4cc2',
  '#b03a8c',
] as const;

/**
 * A colour from {@link PRESENCE_COLORS} chosen by `seed` (a user id, or a client id when there is
 * none): the same seed always gets the same colour, so a peer whose colour was refused keeps one.
 */
export function presenceColorFor(seed: string): PresenceColor {
  let hash = 0x811c9dc5; // FNV-1a, 32 bit
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  return PRESENCE_COLORS[(hash >>> 0) % PRESENCE_COLORS.length] as PresenceColor;
}

/** The translucent variant of `color` drawn under a selection (`#rrggbb` + 20 % alpha). */
export function lightPresenceColor(color: PresenceColor): string {
  return `${color}33`;
}

/**
 * `value` as a presence name: control characters and unpaired surrogates removed, trimmed, cut to
 * {@link MAX_PRESENCE_NAME_LENGTH}; `undefined` when that leaves nothing or `value` is no string.
 */
export function toPresenceName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const plain = (text: string) => Array.from(text).filter(isPlainText).join('');
  const name = plain(plain(value).trim().slice(0, MAX_PRESENCE_NAME_LENGTH)).trim();
  return name === '' ? undefined : name;
}

// --- document presence (Yjs awareness) ------------------------------------------------------------

/** A Yjs struct id as JSON: the client that made it and its clock. */
const YjsId = z.object({ client: z.number().int().nonnegative(), clock: z.number().int().nonnegative() });

/**
 * A `Y.RelativePosition` as JSON, the way y-codemirror.next (all four fields) and
 * `Y.relativePositionToJSON` (only those set) write it. It must name something: Yjs throws on a
 * position with no item, root type name or type.
 */
export const RelativePositionJson = z
  .object({
    type: YjsId.nullish(),
    /** 256: root type names are short identifiers (`content`); this is only a bound. */
    tname: z.string().max(256).nullish(),
    item: YjsId.nullish(),
    assoc: z.number().int().optional(),
  })
  .refine((p) => p.type != null || p.tname != null || p.item != null, {
    message: 'a relative position must name an item, a root type or a type',
  });
export type RelativePositionJson = z.infer<typeof RelativePositionJson>;

/** Where a collaborator's selection starts (`anchor`) and where their caret is (`head`). */
export const DocumentCursor = z.object({ anchor: RelativePositionJson, head: RelativePositionJson });
export type DocumentCursor = z.infer<typeof DocumentCursor>;

/** Who a collaborator is, as y-codemirror.next reads it (`name`, `color`, `colorLight`). */
export const DocumentPresenceUser = z.object({
  /** Stamped by the sync-server from the connection's token. */
  id: PresenceUserId.optional(),
  name: PresenceName.optional(),
  color: PresenceColor.optional(),
  colorLight: PresenceColorLight.optional(),
});
export type DocumentPresenceUser = z.infer<typeof DocumentPresenceUser>;

/** A document's awareness state: the whole of what a Symphony client publishes. */
export const DocumentPresence = z.object({
  user: DocumentPresenceUser.optional(),
  cursor: DocumentCursor.nullable().optional(),
});
export type DocumentPresence = z.infer<typeof DocumentPresence>;

/**
 * `state` (any JSON) as a {@link DocumentPresence}: fields the schema does not describe are
 * dropped, an invalid colour becomes {@link presenceColorFor} the user id (or `seed`), an invalid
 * selection colour the colour plus alpha, a name is cleaned by {@link toPresenceName}, an invalid
 * cursor becomes `null`. A valid state comes back equal to itself. Pure; never throws.
 */
export function cleanDocumentPresence(state: unknown, seed: string): DocumentPresence {
  const base = isRecord(state) ? state : {};
  const clean: DocumentPresence = {};
  const user = own(base, 'user');
  if (isRecord(user)) clean.user = cleanDocumentUser(user, seed);
  if (Object.hasOwn(base, 'cursor')) {
    const cursor = DocumentCursor.safeParse(base.cursor);
    clean.cursor = cursor.success ? cursor.data : null;
  }
  return clean;
}

function cleanDocumentUser(user: Record<string, unknown>, seed: string): DocumentPresenceUser {
  const clean: DocumentPresenceUser = {};
  const id = PresenceUserId.safeParse(own(user, 'id'));
  if (id.success) clean.id = id.data;
  const name = toPresenceName(own(user, 'name'));
  if (name !== undefined) clean.name = name;
  const color = own(user, 'color');
  if (color !== undefined) clean.color = validColor(color) ?? presenceColorFor(clean.id ?? seed);
  const colorLight = own(user, 'colorLight');
  if (colorLight !== undefined) {
    const light = PresenceColorLight.safeParse(colorLight);
    if (light.success) clean.colorLight = light.data;
    else if (clean.color !== undefined) clean.colorLight = lightPresenceColor(clean.color);
  }
  return clean;
}

// --- board presence (automerge-repo ephemeral messages) -------------------------------------------

/** 10^7 board units: far beyond any workflow, and SVG draws in single precision (7 digits) anyway. */
export const MAX_BOARD_COORDINATE = 10_000_000;
/** 5,000: the most nodes one person can have selected or be dragging that a board shows. */
export const MAX_BOARD_SELECTION = 5_000;

const Coordinate = z.number().min(-MAX_BOARD_COORDINATE).max(MAX_BOARD_COORDINATE);
/** A point on the board (a pointer, a dragged node's corner), in board coordinates. */
export const BoardPoint = z.object({ x: Coordinate, y: Coordinate });
export type BoardPoint = z.infer<typeof BoardPoint>;

/** Who a collaborator on a board is. */
export const BoardPresenceUser = z.object({
  /** Stamped by the sync-server from the connection's token. */
  id: PresenceUserId.optional(),
  name: PresenceName,
  color: PresenceColor,
});

/** What a board says about its person: who, what they selected, where their pointer and drags are. */
export const BoardPresence = z.object({
  type: z.literal('board-presence'),
  user: BoardPresenceUser,
  selection: z.array(NodeId).max(MAX_BOARD_SELECTION),
  pointer: BoardPoint.nullable(),
  dragging: z.array(z.tuple([NodeId, BoardPoint])).max(MAX_BOARD_SELECTION),
});
export type BoardPresence = z.infer<typeof BoardPresence>;

/** 10,000: the most node states one run broadcast carries (a workflow's node limit). */
export const MAX_BOARD_RUN_NODES = 10_000;

/**
 * A run's node states as the board that watches it (its starter's, connected to the orchestrator
 * that runs it) broadcasts them to everyone else on the workflow: read-only, never written into the
 * workflow's CRDT. Each message is the whole picture, so a peer that joins late needs one.
 */
export const BoardRun = z.object({
  type: z.literal('board-run'),
  /** Stamped by the sync-server from the connection's token. */
  user: BoardPresenceUser,
  runId: RunId,
  status: z.enum(Object.values(RunStatus) as [RunStatus, ...RunStatus[]]),
  /** Finished nodes over all nodes, 0–1. */
  fraction: z.number().min(0).max(1),
  /** Every node's state that is not `queued`. */
  states: z
    .record(NodeId, z.enum(Object.values(NodeState) as [NodeState, ...NodeState[]]))
    .refine((states) => Object.keys(states).length <= MAX_BOARD_RUN_NODES, {
      message: `a run broadcast carries at most ${MAX_BOARD_RUN_NODES} node states`,
    }),
  /** When the sender built it (its clock, ms since the epoch): a receiver keeps the newest per run. */
  at: z.number().int().nonnegative(),
});
export type BoardRun = z.infer<typeof BoardRun>;

/** Every message a board sends over a workflow's ephemeral channel. */
export const BoardPresenceMessage = z.discriminatedUnion('type', [
  BoardPresence,
  BoardRun,
  z.object({ type: z.literal('board-leave') }),
]);
export type BoardPresenceMessage = z.infer<typeof BoardPresenceMessage>;

/**
 * `data` (a decoded ephemeral message) as a {@link BoardPresence}: unknown fields dropped, an
 * invalid colour replaced by {@link presenceColorFor} the user id (or `seed`), a missing or unusable
 * name by `Anonymous`, selection and drag entries that are not valid kept out (and at most
 * {@link MAX_BOARD_SELECTION}), an invalid pointer `null`. A valid message comes back equal to
 * itself. Pure; never throws.
 */
export function cleanBoardPresence(data: Record<string, unknown>, seed: string): BoardPresence {
  const given = own(data, 'user');
  const user = isRecord(given) ? given : {};
  const id = PresenceUserId.safeParse(own(user, 'id'));
  const pointer = BoardPoint.safeParse(own(data, 'pointer'));
  return {
    type: 'board-presence',
    user: {
      ...(id.success ? { id: id.data } : {}),
      name: toPresenceName(own(user, 'name')) ?? 'Anonymous',
      color: validColor(own(user, 'color')) ?? presenceColorFor(id.success ? id.data : seed),
    },
    selection: validEntries(own(data, 'selection'), NodeId),
    pointer: pointer.success ? pointer.data : null,
    dragging: validEntries(own(data, 'dragging'), z.tuple([NodeId, BoardPoint])),
  };
}

function validEntries<S extends z.ZodType>(list: unknown, schema: S): z.output<S>[] {
  if (!Array.isArray(list)) return [];
  const valid: z.output<S>[] = [];
  for (const entry of list.slice(0, MAX_BOARD_SELECTION)) {
    const parsed = schema.safeParse(entry);
    if (parsed.success) valid.push(parsed.data);
  }
  return valid;
}

function validColor(value: unknown): PresenceColor | undefined {
  const color = PresenceColor.safeParse(value);
  return color.success ? color.data : undefined;
}

/** `record[key]` if `record` has it itself; inherited properties are never presence. */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
