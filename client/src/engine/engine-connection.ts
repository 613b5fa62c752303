// The page's side of the editor engine: a typed client to its Worker and the bridge lending it the
// page's Y.Docs, with buffers reference-counted per Document (EngineConnection, EngineBuffer).
import {
  EditorEngineClient,
  type EngineChannel,
  EngineRequestError,
  type PortLike,
  portChannel,
  shareDocuments,
} from '@symphony/editor-engine';
import {
  type BufferId,
  EngineErrorCode,
  type EngineNotificationParams,
  type EngineParams,
  type EngineResult,
  type Role,
} from '@symphony/schemas';
import type * as Y from 'yjs';

export { EngineRequestError };

/** Find options as the panel and the workspace search pass them (the buffer id is added here). */
export type FindParams = Omit<EngineParams<'buffer.find'>, 'bufferId'>;
export type ReplaceParams = Omit<EngineParams<'buffer.replace'>, 'bufferId'>;
export type ReplaceAllParams = Omit<EngineParams<'buffer.replaceAll'>, 'bufferId'>;

/** A `buffer.update` notification for one buffer. */
export type BufferUpdate = EngineNotificationParams<'buffer.update'>;

/** How a document is opened in the engine. */
export interface OpenBufferOptions {
  /**
   * What the engine may do with it: a viewer's buffer refuses edits (`ReadOnly`). Absent (a
   * read-only use such as search): a new buffer is a viewer's, an open one keeps its role.
   */
  readonly role?: Role;
  /** Language for the outline (default Markdown). */
  readonly language?: string;
}

interface Entry {
  readonly doc: Y.Doc;
  role: Role;
  holders: number;
  /** The engine's buffer, once `buffer.open` answered. */
  opening: Promise<BufferId>;
  /** The same, once known (so a close goes out at once, ahead of any later open). */
  bufferId: BufferId | null;
}

/**
 * The page's side of the editor engine: a typed client over the engine's MessagePort transport and
 * the Yjs bridge that lends the engine the page's own `Y.Doc`s (updates the engine makes come back
 * as ordinary Yjs updates and reach collaborators like anyone's).
 *
 * The engine sees this page as one caller, and one caller opening a document twice shares one
 * buffer, so buffers are reference-counted here: {@link EngineConnection.open} hands every holder
 * its own {@link EngineBuffer}, and the engine's buffer is closed when the last one is.
 */
export class EngineConnection {
  readonly client: EditorEngineClient;
  private readonly sharing: { setRole(documentId: string, role: Role): void; stop(): void };
  private readonly entries = new Map<string, Entry>();
  private readonly terminate: () => void;

  constructor(ports: { rpc: EngineChannel; documents: PortLike; terminate?: () => void }) {
    this.client = new EditorEngineClient(ports.rpc);
    this.terminate = ports.terminate ?? (() => {});
    this.sharing = shareDocuments(ports.documents, (documentId) => {
      const entry = this.entries.get(documentId);
      return entry === undefined ? undefined : { doc: entry.doc, role: entry.role };
    });
  }

