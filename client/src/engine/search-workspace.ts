// Workspace search: every Document's text searched through the editor engine a few at a time, each
// Document's matches reported with snippets as it goes.
import type { EngineResult, FindMatch } from '@symphony/schemas';
import { EngineErrorCode } from '@symphony/schemas';
import { EngineRequestError, type FindParams } from './engine-connection.js';
import { mapBounded, type Snippet, snippet } from './find-logic.js';

/** A document to search: its id and title. */
export interface SearchableDocument {
  readonly id: string;
  readonly title: string;
}

/** What the search needs of a document open in the engine. */
export interface SearchableBuffer {
  find(params: FindParams): Promise<EngineResult<'buffer.find'>>;
  lines(from: number, to: number): Promise<EngineResult<'buffer.lines'>>;
}

/** A document opened for searching, and how to let go of it. */
export interface OpenedForSearch {
  readonly buffer: SearchableBuffer;
  release(): void;
}

/** One match with its line's text cut around it. */
export interface SearchHit extends FindMatch {
  readonly snippet: Snippet;
}

/** The matches in one document. */
export interface DocumentHits {
  readonly id: string;
  readonly title: string;
  readonly hits: readonly SearchHit[];
  /** More matches exist than are listed. */
  readonly truncated: boolean;
}

/** Options of {@link searchWorkspace}. */
export interface SearchWorkspaceOptions {
  readonly documents: readonly SearchableDocument[];
  readonly query: FindParams;
  /** Opens a document in the engine (its Y.Doc through the session registry). */
  readonly open: (id: string) => Promise<OpenedForSearch>;
  /** Documents open at once. Default 4. */
  readonly concurrency?: number;
  /** Matches listed per document. Default 20. */
  readonly perDocument?: number;
  readonly signal?: AbortSignal;
  /** Called for each document with matches, as soon as it is searched. */
  readonly onHits: (hits: DocumentHits) => void;
  /** Called for each document that could not be searched. */
  readonly onError: (document: SearchableDocument, error: unknown) => void;
}

/**
 * Searches every document's text through the engine, a few documents at a time, reporting each
 * document's matches (with a snippet of their line) as it goes. A bad pattern fails the whole
 * search at the first document (rejects with the engine's `InvalidPattern`); any other failure is
 * reported for its document and the search goes on. Resolves with the number of documents searched.
 */
export async function searchWorkspace(options: SearchWorkspaceOptions): Promise<number> {
  const perDocument = options.perDocument ?? 20;
  let searched = 0;
  let fatal: unknown = null;
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort);
  if (options.signal?.aborted) stop.abort();
  try {
    await mapBounded(
      options.documents,
      options.concurrency ?? 4,
      async (document) => {
        let opened: OpenedForSearch;
        try {
          opened = await options.open(document.id);
        } catch (error) {
          if (!stop.signal.aborted) options.onError(document, error);
          return;
        }
        try {
          if (stop.signal.aborted) return;
          const found = await opened.buffer.find({ ...options.query, limit: perDocument });
          searched++;
          if (found.matches.length === 0 || stop.signal.aborted) return;
          const lineText = new Map<number, string>();
          for (const match of found.matches) {
            if (lineText.has(match.line)) continue;
            const read = await opened.buffer.lines(match.line, match.line + 1);
            lineText.set(match.line, read.lines[0] ?? '');
          }
          if (stop.signal.aborted) return;
          options.onHits({
            id: document.id,
            title: document.title,
            truncated: found.truncated,
            hits: found.matches.map((m) => {
              const line = lineText.get(m.line) ?? '';
              // A match across lines is shown up to its line's end.
              return {
                ...m,
                snippet: snippet(line, m.column, Math.min(m.to - m.from, line.length - m.column)),
              };
            }),
          });
        } catch (error) {
          if (error instanceof EngineRequestError && error.code === EngineErrorCode.InvalidPattern) {
            fatal ??= error;
            stop.abort();
          } else if (!stop.signal.aborted) options.onError(document, error);
        } finally {
          opened.release();
        }
      },
      stop.signal,
    );
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  if (fatal !== null) throw fatal;
  return searched;
}
