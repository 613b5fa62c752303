// A StepContext for running a step outside the executor (tests, benchmarks), and an in-memory
// RunDocuments with the port's exactly-once contract.
import type { CallUsage, DocumentId, NodeId, RunId } from '@symphony/schemas';
import { RunErrorCode } from '@symphony/schemas';
import { type RunDocuments, type StepContext, StepError, type StepProgress, type StepValue } from './Step.js';

/** What a {@link stepContext} is made from; everything but `params` and `inputs` has a default. */
export interface StepContextInit {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly inputs?: Readonly<Record<string, readonly StepValue[]>>;
  readonly signal?: AbortSignal;
  readonly grants?: readonly string[];
  readonly documents?: RunDocuments;
  readonly runId?: string;
  readonly nodeId?: string;
  readonly attempt?: number;
}

/** A context for one attempt of one node; `progress` updates are collected on `reported`, usage on `usage`. */
export function stepContext(
  init: StepContextInit = {},
): StepContext & { readonly reported: StepProgress[]; readonly usage: CallUsage[] } {
  const runId = (init.runId ?? 'run_steptest0001') as RunId;
  const nodeId = (init.nodeId ?? 'node1') as NodeId;
  const attempt = init.attempt ?? 1;
  const reported: StepProgress[] = [];
  const usage: CallUsage[] = [];
  return {
    runId,
    nodeId,
    attempt,
    idempotencyKey: `${runId}/${nodeId}/${attempt}`,
    effectKey: `${runId}/${nodeId}`,
    params: init.params ?? {},
    inputs: init.inputs ?? {},
    signal: init.signal ?? new AbortController().signal,
    grants: init.grants ?? [],
    documents: init.documents,
    reported,
    usage,
    progress(update) {
      reported.push(update);
    },
    reportUsage(update) {
      usage.push(update);
    },
  };
}

/** RunDocuments in memory: texts by id, and the markers already written into each. */
export class MemoryRunDocuments implements RunDocuments {
  readonly texts = new Map<string, string>();
  readonly markers = new Map<string, Set<string>>();
  /** Every write that changed a document, in order. */
  readonly writes: { documentId: string; marker: string }[] = [];

  async read(documentId: DocumentId): Promise<string> {
    const text = this.texts.get(documentId);
    if (text === undefined) throw new StepError(RunErrorCode.documentFailed, `no document ${documentId}`);
    return text;
  }

  async write(
    documentId: DocumentId,
    edit: { readonly text: string; readonly mode: 'append' | 'replace'; readonly marker: string },
  ): Promise<{ applied: boolean }> {
    const markers = this.markers.get(documentId) ?? new Set<string>();
    if (markers.has(edit.marker)) return { applied: false };
    const before = this.texts.get(documentId) ?? '';
    this.texts.set(documentId, edit.mode === 'append' ? before + edit.text : edit.text);
    markers.add(edit.marker);
    this.markers.set(documentId, markers);
    this.writes.push({ documentId, marker: edit.marker });
    return { applied: true };
  }
}
