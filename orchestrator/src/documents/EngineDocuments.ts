// RunDocuments through the editor engine: read-document and write-document go through one engine's
// JSON-RPC, so text operations and effect markers have one implementation.
import type { EditorEngineClient } from '@symphony/editor-engine';
import { EngineRequestError } from '@symphony/editor-engine';
import {
  type BufferId,
  DocumentId,
  EngineErrorCode,
  MAX_EFFECT_MARKER_LENGTH,
  MAX_FLUSH_TIMEOUT_MS,
  OfbLimits,
  RunErrorCode,
  type TextEdit,
} from '@symphony/schemas';
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';
import { teamServerEndpoints } from '../sources/team-server.js';
import { type RunDocuments, StepError } from '../steps/Step.js';
import { cancelledError, documentStepError } from './document-errors.js';
import type { EngineConnection } from './engine-connection.js';
import { startEngine } from './start-engine.js';

/** 1 Mi UTF-16 units per `buffer.read`: a 10 MiB document in a few answers, each far below 8 MiB of JSON. */
const READ_CHUNK = 1024 * 1024;
/** Tries when the document changes between reading its length and writing (a co-editor is typing). */
const EDIT_TRIES = 8;

/** What {@link EngineDocuments} needs. */
export const EngineDocumentsOptions = z.object({
  /** Opens a connection to an editor engine; called on first use and again after one stopped. */
  connect: z.custom<() => Promise<EngineConnection>>((value) => typeof value === 'function', {
    message:
      'connect must be a function returning an engine connection (e.g. () => startEngine({ syncUrl }))',
  }),
  /**
   * The user's OFB access token, given to every `buffer.open`; or a function answering the token
   * to use now (a refreshed one: a buffer opened with an older token is opened again with it).
   */
  token: z
    .union([
      z.string().min(1).max(OfbLimits.maxTokenLength),
      z.custom<() => string | undefined>((value) => typeof value === 'function', {
        message: 'token must be a token, or a function answering the current token',
      }),
    ])
    .optional(),
  /** How long a write waits for the server to store it, in ms (10 s). */
  flushTimeoutMs: z.number().int().positive().max(MAX_FLUSH_TIMEOUT_MS).default(10_000),
});
export type EngineDocumentsOptions = z.input<typeof EngineDocumentsOptions>;

const WriteEdit = z.object({
  text: z.string(),
  mode: z.enum(['append', 'replace']),
  marker: z.string().min(1).max(MAX_EFFECT_MARKER_LENGTH),
});

/** A buffer being opened or open, and the token it was opened with. */
interface OpenBuffer {
  readonly bufferId: Promise<BufferId>;
  readonly token: string | undefined;
}

/** One engine connection and the buffers opened on it, by document. */
interface Live {
  readonly connection: EngineConnection;
  readonly buffers: Map<DocumentId, OpenBuffer>;
  /** The document of each opened buffer. */
  readonly documents: Map<string, DocumentId>;
}

/**
 * The documents of a run, through the editor engine (`@symphony/editor-engine`): buffers are
 * opened with the user's token (`updates: 'others'`) and kept for the run; `read` is
 * `buffer.read`; `write` is one `buffer.edit` with the effect's `marker` (an insert at the end, or
 * a replace of the whole text, against the revision just read) then `buffer.flush`, so it
 * resolves once the server has stored the edit, and an attempt repeated after a crash answers
 * `applied: false` instead of writing twice.
 *
 * Engine errors become `StepError`s (`document_failed`) that say what to do; only a failed sync,
 * a timeout and a stopped engine are retryable, and after an engine stopped the next call starts
 * a new one. Every call stops promptly when its `AbortSignal` fires (`cancelled`).
 */
export class EngineDocuments implements RunDocuments {
  readonly #connect: () => Promise<EngineConnection>;
  readonly #token: () => string | undefined;
  readonly #flushTimeoutMs: number;
  #live: Promise<Live> | undefined;
  #closed = false;

  constructor(options: EngineDocumentsOptions) {
    const parsed = parseArgs('EngineDocuments', EngineDocumentsOptions, options);
    this.#connect = parsed.connect;
    const token = parsed.token;
    this.#token = typeof token === 'function' ? token : () => token;
    this.#flushTimeoutMs = parsed.flushTimeoutMs;
  }

