// The extension host: finds out how well this machine can isolate extensions, and starts each one in
// its own process with its grants resolved.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { LookupFunction } from 'node:net';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExtensionFailure, type ExtensionManifest, IsolationLevel } from '@symphony/schemas';
import { ExtensionProcess } from './ExtensionProcess.js';
import { ExtensionCallError } from './errors.js';
import { GrantError, isInside, type ProtectedFolders, resolveGrants } from './sandbox/grants.js';
import { detectIsolation } from './sandbox/isolation.js';
import type { LaunchSpec } from './sandbox/launch.js';

/** An extension to start: its manifest, its folder, and whether it is one of Symphony's own. */
export interface HostedExtension {
  readonly manifest: ExtensionManifest;
  /** The folder holding `symphony-extension.json` and the entry. */
  readonly folder: string;
  /**
   * Symphony's own (its instruments, started from its own package): allowed its network grant in
   * reduced isolation, where third-party extensions with one are refused.
   */
  readonly builtin?: boolean;
  /** Settings handed to `extension.init`. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** Whether an extension may run here. */
export type ExtensionCheck =
  | { readonly ok: true; readonly isolation: IsolationLevel }
  | { readonly ok: false; readonly reason: ExtensionFailure; readonly message: string };

/** How the host is set up. */
export interface ExtensionHostOptions {
  /** Found out by trying bubblewrap when absent (see `detectIsolation`). */
  readonly isolation?: IsolationLevel;
  /** The user's credential store: a credential's value by name, undefined when unset. */
  readonly credentials: (name: string) => Promise<string | undefined>;
  /** What `${workspace}` in a grant means. */
  readonly workspaceDir: string;
  /** What `~/` in a grant means; the user's home by default. */
  readonly homeDir?: string;
  /**
   * Folders the runtime loads code from, mounted read-only; by default its own package and the
   * packages it imports (with the `node_modules` folders they resolve through).
   */
  readonly runtimeNodeModules?: readonly string[];
  /** Where granted environment variables get their values; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** The node binary; `process.execPath` by default (Node ≥ 22: `--permission`). */
  readonly node?: string;
  readonly startTimeoutMs?: number;
  /** Name resolution of the fetch proxy (tests inject one). */
  readonly lookup?: LookupFunction;
  /**
   * Folders no grant may open up (see `ProtectedFolders`): the data dir (`code`: readable, never
   * writable) and the user's config folder (`secret`: neither). Symphony's own code and the
   * extension's folder are always protected.
   */
  readonly protect?: Partial<ProtectedFolders>;
}

/**
 * The packages mounted for the runtime: the one it imports (the engine's framing, see
 * runtime/extension-runtime.ts), and the two the built-in instruments import from the orchestrator's
 * own `dist/` (`@symphony/schemas`, zod; their SDKs resolve through the `node_modules` above).
 * Mounted is not loaded: the runtime itself loads neither schemas nor zod.
 */
const RUNTIME_IMPORTS = ['@symphony/editor-engine/framing', '@symphony/schemas', 'zod'];

/** Starts extensions, each in its own process, as isolated as this machine allows. */
export class ExtensionHost {
  /** How extensions are isolated here (see `describeIsolation`). */
  readonly isolation: Promise<IsolationLevel>;
  readonly #options: ExtensionHostOptions;
  readonly #processes = new Set<ExtensionProcess>();
  #runtime: { entry: string; roots: string[] } | undefined;
  #code: string[] | undefined;
  #closed = false;

  constructor(options: ExtensionHostOptions) {
    this.#options = options;
    this.isolation = options.isolation ? Promise.resolve(options.isolation) : detectIsolation(options.env);
    const major = Number(/^v(\d+)/.exec(process.versions.node ? `v${process.versions.node}` : '')?.[1]);
    if (!options.node && major < 22)
      throw new Error(
        `the extension host needs Node 22 or later for --permission (this is ${process.version}); run through npm, which uses the workspace's Node 24`,
      );
  }

  /** Whether `manifest` may run on this machine, and why not. */
  async check(manifest: ExtensionManifest, options: { builtin?: boolean } = {}): Promise<ExtensionCheck> {
    const isolation = await this.isolation;
    if (isolation === IsolationLevel.reduced && manifest.permissions.network.length > 0 && !options.builtin)
      return {
        ok: false,
        reason: ExtensionFailure.isolation,
        message:
          `${manifest.id} needs network access (${manifest.permissions.network.join(', ')}), which third-party extensions get only in a sandbox, ` +
          'and this machine has reduced isolation: install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces ' +
          '(sysctl kernel.unprivileged_userns_clone=1), or run Symphony outside a container that forbids them',
      };
    return { ok: true, isolation };
  }

