// Effect markers: the map beside a document's text where edits that must happen once record their
// marker, and the wait until the sync-server has durably stored a replica's changes.
import { EFFECT_MARKERS_NAME, type EffectRecord } from '@symphony/schemas';
import * as Y from 'yjs';
import type { DocumentBinding } from './DocumentSource.js';
import { EngineError } from './errors.js';

/** An effect to record with an edit: its marker and when the engine applied it. */
export interface Effect {
  readonly marker: string;
  /** Milliseconds since the epoch, from the engine's clock. */
  readonly at: number;
}

/**
 * The document's marker map (`symphony-effects`). It is a separate shared type from the text, so
 * undo managers scoped to the text (the engine's per caller, the client's per person) never track
 * or revert a marker.
 */
export function effectMarkers(doc: Y.Doc): Y.Map<EffectRecord> {
  return doc.getMap<EffectRecord>(EFFECT_MARKERS_NAME);
}

/** Whether the document already carries `marker`. */
export function hasEffect(doc: Y.Doc, marker: string): boolean {
  return effectMarkers(doc).has(marker);
}

/** Records `effect` in the document; call inside the transaction that makes the effect's edits. */
export function recordEffect(doc: Y.Doc, effect: Effect): void {
  effectMarkers(doc).set(effect.marker, { at: effect.at });
}

/** 10 s: long enough for a loaded server's append and fsync, short enough for a caller to retry. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

/**
 * Resolves once the binding's far side has said it durably stored everything the replica holds
 * now (its `savedState` covers the replica's state vector): `true`. A binding that reports no
 * storage resolves `false` at once. Rejects with `SyncFailed` on timeout or when the link drops
 * while waiting (the changes are then re-sent on reconnection; ask again), and with the binding's
 * own error when the far side closed it for good.
 */
export function whenStored(binding: DocumentBinding, timeoutMs: number): Promise<boolean> {
  const { savedState, onSavedState } = binding;
  if (savedState === undefined || onSavedState === undefined) return Promise.resolve(false);
  const target = Y.decodeStateVector(Y.encodeStateVector(binding.doc));
  const covered = (saved: Uint8Array | undefined): boolean => {
    if (saved === undefined) return false;
    const stored = Y.decodeStateVector(saved);
    for (const [client, clock] of target) if ((stored.get(client) ?? 0) < clock) return false;
    return true;
  };
  const status = binding.status();
  if (status.error) return Promise.reject(status.error);
  if (covered(savedState.call(binding))) return Promise.resolve(true);
  if (!status.connected) return Promise.reject(notConnected('is not connected to the sync-server'));
  return new Promise<boolean>((resolve, reject) => {
    const stops: (() => void)[] = [];
    const finish = (error?: EngineError) => {
      clearTimeout(timer);
      for (const stop of stops) stop();
      if (error) reject(error);
      else resolve(true);
    };
    const timer = setTimeout(
      () =>
        finish(
          new EngineError(
            'SyncFailed',
            `the sync-server did not report storing the changes within ${timeoutMs} ms; flush again, or reopen the buffer`,
            { reason: 'flush timed out' },
          ),
        ),
      timeoutMs,
    );
    stops.push(
      onSavedState.call(binding, (saved) => {
        if (covered(saved)) finish();
      }),
    );
    stops.push(
      binding.onStatus((next) => {
        if (next.error) finish(next.error);
        else if (!next.connected) finish(notConnected('lost the sync-server before it stored the changes'));
      }),
    );
  });
}

function notConnected(what: string): EngineError {
  return new EngineError(
    'SyncFailed',
    `the buffer ${what}; the changes are sent again when it reconnects, so flush again`,
    { reason: 'disconnected' },
  );
}
