// Remote Document presence, cleaned before anything draws it: peers for the presence list, and the
// awareness y-codemirror.next draws remote cursors from (EditorAwareness).
import {
  cleanDocumentPresence,
  type DocumentPresence,
  lightPresenceColor,
  presenceColorFor,
  type RelativePositionJson,
} from '@symphony/schemas';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';

/**
 * The sync-server already cleans what it relays, but a page may be connected to a server configured
 * differently, so every awareness state a peer controls goes through the shared
 * `cleanDocumentPresence` here too: colours are `#rrggbb` (or `#rrggbbaa` for a selection), names
 * bounded plain text, cursors well-formed.
 */

/** A collaborator as the presence list shows them. */
export interface DocumentPeer {
  readonly clientId: number;
  readonly name: string;
  /** Always `#rrggbb`. */
  readonly color: string;
}

/** 40: the characters of a name the presence list and cursor labels show. */
const SHOWN_NAME_LENGTH = 40;

/** The other people in `awareness` who have a name, by name; every colour is safe to draw. */
export function remotePeers(awareness: Pick<Awareness, 'clientID' | 'getStates'>): DocumentPeer[] {
  const peers: DocumentPeer[] = [];
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId === awareness.clientID) continue;
    const user = cleanState(clientId, state).user;
    if (user?.name === undefined) continue;
    peers.push({
      clientId,
      name: user.name.slice(0, SHOWN_NAME_LENGTH),
      color: user.color ?? presenceColorFor(user.id ?? String(clientId)),
    });
  }
  return peers.sort((a, b) => a.name.localeCompare(b.name) || a.clientId - b.clientId);
}

/** What y-codemirror.next reads of a remote state to draw its cursor and selection. */
interface EditorState {
  readonly user: { readonly name: string; readonly color: string; readonly colorLight: string };
  readonly cursor?: { readonly anchor: RelativePositionJson; readonly head: RelativePositionJson } | null;
}

/**
 * A remote state as y-codemirror.next may safely draw it: a name, a `#rrggbb` colour and a
 * selection colour always present (so it never falls back to unchecked defaults), and a cursor only
 * if both ends are complete relative positions into `textName` (y-codemirror.next reads all four
 * fields; a position naming another root type would make the editor create that type).
 */
export function editorState(clientId: number, state: unknown, textName: string | undefined): EditorState {
  const { user, cursor } = cleanState(clientId, state);
  const color = user?.color ?? presenceColorFor(user?.id ?? String(clientId));
  const clean: EditorState = {
    user: {
      name: user?.name?.slice(0, SHOWN_NAME_LENGTH) ?? 'Anonymous',
      color,
      colorLight: user?.colorLight ?? lightPresenceColor(color),
    },
  };
  if (cursor == null) return cursor === null ? { ...clean, cursor: null } : clean;
  const anchor = completePosition(cursor.anchor, textName);
  const head = completePosition(cursor.head, textName);
  return { ...clean, cursor: anchor && head ? { anchor, head } : null };
}

/**
 * The part of an `Awareness` that y-codemirror.next's `yCollab` uses, with every remote state
 * replaced by {@link editorState}; the local state, events and writes go to `awareness` itself.
 * Cleaned states are cached per state object (Awareness replaces the object on every update), so
 * redrawing the editor does not re-validate unchanged peers.
 */
export class EditorAwareness {
  private readonly cache = new WeakMap<object, EditorState>();
  private readonly textName: string | undefined;

  constructor(
    private readonly awareness: Awareness,
    text: Y.Text,
  ) {
    this.textName = rootName(text);
  }

  get doc(): Y.Doc {
    return this.awareness.doc;
  }

  get clientID(): number {
    return this.awareness.clientID;
  }

  on(event: 'change' | 'update', listener: (...args: never[]) => void): void {
    this.awareness.on(event, listener as () => void);
  }

  off(event: 'change' | 'update', listener: (...args: never[]) => void): void {
    this.awareness.off(event, listener as () => void);
  }

  getLocalState(): ReturnType<Awareness['getLocalState']> {
    return this.awareness.getLocalState();
  }

  setLocalStateField(field: string, value: unknown): void {
    this.awareness.setLocalStateField(field, value);
  }

  /** Every state, the remote ones cleaned. */
  getStates(): Map<number, unknown> {
    const states = new Map<number, unknown>();
    for (const [clientId, state] of this.awareness.getStates()) {
      states.set(clientId, clientId === this.awareness.clientID ? state : this.cleaned(clientId, state));
    }
    return states;
  }

  private cleaned(clientId: number, state: unknown): EditorState {
    // A peer's state is whatever JSON it sent, a number or a string included.
    if (typeof state !== 'object' || state === null) return editorState(clientId, state, this.textName);
    const hit = this.cache.get(state);
    if (hit) return hit;
    const clean = editorState(clientId, state, this.textName);
    this.cache.set(state, clean);
    return clean;
  }
}

/** A state's user, cleaned; the fallback colour is derived from the user id or the client id. */
function cleanState(clientId: number, state: unknown): DocumentPresence {
  return cleanDocumentPresence(state, String(clientId));
}

function completePosition(
  p: RelativePositionJson,
  textName: string | undefined,
): RelativePositionJson | null {
  const tname = p.tname ?? null;
  if (tname !== null && tname !== textName) return null;
  return { type: p.type ?? null, tname, item: p.item ?? null, assoc: p.assoc ?? 0 };
}

/** The name `text` is shared under in its document, if it is a root type. */
function rootName(text: Y.Text): string | undefined {
  for (const [name, type] of text.doc?.share ?? []) if ((type as unknown) === text) return name;
  return undefined;
}
