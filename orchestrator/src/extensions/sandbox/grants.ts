// Granted folders as the sandbox mounts them: `~/` and `${workspace}` expanded, symlinks resolved,
// each one required to exist.
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { ExtensionPermissions } from '@symphony/schemas';

/** Where grant paths are anchored. */
export interface GrantAnchors {
  readonly home: string;
  readonly workspace: string;
}

/** Folders after resolution: what is mounted and what Node's permission flags name. */
export interface ResolvedGrants {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** A granted folder that cannot be mounted. */
export class GrantError extends Error {
  override name = 'GrantError';
}

/** The manifest's placeholder for the folder a run was started in. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder, not a template
const WORKSPACE = '${workspace}';

/** Expands `~/` and `${workspace}` in one grant path (already checked by the manifest schema). */
export function expandGrant(path: string, anchors: GrantAnchors): string {
  if (path.startsWith('~/')) return join(anchors.home, path.slice(2));
  if (path.startsWith(WORKSPACE)) return join(anchors.workspace, path.slice(WORKSPACE.length));
  return path;
}

/**
 * Folders a grant must not open up, because what is in them decides what runs outside the sandbox
 * or holds the user's secrets. `code`: Symphony's own code and the packages it loads (a write there
 * runs unsandboxed on the next command), the extension's folder, the data dir (journal, artifacts,
 * the router's log: a write there forges results) — readable, never writable. `secret`: the user's
 * config folder (keys, session, instruments) — neither.
 */
export interface ProtectedFolders {
  readonly code: readonly string[];
  readonly secret: readonly string[];
}

/** Protected folders inside granted ones: the sandbox mounts them read-only, or hides them. */
export interface GrantMasks {
  /** Inside a write grant: mounted read-only over it. */
  readonly readOnly: readonly string[];
  /** Inside any grant: an empty tmpfs over it. */
  readonly hidden: readonly string[];
}

/**
 * Resolves every grant with realpath, so a symlink in a grant's own path cannot widen it after the
 * check. A grant that does not exist, or that lies inside a protected folder (or is one), is
 * refused with a message naming it. A grant that contains a protected folder is allowed only with
 * `masks` (the sandbox's mounts cover it); without a mount layer (reduced isolation, `masks:
 * false`) it is refused too.
 */
export async function resolveGrants(
  permissions: Pick<ExtensionPermissions, 'read' | 'write'>,
  anchors: GrantAnchors,
  protect: ProtectedFolders = { code: [], secret: [] },
  options: { readonly masks: boolean } = { masks: true },
): Promise<ResolvedGrants & GrantMasks> {
  const real = (paths: readonly string[]) => Promise.all(paths.map((p) => realpath(p).catch(() => p)));
  const [code, secret] = await Promise.all([real(protect.code), real(protect.secret)]);
  const readOnly = new Set<string>();
  const hidden = new Set<string>();
  const refuse = (path: string, resolved: string, kind: string, folder: string, why: string) =>
    new GrantError(
      `the granted folder ${path} (${resolved}) in permissions.${kind} reaches ${folder}, which ${why}; ` +
        'grant a folder that is not inside it' +
        (options.masks
          ? ''
          : ' and does not contain it (this machine cannot mount it away: reduced isolation)'),
    );
  const check = (path: string, resolved: string, kind: 'read' | 'write') => {
    const guarded: [string, string, Set<string>][] = [
      ...secret.map((p): [string, string, Set<string>] => [p, "holds Symphony's keys and session", hidden]),
      ...(kind === 'write'
        ? code.map((p): [string, string, Set<string>] => [
            p,
            'holds code or run data Symphony trusts',
            readOnly,
          ])
        : []),
    ];
    for (const [folder, why, masks] of guarded) {
      if (isInside(resolved, folder)) throw refuse(path, resolved, kind, folder, why);
      if (isInside(folder, resolved)) {
        if (!options.masks) throw refuse(path, resolved, kind, folder, why);
        masks.add(folder);
      }
    }
    return resolved;
  };
  const one = async (path: string, kind: 'read' | 'write') => {
    const expanded = expandGrant(path, anchors);
    let resolved: string;
    try {
      resolved = await realpath(expanded);
    } catch {
      throw new GrantError(
        `the granted folder ${path} (${expanded}) in permissions.${kind} does not exist: create it, or remove it from the extension's manifest`,
      );
    }
    // The whole file system would replace the sandbox's own /proc, /dev and libraries.
    if (resolved === '/')
      throw new GrantError(
        `the granted folder ${path} in permissions.${kind} is the whole file system; grant the folders it needs`,
      );
    return check(path, resolved, kind);
  };
  const read = await Promise.all(permissions.read.map((path) => one(path, 'read')));
  const write = await Promise.all(permissions.write.map((path) => one(path, 'write')));
  return { read, write, readOnly: [...readOnly], hidden: [...hidden] };
}

/** Whether `path` is `root` or inside it (both absolute and normalised). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
