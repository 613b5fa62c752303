// Workspace Documents as a Workflow's document parameters see them: the picker's search by title, and
// what validation knows of each (exists, readable, writable) for the person's role.
import type { KnownDocument, Role } from '@symphony/schemas';

/** A document the picker can offer: its id (what is stored) and its title (what is shown). */
export interface DocumentChoice {
  readonly id: string;
  readonly title: string;
}

/** 50: more than a screen of choices; typing narrows a larger workspace. */
export const MAX_DOCUMENT_CHOICES = 50;

/**
 * The documents whose title matches `query` (case- and accent-insensitive, every word anywhere in
 * the title), titles starting with the query first, then alphabetically; at most `limit`.
 * An empty query lists every document alphabetically.
 */
export function searchDocuments(
  documents: readonly DocumentChoice[],
  query: string,
  limit = MAX_DOCUMENT_CHOICES,
): DocumentChoice[] {
  const words = fold(query)
    .split(/\s+/)
    .filter((w) => w !== '');
  const needle = words.join(' ');
  const scored: { choice: DocumentChoice; rank: number; key: string }[] = [];
  for (const choice of documents) {
    const key = fold(choice.title);
    if (!words.every((w) => key.includes(w))) continue;
    scored.push({ choice, rank: needle !== '' && key.startsWith(needle) ? 0 : 1, key });
  }
  scored.sort(
    (a, b) => a.rank - b.rank || a.key.localeCompare(b.key) || a.choice.id.localeCompare(b.choice.id),
  );
  return scored.slice(0, limit).map((s) => s.choice);
}

/**
 * What validation knows of the workspace's documents for a person holding `role`: every listed
 * document is readable by a member; only editors and owners may write (a viewer's writes are
 * refused by the server). A null role (not known yet) allows nothing to be judged unwritable.
 */
export function knownDocuments(
  documents: readonly DocumentChoice[],
  role: Role | null,
): ReadonlyMap<string, KnownDocument> {
  const canWrite = role !== 'viewer';
  return new Map(documents.map((d) => [d.id, { title: d.title, canRead: true, canWrite }]));
}

/** The title of document `id`, or undefined when it is not among `documents`. */
export function documentTitle(documents: readonly DocumentChoice[], id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  return documents.find((d) => d.id === id)?.title;
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}