  /**
   * The documents of a team server (its base URL, e.g. `http://127.0.0.1:4321`), through an
   * engine of its own started on first use ({@link startEngine}, in a worker of this process).
   */
  static forServer(options: {
    server: string;
    token?: string | (() => string | undefined);
    flushTimeoutMs?: number;
  }): EngineDocuments {
    const { yjs } = teamServerEndpoints(options.server);
    return new EngineDocuments({
      connect: () => startEngine({ syncUrl: yjs }),
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.flushTimeoutMs === undefined ? {} : { flushTimeoutMs: options.flushTimeoutMs }),
    });
  }

  read(documentId: DocumentId, signal: AbortSignal): Promise<string> {
    return this.#run('read', documentId, signal, async (client, bufferId) => {
      const { length } = await client.request('buffer.lineCount', { bufferId });
      if (length <= READ_CHUNK) return (await client.request('buffer.read', { bufferId })).text;
      return readInChunks(client, bufferId, documentId);
    });
  }

  write(
    documentId: DocumentId,
    edit: { readonly text: string; readonly mode: 'append' | 'replace'; readonly marker: string },
    signal: AbortSignal,
  ): Promise<{ applied: boolean }> {
    const parsed = WriteEdit.safeParse(edit);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return Promise.reject(
        new StepError(
          RunErrorCode.invalidInput,
          `write to document ${String(documentId)}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid edit'}`,
        ),
      );
    }
    const { text, mode, marker } = parsed.data;
    return this.#run('write', documentId, signal, async (client, bufferId) => {
      let applied: boolean | undefined;
      for (let tries = 0; applied === undefined && tries < EDIT_TRIES; tries++) {
        const { length, revision } = await client.request('buffer.lineCount', { bufferId });
        let edits: TextEdit[] = [{ op: 'replace', from: 0, to: length, text }];
        if (mode === 'append') {
          const tail =
            length === 0
              ? ''
              : (
                  await client.request('buffer.read', {
                    bufferId,
                    range: { from: Math.max(0, length - 2), to: length },
                  })
                ).text;
          edits = [{ op: 'insert', at: length, text: appendSeparator(tail) + text }];
        }
        // The caller stops waiting at once on abort; this makes sure the edit is not sent after it.
        if (signal.aborted) throw cancelledError(signal, documentId);
        try {
          const result = await client.request('buffer.edit', {
            bufferId,
            baseRevision: revision,
            edits,
            marker,
          });
          applied = result.applied ?? true;
        } catch (error) {
          if (!(error instanceof EngineRequestError && error.code === EngineErrorCode.StaleRevision))
            throw error;
        }
      }
      if (applied === undefined) {
        throw new StepError(
          RunErrorCode.documentFailed,
          `document ${documentId} kept changing while it was written (${EDIT_TRIES} tries); it is tried again`,
          true,
        );
      }
      await client.request('buffer.flush', { bufferId, timeoutMs: this.#flushTimeoutMs });
      return { applied };
    });
  }

  /** Closes the engine connection; later calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const live = this.#live;
    this.#live = undefined;
    if (live)
      await live.then(
        (l) => l.connection.close(),
        () => {},
      );
  }

  /** Runs `operation` on the document's buffer, mapping failures and honouring `signal`. */
  #run<T>(
    what: string,
    documentId: DocumentId,
    signal: AbortSignal,
    operation: (client: EditorEngineClient, bufferId: BufferId) => Promise<T>,
  ): Promise<T> {
    const id = DocumentId.safeParse(documentId);
    if (!id.success) {
      return Promise.reject(
        new StepError(RunErrorCode.invalidInput, `${what}: "${String(documentId)}" is not a document id`),
      );
    }
    if (!(signal instanceof AbortSignal)) {
      return Promise.reject(
        new StepError(RunErrorCode.invalidInput, `${what}: signal must be an AbortSignal`),
      );
    }
    if (signal.aborted) return Promise.reject(cancelledError(signal, id.data));
    if (this.#closed) {
      return Promise.reject(
        new StepError(RunErrorCode.documentFailed, `${what} ${id.data}: the run's documents were closed`),
      );
    }
    const work = (async () => {
      let live: Live;
      try {
        live = await this.#connection();
      } catch (error) {
        if (error instanceof StepError) throw error;
        throw new StepError(
          RunErrorCode.documentFailed,
          `could not reach the editor engine for document ${id.data}: ${error instanceof Error ? error.message : String(error)}`,
          true,
        );
      }
      try {
        return await operation(live.connection.client, await this.#buffer(live, id.data));
      } catch (error) {
        // Settled already when the engine stopped: its end failed the pending requests.
        const stopped = await Promise.race([live.connection.closed, Promise.resolve(undefined)]);
        throw documentStepError(error, id.data, stopped);
      }
    })();
    return abortable(work, signal, () => cancelledError(signal, id.data));
  }

  #connection(): Promise<Live> {
    if (this.#live) return this.#live;
    const live = Promise.resolve()
      .then(() => this.#connect())
      .then((connection): Live => {
        const buffers = new Map<DocumentId, OpenBuffer>();
        const documents = new Map<string, DocumentId>();
        // A buffer the server closed for good answers its error from then on: it is closed, so the
        // next operation opens the document again and the server decides afresh.
        connection.client.on('buffer.status', (status) => {
          const documentId = documents.get(status.bufferId);
          if (status.error === undefined || documentId === undefined) return;
          documents.delete(status.bufferId);
          buffers.delete(documentId);
          connection.client.request('buffer.close', { bufferId: status.bufferId }).catch(() => {});
        });
        void connection.closed.then(() => {
          if (this.#live === live) this.#live = undefined;
        });
        return { connection, buffers, documents };
      });
    this.#live = live;
    // A failed start is not kept: the next call tries again.
    live.catch(() => {
      if (this.#live === live) this.#live = undefined;
    });
    return live;
  }

  #buffer(live: Live, documentId: DocumentId): Promise<BufferId> {
    const token = this.#token();
    const current = live.buffers.get(documentId);
    if (current !== undefined && current.token === token) return current.bufferId;
    if (current !== undefined) {
      // Opened with a token since replaced (refreshed): the server decides afresh on the new one.
      live.buffers.delete(documentId);
      current.bufferId.then(
        (bufferId) => {
          live.documents.delete(bufferId);
          live.connection.client.request('buffer.close', { bufferId }).catch(() => {});
        },
        () => {},
      );
    }
    const bufferId = live.connection.client
      .request('buffer.open', {
        documentId,
        updates: 'others',
        ...(token === undefined ? {} : { token }),
      })
      .then((opened) => {
        live.documents.set(opened.bufferId, documentId);
        return opened.bufferId;
      });
    const opening: OpenBuffer = { bufferId, token };
    live.buffers.set(documentId, opening);
    bufferId.catch(() => {
      if (live.buffers.get(documentId) === opening) live.buffers.delete(documentId);
    });
    return bufferId;
  }
}

/** Reads a large document range by range, all at one revision (again if it changed meanwhile). */
async function readInChunks(
  client: EditorEngineClient,
  bufferId: BufferId,
  documentId: DocumentId,
): Promise<string> {
  for (let tries = 0; tries < EDIT_TRIES; tries++) {
    const { length, revision } = await client.request('buffer.lineCount', { bufferId });
    const ranges: { from: number; to: number }[] = [];
    for (let from = 0; from < length; from += READ_CHUNK)
      ranges.push({ from, to: Math.min(length, from + READ_CHUNK) });
    // A range past the end means the text shrank meanwhile: read it again.
    const parts = await Promise.all(
      ranges.map((range) =>
        client.request('buffer.read', { bufferId, range }).catch((error: unknown) => {
          if (error instanceof EngineRequestError && error.code === EngineErrorCode.OutOfRange)
            return undefined;
          throw error;
        }),
      ),
    );
    if (parts.every((part) => part !== undefined && part.revision === revision)) {
      return parts.map((part) => part?.text ?? '').join('');
    }
  }
  throw new StepError(
    RunErrorCode.documentFailed,
    `document ${documentId} kept changing while it was read (${EDIT_TRIES} tries); it is tried again`,
    true,
  );
}

/** `work`, or a rejection with `abortError()` as soon as `signal` fires (work then runs on, unobserved). */
function abortable<T>(work: Promise<T>, signal: AbortSignal, abortError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * What goes between a document's end (`tail`, its last two characters) and appended text: a
 * blank line, so a run's output starts its own paragraph instead of running into the last
 * sentence; less when the document already ends with line breaks, nothing when it is empty.
 */
export function appendSeparator(tail: string): string {
  if (tail === '' || tail.endsWith('\n\n')) return '';
  return tail.endsWith('\n') ? '\n' : '\n\n';
}
