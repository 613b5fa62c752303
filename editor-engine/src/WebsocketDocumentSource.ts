// The sync-server DocumentSource: the engine joins as a stock y-websocket client, so OFB's permissions
// apply to it as to a browser.
import {
  CloseCode,
  type DocumentId,
  encodeSavedStateSubscription,
  MessageType,
  readAccess,
  readSavedState,
} from '@symphony/schemas';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { BindingStatus, DocumentBinding, DocumentSource, OpenOptions } from './DocumentSource.js';
import { EngineError } from './errors.js';

/** How the engine joins the sync-server. */
export interface WebsocketDocumentSourceOptions {
  /** The sync-server's y-websocket base, e.g. `ws://127.0.0.1:4321/yjs` (the document id is appended). */
  url: string;
  /** How long `buffer.open` waits for the first sync, in ms (10 s). */
  openTimeoutMs?: number;
  /**
   * How long to wait for the server's `[101, role]` after syncing before taking the role as
   * `editor` (a server without Symphony's extension never sends it), in ms (2 s).
   */
  roleTimeoutMs?: number;
  /** The WebSocket class (defaults to `ws`'s, for Node). */
  WebSocketPolyfill?: typeof globalThis.WebSocket;
}

/**
 * Joins the sync-server as a stock y-websocket client (`WebsocketProvider`, token in `?token=`), so
 * OFB's permissions apply to the engine exactly as to a browser. It opts into Symphony's `savedState`
 * (`[100]`) to be told its role (`[101, role]`), registers handlers for both on the provider, and
 * maps the server's close codes to protocol errors.
 */
export class WebsocketDocumentSource implements DocumentSource {
  readonly #options: WebsocketDocumentSourceOptions;

  constructor(options: WebsocketDocumentSourceOptions) {
    this.#options = options;
  }

  shareKey(documentId: DocumentId, options: OpenOptions): string {
    return `${this.#options.url}\u0000${documentId}\u0000${options.token ?? ''}`;
  }

  open(documentId: DocumentId, options: OpenOptions): Promise<DocumentBinding> {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(this.#options.url, documentId, doc, {
      params: options.token === undefined ? {} : { token: options.token },
      // ws's WebSocket has the same surface y-websocket uses; the DOM type differs only in typing.
      WebSocketPolyfill:
        this.#options.WebSocketPolyfill ?? (WebSocket as unknown as typeof globalThis.WebSocket),
      disableBc: true,
    });
    // The engine is not a person: no presence.
    provider.awareness.setLocalState(null);

    let status: BindingStatus = { connected: false, role: 'editor' };
    let roleKnown = false;
    let savedState: Uint8Array | undefined;
    const listeners = new Set<(status: BindingStatus) => void>();
    const setStatus = (next: BindingStatus) => {
      status = next;
      for (const listener of listeners) listener(status);
    };

    const savedListeners = new Set<(stateVector: Uint8Array) => void>();
    provider.messageHandlers[MessageType.savedState] = (_encoder, decoder) => {
      const stored = readSavedState(decoder);
      savedState = stored;
      for (const listener of savedListeners) listener(stored);
    };
    provider.messageHandlers[MessageType.access] = (_encoder, decoder) => {
      const role = readAccess(decoder);
      if (role === null) return;
      roleKnown = true;
      if (role !== status.role) setStatus({ ...status, role });
      settle();
    };
    provider.on('status', ({ status: state }) => {
      if (state === 'connected') provider.ws?.send(encodeSavedStateSubscription());
      const connected = state === 'connected';
      if (connected !== status.connected) setStatus({ ...status, connected });
    });
    let lastClose: { code: number; reason: string } | undefined;
    provider.on('connection-close', (event) => {
      if (event) lastClose = { code: event.code, reason: event.reason };
    });

    let settle = () => {};
    return new Promise<DocumentBinding>((resolve, reject) => {
      const binding: DocumentBinding = {
        doc,
        status: () => status,
        savedState: () => savedState,
        onSavedState: (listener) => {
          savedListeners.add(listener);
          return () => savedListeners.delete(listener);
        },
        onStatus: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        close: () => {
          listeners.clear();
          savedListeners.clear();
          provider.destroy();
          doc.destroy();
        },
      };
      let done = false;
      let roleTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error?: EngineError) => {
        if (done) return;
        done = true;
        clearTimeout(openTimer);
        clearTimeout(roleTimer);
        if (error) {
          binding.close();
          reject(error);
        } else resolve(binding);
      };
      settle = () => {
        if (provider.synced && roleKnown) finish();
      };
      provider.on('sync', (synced) => {
        if (!synced) return;
        settle();
        roleTimer ??= setTimeout(() => {
          roleKnown = true;
          settle();
        }, this.#options.roleTimeoutMs ?? 2000);
      });
      provider.on('closed', (event) => {
        const error = closeError(event.code, event.reason);
        if (!done) finish(error);
        else setStatus({ ...status, connected: false, error });
      });
      const openTimer = setTimeout(() => {
        const reason = lastClose
          ? `the sync-server closed the connection with ${lastClose.code} ${lastClose.reason}`.trim()
          : 'no answer from the sync-server';
        finish(
          new EngineError('SyncFailed', `could not sync document "${documentId}": ${reason}`, {
            ...(lastClose ? { closeCode: lastClose.code } : {}),
            reason,
          }),
        );
      }, this.#options.openTimeoutMs ?? 10_000);
    });
  }
}

/** The protocol error for a close code the server will not reconnect after. */
export function closeError(code: number, reason: string): EngineError {
  const data = { closeCode: code, reason };
  switch (code) {
    case CloseCode.Unauthenticated.code:
      return new EngineError(
        'Unauthorized',
        `the sync-server refused the token (${code}: ${reason}); sign in again`,
        data,
      );
    case CloseCode.TokenExpired.code:
      return new EngineError(
        'Unauthorized',
        `the token expired (${code}: ${reason}); refresh it and reopen`,
        data,
      );
    case CloseCode.Forbidden.code:
      return new EngineError(
        'Forbidden',
        `you are not a member of this document's workspace (${code}: ${reason})`,
        data,
      );
    case CloseCode.UnknownDocument.code:
      return new EngineError(
        'UnknownDocument',
        `the server knows no such document (${code}: ${reason})`,
        data,
      );
    default:
      return new EngineError(
        'SyncFailed',
        `the sync-server closed the connection (${code}: ${reason})`,
        data,
      );
  }
}
