// The editor engine's core: buffers shared by every connection, one EngineSession per caller that parses
// and dispatches its JSON-RPC requests.
import {
  BufferId,
  EDITOR_ENGINE_PROTOCOL_VERSION,
  EditorEngineLimits,
  type EngineMethod,
  type EngineNotification,
  type EngineNotificationParams,
  EngineNotifications,
  type EngineParsedParams,
  EngineRequests,
  type EngineResult,
  type Token,
} from '@symphony/schemas';
import type { z } from 'zod';
import type { DocumentSource } from './DocumentSource.js';
import { DEFAULT_FLUSH_TIMEOUT_MS } from './effects.js';
import { EngineError, unknownBuffer } from './errors.js';
import { flattenOutline, type LanguagePlugin, languageFor } from './languages/index.js';
import { type Caller, TextBuffer } from './TextBuffer.js';

/**
 * Texts from this size on are parsed in slices before tokens or an outline are taken from them:
 * 64 K characters parse in about 25 ms, beyond which other callers would notice the wait.
 */
const SLICED_PARSE_CHARS = 64 * 1024;

/** Something worth logging: a plugin that failed, a message that could not be answered. */
export interface EngineLogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  [key: string]: unknown;
}

/** How an engine is set up. */
export interface EditorEngineOptions {
  /** Where `buffer.open` gets documents. */
  source: DocumentSource;
  /** Languages for `buffer.tokens` / `buffer.outline`. */
  languages?: readonly LanguagePlugin[];
  /** Sink for failures that have no caller to answer (defaults to dropping them). */
  log?: (entry: EngineLogEntry) => void;
  /** The clock effect markers are stamped with, in ms since the epoch (defaults to `Date.now`). */
  now?: () => number;
}

/** Sends one notification to a connected caller. */
export type NotifySink = <N extends EngineNotification>(
  method: N,
  params: EngineNotificationParams<N>,
) => void;

/**
 * The engine core: buffers shared by every connection, one {@link EngineSession} per connection.
 * Transports only move text; all checking and all state live here.
 */
export class EditorEngine {
  readonly #source: DocumentSource;
  readonly #languages: LanguagePlugin[];
  readonly #disabled = new Set<LanguagePlugin>();
  readonly log: (entry: EngineLogEntry) => void;
  /** The clock effect markers are stamped with. */
  readonly now: () => number;
  readonly #buffers = new Map<string, TextBuffer>();
  readonly #opening = new Map<string, Promise<TextBuffer>>();
  #nextBuffer = 1;

  constructor(options: EditorEngineOptions) {
    this.#source = options.source;
    this.#languages = [...(options.languages ?? [])];
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
  }

  /** A new caller; `notify` receives its notifications. */
  connect(notify: NotifySink): EngineSession {
    return new EngineSession(this, notify);
  }

  /** Closes every buffer. */
  close(): void {
    for (const buffer of this.#buffers.values()) buffer.destroy();
    this.#buffers.clear();
  }

  /** Open buffers (for tests and health checks). */
  get bufferCount(): number {
    return this.#buffers.size;
  }

  languages(): { id: string; extensions: string[] }[] {
    return this.#languages
      .filter((l) => !this.#disabled.has(l))
      .map((l) => ({ id: l.id, extensions: [...l.extensions] }));
  }

  /** @internal Opens (or shares) the buffer for a document. */
  async open(params: EngineParsedParams<'buffer.open'>): Promise<TextBuffer> {
    const options = params.token === undefined ? {} : { token: params.token };
    const key = this.#source.shareKey(params.documentId, options);
    const open = this.#buffers.get(key);
    if (open) return open;
    const pending = this.#opening.get(key);
    if (pending) return pending;
    const opening = this.#source.open(params.documentId, options).then((binding) => {
      const buffer = new TextBuffer(BufferId.parse(`b${this.#nextBuffer++}`), key, binding, params.language);
      this.#buffers.set(key, buffer);
      return buffer;
    });
    this.#opening.set(key, opening);
    try {
      return await opening;
    } finally {
      this.#opening.delete(key);
    }
  }

