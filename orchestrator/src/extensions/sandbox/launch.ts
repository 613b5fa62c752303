// How an extension process is started: the node command line with its permission flags, and the
// bubblewrap command line around it. Pure: paths in, argv out.

/** Everything that decides an extension process's command line. All paths are resolved (realpath). */
export interface LaunchSpec {
  /** The node binary. */
  readonly node: string;
  /** The runtime's entry (`extension-runtime.js`). */
  readonly runtimeEntry: string;
  /** Folders and files the runtime needs to load (its package, the packages it imports). */
  readonly runtimeReadRoots: readonly string[];
  /** The extension's own folder (always readable). */
  readonly folder: string;
  /** Granted folders, read only. */
  readonly read: readonly string[];
  /** Granted folders, read and write. */
  readonly write: readonly string[];
  /** Protected folders inside write grants, mounted read-only over them (see `resolveGrants`). */
  readonly readOnly?: readonly string[];
  /** Protected folders inside any grant, hidden under an empty tmpfs. */
  readonly hidden?: readonly string[];
  /** The environment the extension sees: its granted variables only. */
  readonly env: Readonly<Record<string, string>>;
  readonly memoryMb: number;
}

/**
 * The JS heap limit for a memory limit: three quarters of it, so a heap that grows fails with V8's
 * own "heap out of memory" before the resident set (which the watchdog polls) gets there; the rest
 * is Node's baseline and buffers. Never below 16 MiB (Node does not start with less).
 */
export function heapLimitMb(memoryMb: number): number {
  return Math.max(16, Math.floor(memoryMb * 0.75));
}

/**
 * `node` flags inside the sandbox: Node's permission model (reads of the runtime, the extension and
 * its grants; writes of the write grants; no child processes, workers, addons, WASI or inspector,
 * since none of `--allow-child-process`, `--allow-worker`, `--allow-addons`, `--allow-wasi` is
 * given) and the heap limit. Node ≥ 22 takes `--permission` and repeated `--allow-fs-*` flags.
 */
export function nodeArgs(spec: LaunchSpec): string[] {
  const reads = [...spec.runtimeReadRoots, spec.folder, ...spec.read, ...spec.write];
  return [
    '--permission',
    ...reads.map((path) => `--allow-fs-read=${path}`),
    ...spec.write.map((path) => `--allow-fs-write=${path}`),
    `--max-old-space-size=${heapLimitMb(spec.memoryMb)}`,
    // Young generation of 1 MiB pages: an idle instance keeps less memory (see bench/extensions).
    '--max-semi-space-size=1',
    spec.runtimeEntry,
    spec.folder,
  ];
}

/**
 * `bwrap` arguments around node: every namespace unshared (no network at all: only a loopback
 * device that is down), dies with the host, its own session (no terminal ioctls into the host's),
 * an empty environment plus the granted variables, and a file system of only the node binary, the
 * system libraries it links, the runtime, the extension's folder and its grants.
 */
export function bwrapArgs(spec: LaunchSpec): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv'];
  for (const [name, value] of Object.entries(spec.env)) args.push('--setenv', name, value);
  args.push('--setenv', 'HOME', '/tmp');
  args.push('--tmpfs', '/tmp');
  // Grants first: every later mount lies over them, so a grant that contains Symphony's code, the
  // extension's own folder or a protected folder can never make it writable (or visible).
  for (const path of spec.read) args.push('--ro-bind', path, path);
  for (const path of spec.write) args.push('--bind', path, path);
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--ro-bind', spec.node, spec.node);
  // The dynamic loader and libc, libstdc++, libm, libgcc_s (what `ldd node` lists).
  args.push('--ro-bind', '/usr/lib', '/usr/lib', '--ro-bind-try', '/usr/lib64', '/usr/lib64');
  args.push('--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64');
  for (const path of spec.runtimeReadRoots) args.push('--ro-bind', path, path);
  args.push('--ro-bind', spec.folder, spec.folder);
  for (const path of spec.readOnly ?? []) args.push('--ro-bind', path, path);
  for (const path of spec.hidden ?? []) args.push('--tmpfs', path);
  args.push('--chdir', spec.folder, '--', spec.node, ...nodeArgs(spec));
  return args;
}
