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
 * Resolves every grant with realpath, so a symlink in a grant's own path cannot widen it after the
 * check. A grant that does not exist is refused with a message naming it.
 */
export async function resolveGrants(
  permissions: Pick<ExtensionPermissions, 'read' | 'write'>,
  anchors: GrantAnchors,
): Promise<ResolvedGrants> {
  const one = async (path: string, kind: 'read' | 'write') => {
    const expanded = expandGrant(path, anchors);
    try {
      return await realpath(expanded);
    } catch {
      throw new GrantError(
        `the granted folder ${path} (${expanded}) in permissions.${kind} does not exist: create it, or remove it from the extension's manifest`,
      );
    }
  };
  return {
    read: await Promise.all(permissions.read.map((path) => one(path, 'read'))),
    write: await Promise.all(permissions.write.map((path) => one(path, 'write'))),
  };
}

/** Whether `path` is `root` or inside it (both absolute and normalised). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