  /** @internal Called when a caller leaves a buffer; the last one closes it. */
  release(buffer: TextBuffer, caller: Caller): void {
    if (buffer.detach(caller)) {
      buffer.destroy();
      this.#buffers.delete(buffer.key);
    }
  }

  /** @internal Runs a language plugin through the guard: a throwing plugin is reported and disabled. */
  language(buffer: TextBuffer, requested: string | undefined): LanguagePlugin | undefined {
    const enabled = this.#languages.filter((l) => !this.#disabled.has(l));
    return languageFor(requested ?? buffer.language ?? 'markdown', enabled);
  }

  /**
   * @internal Parses a large text in slices before a plugin's synchronous call (see
   * {@link LanguagePlugin.prepare}); small texts parse faster than a slice and skip it.
   */
  async prepare(
    plugin: LanguagePlugin,
    what: string,
    text: string,
    range: { from: number; to: number } | undefined,
  ): Promise<void> {
    if (!plugin.prepare || text.length < SLICED_PARSE_CHARS) return;
    try {
      await plugin.prepare(text, range);
    } catch (error) {
      this.guard(plugin, what, () => {
        throw error;
      });
    }
  }

  /** @internal */
  guard<T>(plugin: LanguagePlugin, what: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      this.#disabled.add(plugin);
      this.log({
        level: 'error',
        message: `language plugin ${plugin.id} failed in ${what}; disabled`,
        error: String(error),
      });
      throw new EngineError(
        'InternalError',
        `the ${plugin.id} language plugin failed and was disabled: ${String(error)}`,
      );
    }
  }
}

type Handler = (params: never) => unknown;

/**
 * One caller: a connection's open buffers, and the dispatch of its requests. Every request's params
 * are parsed by the method's zod schema before anything else happens.
 */
export class EngineSession implements Caller {
  readonly origin: object = {};
  readonly #engine: EditorEngine;
  readonly #notify: NotifySink;
  readonly #buffers = new Map<string, TextBuffer>();
  #closed = false;

  constructor(engine: EditorEngine, notify: NotifySink) {
    this.#engine = engine;
    this.#notify = notify;
  }

