// Whether bubblewrap can isolate extensions on this machine, found out once by trying it.
import { execFile } from 'node:child_process';
import { IsolationLevel } from '@symphony/schemas';

/** `SYMPHONY_ISOLATION=reduced` forces reduced isolation (to test that path, or to run where bwrap misbehaves). */
export const ISOLATION_ENV = 'SYMPHONY_ISOLATION';

let detected: Promise<IsolationLevel> | undefined;

/**
 * `sandboxed` when `bwrap --unshare-all --die-with-parent … /bin/true` runs here (bubblewrap is
 * installed and user namespaces are allowed), `reduced` otherwise or when {@link ISOLATION_ENV} says
 * so. Tried once per process; the environment variable is read on every call.
 */
export function detectIsolation(env: NodeJS.ProcessEnv = process.env): Promise<IsolationLevel> {
  if (env[ISOLATION_ENV] === IsolationLevel.reduced) return Promise.resolve(IsolationLevel.reduced);
  detected ??= probeBwrap();
  return detected;
}

function probeBwrap(): Promise<IsolationLevel> {
  if (process.platform !== 'linux') return Promise.resolve(IsolationLevel.reduced);
  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--ro-bind',
    '/',
    '/',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '/bin/true',
  ];
  return new Promise((resolve) => {
    execFile('bwrap', args, { timeout: 5_000 }, (error) =>
      resolve(error ? IsolationLevel.reduced : IsolationLevel.sandboxed),
    );
  });
}

/** One sentence for the CLI and the UI on how extensions are isolated here, and what is missing. */
export function describeIsolation(level: IsolationLevel): string {
  if (level === IsolationLevel.sandboxed)
    return 'Extensions run sandboxed: each in its own bubblewrap namespaces with no network, only its folder and granted folders mounted, under Node permission flags and a watchdog for time and memory.';
  return (
    'Extensions run with reduced isolation: bubblewrap cannot run here (not installed, or user namespaces are disabled, or not Linux), ' +
    'so only Node permission flags, an empty environment, the watchdog and in-process guards on sockets, UDP, DNS and signals (best effort: they run beside the extension) contain them. ' +
    'Third-party extensions that need network access are refused; Symphony’s own instruments still reach their hosts through the host’s fetch proxy. ' +
    'For full isolation install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1).'
  );
}
