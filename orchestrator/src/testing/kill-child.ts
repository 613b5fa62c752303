// The process the kill -9 test kills: an executor on the embedded adapters (FileDagTracker,
// FsArtifactStore) in a data folder, the built-in steps wrapped by `recordingSteps`, and documents
// through an editor engine in a worker of this process. Each start resumes what a killed
// predecessor left, or starts the run it was given, and runs it to the end.
import { join } from 'node:path';
import { FileDagTracker, FsArtifactStore } from '@symphony/pit';
import { RunId } from '@symphony/schemas';
import { z } from 'zod';
import { EngineDocuments } from '../documents/EngineDocuments.js';
import { startEngine } from '../documents/start-engine.js';
import { Executor, type RunHandle } from '../executor/Executor.js';
import { parseArgs } from '../executor/errors.js';
import type { ExecutorLogger } from '../executor/options.js';
import { QuickJsExpressionSandbox } from '../sandbox/QuickJsExpressionSandbox.js';
import { loadWorkflowFile } from '../sources/workflow-file.js';
import { builtinSteps } from '../steps/index.js';
import type { Step } from '../steps/Step.js';
import { FileEffectLog, recordingSteps } from './recording-steps.js';

/** What a kill-test child is told, as JSON on its command line. */
export const KillChildArgs = z.object({
  /** The data folder: `runs/` (journal and claims), `artifacts/`, `effects.ndjson`. */
  dir: z.string().min(1),
  /** The team server's y-websocket base, e.g. `ws://127.0.0.1:4321/yjs`. */
  syncUrl: z.string().regex(/^wss?:\/\//),
  /** The OFB token the engine opens documents with. */
  token: z.string().min(1).optional(),
  /** The run to see to the end: resumed when its journal has a record, started otherwise. */
  runId: RunId,
  /** The workflow export file it starts the run from. */
  workflowFile: z.string().min(1),
  /** The folder the run may read files from (its read-code nodes' sources). */
  grant: z.string().min(1),
  /** Seeds the steps' delays. */
  seed: z.number().int(),
});
export type KillChildArgs = z.input<typeof KillChildArgs>;

/**
 * The built-in steps as the kill test runs them: the real ones, with an expression sandbox whose
 * time budgets are 30 s a call and 5 s an item instead of 1 s and 250 ms. The sandbox counts wall
 * time, including the time it has yielded the thread to other steps (a Prettier format, a wink
 * analysis), so on a loaded machine a trivial `map` can fail its budget; the kill test is about
 * kills, not about that (reported to be fixed in the sandbox), and the outputs are the same.
 */
export function killTestSteps(): ReadonlyMap<string, Step> {
  return builtinSteps({ sandbox: new QuickJsExpressionSandbox({ budgetMs: 30_000, itemBudgetMs: 5_000 }) });
}

/** What a child says, one JSON line each, as it happens (a test kills it on some of them). */
export type KillFact =
  /** Everything is loaded and the data folder is about to be opened. */
  | { readonly kind: 'ready'; readonly pid: number }
  /** The artifact store was opened: what it cleaned up after a crash. */
  | { readonly kind: 'store'; readonly removedTemps: number; readonly tornBytes: number }
  /** A journal record is durable (through this process). */
  | { readonly kind: 'record'; readonly type: string; readonly nodeId?: string }
  /** A step's effect line is durable; the step has not returned yet. */
  | { readonly kind: 'effect'; readonly nodeId: string; readonly attempt: number }
  /** The journal had to be cut (a torn last record), or the executor warned or complained. */
  | { readonly kind: 'log'; readonly level: 'journal' | 'warn' | 'error'; readonly message: string }
  /** A run handled here finished. */
  | { readonly kind: 'finished'; readonly runId: string; readonly status: string }
  /** Everything is closed; the process exits by itself now. */
  | { readonly kind: 'closed' };

/**
 * Runs one life of a kill-test child: opens the data folder, `resumeAll()`, starts `runId` when
 * no record of it survived, waits for every run it handles to finish, closes everything. Each
 * step of interest is announced through `say` before the child goes on.
 */
export async function runKillChild(input: KillChildArgs, say: (fact: KillFact) => void): Promise<void> {
  const args = parseArgs('runKillChild', KillChildArgs, input);
  say({ kind: 'ready', pid: process.pid });
  const runsDir = join(args.dir, 'runs');
  const logger: ExecutorLogger = {
    warn: (message) => say({ kind: 'log', level: 'warn', message }),
    error: (message) => say({ kind: 'log', level: 'error', message }),
  };
  const tracker = await FileDagTracker.open(runsDir, {
    onWarning: (message) => say({ kind: 'log', level: 'journal', message }),
  });
  const store = await FsArtifactStore.open(join(args.dir, 'artifacts'));
  say({ kind: 'store', ...store.recovered });
  const effects = await FileEffectLog.open(join(args.dir, 'effects.ndjson'));
  const documents = new EngineDocuments({
    connect: () => startEngine({ syncUrl: args.syncUrl }),
    ...(args.token === undefined ? {} : { token: args.token }),
  });
  const steps = recordingSteps(killTestSteps(), {
    seed: args.seed,
    sink: effects,
    onEffect: (line) => say({ kind: 'effect', nodeId: line.nodeId, attempt: line.attempt }),
  });
  const executor = new Executor({
    tracker,
    store,
    steps,
    documents,
    logger,
    runsDir,
    newRunId: () => args.runId,
  });
  tracker.subscribe((event) =>
    say({
      kind: 'record',
      type: event.type,
      ...('nodeId' in event && event.nodeId ? { nodeId: event.nodeId } : {}),
    }),
  );
  const handles: RunHandle[] = await executor.resumeAll();
  if ((await tracker.history(args.runId)).length === 0) {
    const { workflow, source } = await loadWorkflowFile(args.workflowFile);
    handles.push(await executor.start({ workflow, source, options: { grants: [args.grant] } }));
  }
  for (const handle of handles) {
    const state = await handle.done;
    say({ kind: 'finished', runId: handle.runId, status: state.status });
  }
  await executor.close();
  await documents.close();
  await Promise.all([tracker.close(), store.close(), effects.close()]);
  say({ kind: 'closed' });
}