  /**
   * Starts one extension process. Rejects with an `ExtensionCallError`: `isolation` when the
   * machine cannot run it (see {@link check}), `denied` when a granted folder does not exist, and
   * what `ExtensionProcess.start` rejects with.
   */
  async start(extension: HostedExtension): Promise<ExtensionProcess> {
    if (this.#closed) throw new Error('ExtensionHost.start() after close()');
    const { manifest } = extension;
    const check = await this.check(manifest, { builtin: extension.builtin ?? false });
    if (!check.ok) throw new ExtensionCallError(check.reason, check.message, manifest.id);
    const launch = await this.#launchSpec(extension);
    if (this.#closed) throw new Error('ExtensionHost closed while an extension was starting');
    const process = await ExtensionProcess.start({
      manifest,
      config: extension.config ?? {},
      isolation: check.isolation,
      launch,
      lookupCredential: this.#options.credentials,
      ...(this.#options.startTimeoutMs ? { startTimeoutMs: this.#options.startTimeoutMs } : {}),
      ...(this.#options.lookup ? { lookup: this.#options.lookup } : {}),
    });
    if (this.#closed) {
      await process.close();
      throw new Error('ExtensionHost closed while an extension was starting');
    }
    this.#processes.add(process);
    process.onExit(() => this.#processes.delete(process));
    return process;
  }

  /** Stops every process this host started. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#processes].map((process) => process.close()));
  }

  async #launchSpec(extension: HostedExtension): Promise<LaunchSpec> {
    const { manifest } = extension;
    let folder: string;
    try {
      folder = await realpath(extension.folder);
    } catch {
      throw new ExtensionCallError(
        ExtensionFailure.crashed,
        `the extension folder ${extension.folder} does not exist`,
        manifest.id,
      );
    }
    let grants: Awaited<ReturnType<typeof resolveGrants>>;
    try {
      grants = await resolveGrants(
        manifest.permissions,
        { home: this.#options.homeDir ?? homedir(), workspace: this.#options.workspaceDir },
        {
          code: [...this.#symphonyCode(), folder, ...(this.#options.protect?.code ?? [])],
          secret: this.#options.protect?.secret ?? [],
        },
        { masks: (await this.isolation) === IsolationLevel.sandboxed },
      );
    } catch (error) {
      if (error instanceof GrantError)
        throw new ExtensionCallError(ExtensionFailure.denied, error.message, manifest.id);
      throw error;
    }
    const hostEnv = this.#options.env ?? process.env;
    const env: Record<string, string> = {};
    for (const name of manifest.permissions.env) {
      const value = hostEnv[name];
      if (value !== undefined) env[name] = value;
    }
    const runtime = this.#runtimeFiles();
    return {
      node: realpathSync(this.#options.node ?? process.execPath),
      runtimeEntry: runtime.entry,
      runtimeReadRoots: runtime.roots,
      folder,
      read: grants.read,
      write: grants.write,
      readOnly: grants.readOnly,
      hidden: grants.hidden,
      env,
      memoryMb: manifest.limits.memoryMb,
    };
  }

  /**
   * Everything a write could turn into code Symphony runs outside the sandbox: the runtime's roots,
   * the node binary, the orchestrator's package, every `@symphony/*` package (in a checkout they are
   * the workspace's folders, linked from node_modules) and the package.json beside each node_modules
   * (its scripts run on `npm start`). Found once.
   */
  #symphonyCode(): string[] {
    if (this.#code) return this.#code;
    const runtime = this.#runtimeFiles();
    const found = new Set<string>([...runtime.roots, realpathSync(this.#options.node ?? process.execPath)]);
    found.add(packageRoot(dirname(runtime.entry)));
    for (const root of runtime.roots) {
      if (basename(root) !== 'node_modules') continue;
      const manifest = join(dirname(root), 'package.json');
      if (existsSync(manifest)) found.add(manifest);
      const scope = join(root, '@symphony');
      if (!existsSync(scope)) continue;
      for (const name of readdirSync(scope)) found.add(realpathSync(join(scope, name)));
    }
    this.#code = [...found];
    return this.#code;
  }

  /** The runtime's entry and the folders it loads code from, found once. */
  #runtimeFiles(): { entry: string; roots: string[] } {
    if (this.#runtime) return this.#runtime;
    const entry = runtimeEntryPath();
    const roots = this.#options.runtimeNodeModules
      ? [...this.#options.runtimeNodeModules]
      : runtimeReadRoots(entry);
    this.#runtime = { entry, roots: [dirname(entry), ...roots] };
    return this.#runtime;
  }
}

/**
 * The built runtime (`dist/extensions/runtime/extension-runtime.js`): beside this module when it is
 * itself built, in the package's `dist/` when this module runs from source (tests).
 */
export function runtimeEntryPath(): string {
  const beside = fileURLToPath(new URL('./runtime/extension-runtime.js', import.meta.url));
  if (existsSync(beside)) return realpathSync(beside);
  const root = packageRoot(dirname(beside));
  const built = join(root, 'dist', 'extensions', 'runtime', 'extension-runtime.js');
  if (!existsSync(built))
    throw new Error(`the extension runtime is not built (${built} is missing): run \`npx tsc -b\` first`);
  return realpathSync(built);
}

/** The nearest folder above `from` holding a package.json with a name. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * What the runtime loads code from besides its own folder: its package's package.json (it says
 * "type": "module"), the package folder of each import, and every `node_modules` folder above
 * those, through which their own dependencies resolve. Code only, never user data.
 */
function runtimeReadRoots(entry: string): string[] {
  const require = createRequire(entry);
  const found = new Set<string>([join(packageRoot(dirname(entry)), 'package.json')]);
  const packages = RUNTIME_IMPORTS.map((spec) => packageRoot(dirname(realpathSync(require.resolve(spec)))));
  for (const root of [packageRoot(dirname(entry)), ...packages]) {
    if (packages.includes(root)) found.add(root);
    for (let dir = dirname(root); dirname(dir) !== dir; dir = dirname(dir)) {
      const modules = join(dir, 'node_modules');
      if (existsSync(modules)) found.add(realpathSync(modules));
    }
  }
  const list = [...found];
  return list.filter((path) => !list.some((other) => other !== path && isInside(path, other)));
}