  /** Starts the engine in a Web Worker (`engine.worker.ts`) and connects to it. */
  static inWorker(): EngineConnection {
    const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'symphony-editor-engine',
    });
    const rpc = new MessageChannel();
    const documents = new MessageChannel();
    worker.postMessage({ rpc: rpc.port2, documents: documents.port2 }, [rpc.port2, documents.port2]);
    return new EngineConnection({
      rpc: portChannel(rpc.port1),
      documents: documents.port1,
      terminate: () => worker.terminate(),
    });
  }

  /** Opens `doc` (the page's replica of `documentId`) in the engine for one holder. */
  async open(documentId: string, doc: Y.Doc, options: OpenBufferOptions): Promise<EngineBuffer> {
    let entry = this.entries.get(documentId);
    if (entry !== undefined && entry.doc !== doc) {
      // The page reopened the document with a new Y.Doc; holders of the old one keep their buffer id
      // only until they close it.
      throw new Error(`document ${documentId} is open in the engine with another Y.Doc`);
    }
    if (entry === undefined) {
      const created: Entry = {
        doc,
        role: options.role ?? 'viewer',
        holders: 0,
        opening: Promise.resolve('' as BufferId),
        bufferId: null,
      };
      created.opening = this.client
        .request('buffer.open', { documentId, language: options.language ?? 'markdown' })
        .then((result) => {
          created.bufferId = result.bufferId;
          return result.bufferId;
        });
      // A failed open forgets the entry, so the next open tries again.
      created.opening.catch(() => {
        if (this.entries.get(documentId) === created) this.entries.delete(documentId);
      });
      this.entries.set(documentId, created);
      entry = created;
    } else if (options.role !== undefined && entry.role !== options.role) {
      this.setRole(documentId, options.role);
    }
    entry.holders++;
    let bufferId: BufferId;
    try {
      bufferId = await entry.opening;
    } catch (error) {
      entry.holders--;
      throw error;
    }
    return new EngineBuffer(this, documentId, bufferId, () => this.release(documentId, entry));
  }

  /** Tells the engine the person's role on `documentId` changed (a viewer's buffer refuses edits). */
  setRole(documentId: string, role: Role): void {
    const entry = this.entries.get(documentId);
    if (entry === undefined || entry.role === role) return;
    entry.role = role;
    this.sharing.setRole(documentId, role);
  }

  /** How many documents the engine has open for this page (for tests). */
  get openDocuments(): number {
    return this.entries.size;
  }

  /** Stops the engine. */
  close(): void {
    this.sharing.stop();
    this.client.close();
    this.terminate();
    this.entries.clear();
  }

  private release(documentId: string, entry: Entry): void {
    entry.holders--;
    if (entry.holders > 0 || this.entries.get(documentId) !== entry) return;
    this.entries.delete(documentId);
    const close = (bufferId: BufferId) =>
      void this.client.request('buffer.close', { bufferId }).catch(() => {});
    if (entry.bufferId !== null) close(entry.bufferId);
    else void entry.opening.then(close, () => {});
  }
}

/** One holder's handle on a document open in the engine. */
export class EngineBuffer {
  private closed = false;
  private readonly unsubscribers = new Set<() => void>();

  constructor(
    private readonly connection: EngineConnection,
    readonly documentId: string,
    readonly bufferId: BufferId,
    private readonly onClose: () => void,
  ) {}

  find(params: FindParams): Promise<EngineResult<'buffer.find'>> {
    return this.connection.client.request('buffer.find', { ...params, bufferId: this.bufferId });
  }

  replace(params: ReplaceParams): Promise<EngineResult<'buffer.replace'>> {
    return this.connection.client.request('buffer.replace', { ...params, bufferId: this.bufferId });
  }

  replaceAll(params: ReplaceAllParams): Promise<EngineResult<'buffer.replaceAll'>> {
    return this.connection.client.request('buffer.replaceAll', { ...params, bufferId: this.bufferId });
  }

  /** Undoes this page's last engine change (a replace or a replace-all), never anyone else's. */
  undo(): Promise<EngineResult<'buffer.undo'>> {
    return this.connection.client.request('buffer.undo', { bufferId: this.bufferId });
  }

  outline(language = 'markdown'): Promise<EngineResult<'buffer.outline'>> {
    return this.connection.client.request('buffer.outline', { bufferId: this.bufferId, language });
  }

  /** Lines `[from, to)` without their line breaks. */
  lines(from: number, to: number): Promise<EngineResult<'buffer.lines'>> {
    return this.connection.client.request('buffer.lines', { bufferId: this.bufferId, from, to });
  }

  read(): Promise<EngineResult<'buffer.read'>> {
    return this.connection.client.request('buffer.read', { bufferId: this.bufferId });
  }

  /** Calls `listener` after every change to the text (anyone's); returns a function that stops it. */
  onUpdate(listener: (update: BufferUpdate) => void): () => void {
    const off = this.connection.client.on('buffer.update', (params) => {
      if (params.bufferId === this.bufferId) listener(params);
    });
    this.unsubscribers.add(off);
    return () => {
      off();
      this.unsubscribers.delete(off);
    };
  }

  /** Lets go of the buffer; the engine closes it when its last holder has. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribers) off();
    this.unsubscribers.clear();
    this.onClose();
  }
}

/** A message for a person from an engine error (the engine's own message says what was wrong). */
export function describeEngineError(error: unknown): string {
  if (error instanceof EngineRequestError) {
    if (error.code === EngineErrorCode.InvalidPattern) {
      const reason = (error.data as { reason?: unknown } | undefined)?.reason;
      return `Invalid regular expression${typeof reason === 'string' ? `: ${reason}` : ''}`;
    }
    if (error.code === EngineErrorCode.ReadOnly) return 'You are a viewer here: replacing is not allowed.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

let shared: EngineConnection | null = null;

/** The page's one engine, started in a Worker on first use. */
export function engineConnection(): EngineConnection {
  shared ??= EngineConnection.inWorker();
  return shared;
}
