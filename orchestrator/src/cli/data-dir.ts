// Where the CLI keeps runs and artifacts (`--data-dir`, `SYMPHONY_DATA_DIR`, `.symphony`), and
// opening them: to read only (listing never creates or repairs anything) or to execute runs. The
// Pit and the executor are loaded when first opened, so usage texts that name the options load neither.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArtifactStore, DagTracker } from '@symphony/pit';
import type { Executor } from '../executor/Executor.js';
import type { ExecutorLogger } from '../executor/options.js';
import type { RunDocuments } from '../steps/Step.js';
import { type CliIo, cwdOf } from './io.js';

/** The folders of one data dir. */
export interface DataPaths {
  readonly root: string;
  /** The run journal (FileDagTracker) and the run claims beside it. */
  readonly runs: string;
  /** The FsArtifactStore. */
  readonly artifacts: string;
}

/** The data dir: `--data-dir`, else `SYMPHONY_DATA_DIR`, else `.symphony` in the working folder. */
export function dataPaths(option: string | undefined, io: CliIo): DataPaths {
  const root = resolve(cwdOf(io), option ?? (io.env.SYMPHONY_DATA_DIR || '.symphony'));
  return { root, runs: join(root, 'runs'), artifacts: join(root, 'artifacts') };
}

/** The `--data-dir` option every run, runs and artifacts command takes. */
export const dataDirOption = { 'data-dir': { type: 'string' } } as const;
/** The usage line of {@link dataDirOption}. */
export const dataDirHelp =
  '  --data-dir DIR      where runs and artifacts are kept (default $SYMPHONY_DATA_DIR or .symphony)';

/** Where journal warnings and executor messages go. */
export type WarningSink = (message: string) => void;

/** The journal, to read; undefined when no run was ever recorded here (nothing is created). */
export async function readJournal(paths: DataPaths, warn: WarningSink): Promise<DagTracker | undefined> {
  if (!existsSync(paths.runs)) return undefined;
  const { FileDagTracker } = await import('@symphony/pit');
  return FileDagTracker.open(paths.runs, { onWarning: (message) => warn(message) });
}

/** The artifact store, opened read-only; undefined when nothing was ever stored here. */
export async function readStore(paths: DataPaths): Promise<ArtifactStore | undefined> {
  if (!existsSync(paths.artifacts)) return undefined;
  const { FsArtifactStore } = await import('@symphony/pit');
  return FsArtifactStore.open(paths.artifacts, { readOnly: true });
}

/** An executor on a data dir's journal and store, with the built-in steps. */
export interface Engine {
  readonly executor: Executor;
  readonly tracker: DagTracker;
  readonly store: ArtifactStore;
  /** Closes the executor (runs still executing stay resumable), the journal, the store and the documents. */
  close(): Promise<void>;
}

/** Opens (creating) a data dir's journal and store and an executor over them. */
export async function openEngine(
  paths: DataPaths,
  options: {
    readonly warn: WarningSink;
    readonly documents?: RunDocuments & { close?(): Promise<void> };
    /** Whose extensions and instruments (`$SYMPHONY_CONFIG_DIR`…), and where `${workspace}` is. */
    readonly env: NodeJS.ProcessEnv;
    readonly workspaceDir: string;
  },
): Promise<Engine> {
  const { FileDagTracker, FsArtifactStore } = await import('@symphony/pit');
  const tracker = await FileDagTracker.open(paths.runs, { onWarning: (message) => options.warn(message) });
  let store: ArtifactStore;
  try {
    store = await FsArtifactStore.open(paths.artifacts);
  } catch (error) {
    await tracker.close();
    throw error;
  }
  const logger: ExecutorLogger = {
    warn: (message) => options.warn(message),
    error: (message) => options.warn(message),
  };
  // Loaded here, not at the top: listing runs never pays for the steps' libraries.
  const [{ Executor }, { builtinSteps }, { openRunExtensions }] = await Promise.all([
    import('../executor/Executor.js'),
    import('../steps/index.js'),
    import('./run-extensions.js'),
  ]);
  let extensions: Awaited<ReturnType<typeof openRunExtensions>>;
  try {
    extensions = await openRunExtensions(paths, options);
  } catch (error) {
    await Promise.allSettled([tracker.close(), store.close()]);
    throw error;
  }
  let executor: InstanceType<typeof Executor>;
  try {
    const steps = new Map(builtinSteps(extensions.remote ? { remote: extensions.remote } : {}));
    for (const step of extensions.steps) steps.set(step.type, step);
    executor = new Executor({
      tracker,
      store,
      steps,
      library: extensions.library,
      logger,
      runsDir: paths.runs,
      ...(options.documents === undefined ? {} : { documents: options.documents }),
    });
  } catch (error) {
    await Promise.allSettled([extensions.close(), tracker.close(), store.close()]);
    throw error;
  }
  return {
    executor,
    tracker,
    store,
    async close() {
      await executor.close();
      await Promise.allSettled([
        extensions.close(),
        tracker.close(),
        store.close(),
        options.documents?.close?.(),
      ]);
    },
  };
}
