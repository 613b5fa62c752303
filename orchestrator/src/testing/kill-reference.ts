// The yardstick of the kill -9 test: the same workflow run once in this process, without kills and
// without the cache, on in-memory adapters, with the same (recording) steps.
import { MemoryArtifactStore, MemoryDagTracker, type RunState } from '@symphony/pit';
import type { NodeId, RunEvent, RunSource, Workflow } from '@symphony/schemas';
import { Executor } from '../executor/Executor.js';
import { MemoryRunDocuments } from '../steps/fake-context.js';
import type { Step } from '../steps/Step.js';
import { type EffectLine, recordingSteps, taggedLines } from './recording-steps.js';

/** What an uninterrupted run did. */
export interface ReferenceRun {
  /** Its final state: every node's outputs. */
  readonly state: RunState;
  /** The body of the line each write-document node wrote, by node. */
  readonly written: ReadonlyMap<NodeId, string>;
  /** Its effect lines. */
  readonly effects: readonly EffectLine[];
  /** Its journal. */
  readonly history: readonly RunEvent[];
  /** What it wrote, by document: the text and the effect markers. */
  readonly documents: ReadonlyMap<string, { readonly text: string; readonly markers: ReadonlySet<string> }>;
}

/** What {@link referenceRun} runs on. */
export interface ReferenceOptions {
  /** The real steps (`builtinSteps()`), wrapped here as the kill test's child wraps them. */
  readonly steps: ReadonlyMap<string, Step>;
  /** The folder its read-code nodes read from. */
  readonly grant: string;
  /** The delays' seed (delays do not change outputs; the same seed keeps the runs alike). */
  readonly seed: number;
}

const SOURCE: RunSource = {
  kind: 'file',
  path: 'reference.workflow.json',
  hash: '0'.repeat(64),
} as RunSource;

/**
 * Runs `workflow` once to the end with caching off, on a MemoryDagTracker, a MemoryArtifactStore
 * and MemoryRunDocuments: the outputs every interrupted run of it must end with.
 */
export async function referenceRun(workflow: Workflow, options: ReferenceOptions): Promise<ReferenceRun> {
  const effects: EffectLine[] = [];
  const documents = new MemoryRunDocuments();
  const tracker = new MemoryDagTracker();
  const store = new MemoryArtifactStore();
  const executor = new Executor({
    tracker,
    store,
    steps: recordingSteps(options.steps, {
      seed: options.seed,
      sink: { append: async (line) => void effects.push(line) },
    }),
    documents,
    logger: { warn: () => {}, error: () => {} },
  });
  try {
    const handle = await executor.start({
      workflow,
      source: SOURCE,
      options: { cache: false, grants: [options.grant] },
    });
    const state = await handle.done;
    const written = new Map<NodeId, string>();
    for (const text of documents.texts.values())
      for (const line of taggedLines(text))
        if (line.runId === state.runId) written.set(line.nodeId, line.body);
    const texts = new Map<string, { text: string; markers: ReadonlySet<string> }>();
    for (const [id, text] of documents.texts)
      texts.set(id, { text, markers: documents.markers.get(id) ?? new Set() });
    return { state, written, effects, history: await tracker.history(state.runId), documents: texts };
  } finally {
    await executor.close();
    await Promise.all([tracker.close(), store.close()]);
  }
}
