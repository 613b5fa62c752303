// What a run may call beyond the built-in steps: the user's enabled extensions (their node types and
// sandboxed processes) and configured AI instruments (routed, limited, pooled, sandboxed). Opened
// only when there is something to open, so a run with neither starts nothing.
import type { ArbitrationEngine, FileRouterStore, PoolManager } from '@symphony/pit';
import type { InstrumentConfig, NodeTypeSpec } from '@symphony/schemas';
import type { ExtensionHost } from '../extensions/ExtensionHost.js';
import type { ExtensionProcess } from '../extensions/ExtensionProcess.js';
import type { InstrumentProcess } from '../instrument-calls/InstrumentCalls.js';
import type { RemoteInstruments } from '../steps/remote-instruments.js';
import type { Step } from '../steps/Step.js';
import type { DataPaths, WarningSink } from './data-dir.js';

/** The extensions and instruments of one engine. */
export interface RunExtensions {
  /** The node library with the enabled extensions' node types. */
  readonly library: ReadonlyMap<string, NodeTypeSpec>;
  /** The enabled extensions' steps. */
  readonly steps: readonly Step[];
  /** The configured instruments; undefined when none is configured. */
  readonly remote: RemoteInstruments | undefined;
  /** Drains the pools (ending every extension process) and makes the router's log durable. */
  close(): Promise<void>;
}

/** Where the user's extensions and instruments are found. */
export interface RunExtensionsOptions {
  readonly env: NodeJS.ProcessEnv;
  /** What `${workspace}` means in an extension's grants: the folder the command runs in. */
  readonly workspaceDir: string;
  readonly warn: WarningSink;
}

/** How long a closing engine waits for busy extension processes before it ends them. */
const DRAIN_MS = 5_000;

/** Opens the enabled extensions and configured instruments of the user `options.env` names. */
export async function openRunExtensions(
  paths: DataPaths,
  options: RunExtensionsOptions,
): Promise<RunExtensions> {
  const [{ ExtensionRegistry }, { configDir }, { instrumentsPath, readInstruments }, schemas] =
    await Promise.all([
      import('../registry/ExtensionRegistry.js'),
      import('./session-file.js'),
      import('../instruments/config-file.js'),
      import('@symphony/schemas'),
    ]);
  const extensions = await new ExtensionRegistry(configDir(options.env)).enabled(options.warn);
  const { instruments } = await readInstruments(instrumentsPath(options.env));
  if (extensions.length === 0 && instruments.length === 0) {
    return { library: schemas.NodeLibrary, steps: [], remote: undefined, close: async () => {} };
  }
  const library = schemas.nodeLibraryWith(extensions.map((e) => e.manifest));
  const [{ ExtensionHost }, { describeIsolation }, pit, { FileCredentialStore }, { extensionSteps }] =
    await Promise.all([
      import('../extensions/ExtensionHost.js'),
      import('../extensions/sandbox/isolation.js'),
      import('@symphony/pit'),
      import('../credentials/FileCredentialStore.js'),
      import('../extensions/ExtensionStep.js'),
    ]);
  const credentials = FileCredentialStore.forEnv(options.env);
  const host = new ExtensionHost({
    credentials: (name) => credentials.get(name),
    workspaceDir: options.workspaceDir,
    env: options.env,
    // A grant of the project must not open the runs and artifacts to writes, nor the keys at all.
    protect: { code: [paths.root], secret: [configDir(options.env)] },
  });
  const isolation = await host.isolation;
  if (isolation === schemas.IsolationLevel.reduced) options.warn(describeIsolation(isolation));
  const pools = new pit.PoolManager({
    onError: (error, context) => options.warn(`${context.kind}: ${context.during}: ${messageOf(error)}`),
  });
  const steps = extensions.flatMap((extension) => {
    const pool = pools.pool<ExtensionProcess>({
      kind: `extension:${extension.manifest.id}`,
      factory: {
        create: () => host.start({ manifest: extension.manifest, folder: extension.folder }),
        destroy: (process) => process.close(),
        healthy: (process) => process.alive,
      },
      max: 4,
      idleTimeoutMs: 5 * 60_000,
    });
    return extensionSteps(
      extension.manifest,
      (signal) => pool.acquire(signal),
      (process, broken) => pool.release(process, broken || !process.alive),
    );
  });
  let router: { engine?: ArbitrationEngine; store: FileRouterStore } | undefined;
  let remote: RemoteInstruments | undefined;
  /** Ends everything opened so far, each part whatever the others do. */
  const close = async () => {
    await pools.drain(DRAIN_MS).catch((error: unknown) => options.warn(messageOf(error)));
    await host.close().catch((error: unknown) => options.warn(messageOf(error)));
    if (router) {
      await router.engine?.flush().catch((error: unknown) => options.warn(messageOf(error)));
      await router.store.close().catch((error: unknown) => options.warn(messageOf(error)));
    }
  };
  try {
    if (instruments.length > 0) {
      const store = await pit.FileRouterStore.open(routerFolder(paths), { onWarning: options.warn });
      router = { store };
      const engine = await pit.ArbitrationEngine.open({
        store,
        onError: (error) => options.warn(`the router could not record an outcome: ${messageOf(error)}`),
      });
      router.engine = engine;
      remote = await instrumentCalls(instruments, engine, pools, host, new pit.TokenBucketLimiter());
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { library, steps, remote, close };
}

/** `<data dir>/router`: the router's log, beside the runs it learned from. */
function routerFolder(paths: DataPaths): string {
  return `${paths.root}/router`;
}

/** The remote instruments over the host: each call on a pooled, sandboxed instrument process. */
async function instrumentCalls(
  instruments: readonly InstrumentConfig[],
  router: ArbitrationEngine,
  pools: PoolManager,
  host: ExtensionHost,
  limiter: import('@symphony/pit').TokenBucketLimiter,
): Promise<RemoteInstruments> {
  const [{ InstrumentCalls }, { instrumentExtension }, { toStepError }] = await Promise.all([
    import('../instrument-calls/InstrumentCalls.js'),
    import('../instruments/builtin.js'),
    import('../extensions/ExtensionStep.js'),
  ]);
  return new InstrumentCalls({
    instruments,
    router,
    limiter,
    pools,
    start: async (instrument): Promise<InstrumentProcess> => {
      const process = await host.start(instrumentExtension(instrument)).catch((error: unknown) => {
        throw toStepError(error);
      });
      return {
        get alive() {
          return process.alive;
        },
        close: () => process.close(),
        call: (run, callOptions) =>
          process
            .call(
              {
                ...run,
                params: { ...run.params },
                inputs: Object.fromEntries(Object.entries(run.inputs).map(([k, v]) => [k, [...v]])),
              },
              { signal: callOptions.signal, onProgress: callOptions.onProgress },
            )
            .catch((error: unknown) => {
              throw toStepError(error);
            }),
      };
    },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