  notify<N extends EngineNotification>(method: N, params: EngineNotificationParams<N>): void {
    if (!this.#closed) this.#notify(method, params);
  }

  /** Answers one request, or throws an {@link EngineError}. */
  handle(method: string, params: unknown): unknown {
    if (!Object.hasOwn(EngineRequests, method)) {
      throw new EngineError(
        'MethodNotFound',
        `unknown method "${method.slice(0, 100)}"; engine.hello lists the methods`,
        method.slice(0, 100),
      );
    }
    const name = method as EngineMethod;
    const schema: z.ZodType = EngineRequests[name].params;
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 20).map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      }));
      const first = issues[0];
      throw new EngineError(
        'InvalidParams',
        `invalid params for ${name}: ${first ? `${first.path || 'params'}: ${first.message}` : 'rejected'}`,
        { method: name, issues },
      );
    }
    const handler = this.#handlers[name] as Handler;
    return handler(parsed.data as never);
  }

  /** Leaves every buffer (the connection ended). */
  close(): void {
    this.#closed = true;
    for (const buffer of this.#buffers.values()) this.#engine.release(buffer, this);
    this.#buffers.clear();
  }

  #buffer(bufferId: string): TextBuffer {
    const buffer = this.#buffers.get(bufferId);
    if (!buffer) throw unknownBuffer(bufferId);
    return buffer;
  }

  readonly #handlers: {
    [M in EngineMethod]: (params: EngineParsedParams<M>) => EngineResult<M> | Promise<EngineResult<M>>;
  } = {
    'engine.hello': () => ({
      name: 'symphony-editor-engine',
      protocolVersion: EDITOR_ENGINE_PROTOCOL_VERSION,
      methods: Object.keys(EngineRequests),
      notifications: Object.keys(EngineNotifications),
      limits: { ...EditorEngineLimits },
      languages: this.#engine.languages(),
    }),
    'buffer.open': async (p) => {
      const buffer = await this.#engine.open(p);
      if (this.#closed) {
        // Another caller may be attaching in the same tick; close the buffer only if none did.
        setTimeout(() => {
          if (buffer.callerCount === 0) this.#engine.release(buffer, this);
        }, 0);
        throw new EngineError('SyncFailed', 'the connection closed while the buffer was opening', {
          reason: 'caller gone',
        });
      }
      buffer.attach(this, p.updates !== 'others');
      if (p.language !== undefined) buffer.language = p.language;
      this.#buffers.set(buffer.id, buffer);
      const status = buffer.status();
      return {
        bufferId: buffer.id,
        revision: buffer.revision,
        length: buffer.length,
        lineCount: buffer.lineCount,
        role: status.role,
      };
    },
    'buffer.close': (p) => {
      const buffer = this.#buffer(p.bufferId);
      this.#buffers.delete(p.bufferId);
      this.#engine.release(buffer, this);
      return { closed: true };
    },
    'buffer.read': (p) => this.#buffer(p.bufferId).read(p.range),
    'buffer.lineCount': (p) => {
      const b = this.#buffer(p.bufferId);
      return { lineCount: b.lineCount, length: b.length, revision: b.revision };
    },
    'buffer.lines': (p) => this.#buffer(p.bufferId).lines(p.from, p.to),
    'buffer.edit': (p) =>
      this.#buffer(p.bufferId).edit(
        this,
        p.edits,
        p.baseRevision,
        p.marker === undefined ? undefined : { marker: p.marker, at: this.#engine.now() },
      ),
    'buffer.flush': (p) => this.#buffer(p.bufferId).flush(p.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS),
    'buffer.undo': (p) => this.#buffer(p.bufferId).undo(this),
    'buffer.redo': (p) => this.#buffer(p.bufferId).redo(this),
    'buffer.find': (p) => this.#buffer(p.bufferId).find(p),
    'buffer.replace': (p) => this.#buffer(p.bufferId).replace(this, p),
    'buffer.replaceAll': (p) => this.#buffer(p.bufferId).replaceAll(this, p),
    'buffer.setSelections': (p) => this.#buffer(p.bufferId).setSelections(this, p.selections),
    'buffer.selections': (p) => this.#buffer(p.bufferId).selections(this),
    'buffer.tokens': async (p) => {
      const buffer = this.#buffer(p.bufferId);
      const range = p.range ? buffer.read(p.range) : undefined;
      const plugin = this.#engine.language(buffer, p.language);
      if (!plugin) return { language: null, tokens: [], revision: buffer.revision };
      const text = buffer.text;
      const revision = buffer.revision;
      const bounds = range ? { from: range.from, to: range.to } : undefined;
      await this.#engine.prepare(plugin, 'tokens', text, bounds);
      const raw = this.#engine.guard(plugin, 'tokens', () => plugin.tokens(text, bounds));
      const tokens: Token[] = [];
      for (const t of raw) {
        if (range && (t.to <= range.from || t.from >= range.to)) continue;
        tokens.push({ from: t.from, to: t.to, type: t.type });
      }
      return { language: plugin.id, tokens, revision };
    },
    'buffer.outline': async (p) => {
      const buffer = this.#buffer(p.bufferId);
      const plugin = this.#engine.language(buffer, p.language);
      if (!plugin) return { language: null, items: [], revision: buffer.revision };
      const text = buffer.text;
      const revision = buffer.revision;
      await this.#engine.prepare(plugin, 'outline', text, undefined);
      const raw = this.#engine.guard(plugin, 'outline', () => plugin.outline(text));
      return { language: plugin.id, items: flattenOutline(raw), revision };
    },
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
