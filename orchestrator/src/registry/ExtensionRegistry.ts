// The extensions a user has installed and enabled: copies under `<config>/extensions/<id>/`, and the
// exact extension each was enabled with (a hash of its manifest and every file), so one whose
// manifest or code changed since — new permissions, swapped code — does not run until the person
// enables it again.
import { createHash, randomUUID } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ExtensionManifest, MANIFEST_FILE } from '@symphony/schemas';
import { z } from 'zod';

/** An extension as the host starts it: its manifest and the folder it lives in. */
export interface InstalledExtension {
  readonly manifest: ExtensionManifest;
  readonly folder: string;
  /** SHA-256 over the manifest and every file of the folder (paths and bytes, in path order). */
  readonly manifestHash: string;
  /** Enabled with exactly this manifest. */
  readonly enabled: boolean;
  /** Enabled once, but the manifest changed since: it waits for the person to enable it again. */
  readonly changedSinceEnabled: boolean;
}

/** Something about an extension folder or the registry that a person must fix. */
export class ExtensionRegistryError extends Error {
  override name = 'ExtensionRegistryError';
}

const EnabledFile = z.object({
  version: z.literal(1),
  enabled: z.record(z.string(), z.object({ manifestHash: z.string(), enabledAt: z.number() })),
});
type EnabledFile = z.infer<typeof EnabledFile>;

/** Most files an extension folder may hold, and bytes in all (an extension is code, not data). */
const MAX_FILES = 20_000;
const MAX_BYTES = 512 * 1024 * 1024;

/** Reads and checks an extension folder's manifest. */
export async function readManifest(folder: string): Promise<{ manifest: ExtensionManifest; hash: string }> {
  const path = join(folder, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ExtensionRegistryError(
      `${folder} is not an extension: no readable ${MANIFEST_FILE} (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ExtensionRegistryError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ExtensionManifest.safeParse(json);
  if (!parsed.success) throw new ExtensionRegistryError(`${path}: ${z.prettifyError(parsed.error)}`);
  return { manifest: parsed.data, hash: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Checks that `folder` holds only regular files and folders (a symbolic link, or a hard link, could
 * hand the extension a file of the user's when the folder is copied), within the size limits, that
 * its entry exists, and returns the SHA-256 of every file's path and bytes in path order.
 */
async function checkFolder(folder: string, manifest: ExtensionManifest): Promise<string> {
  let files = 0;
  let bytes = 0;
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        throw new ExtensionRegistryError(
          `${relative(folder, path)} is a symbolic link; an extension folder may hold only files and folders`,
        );
      }
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const info = await lstat(path);
        if (info.nlink > 1) {
          throw new ExtensionRegistryError(
            `${relative(folder, path)} is a hard link to a file elsewhere; an extension folder may hold only its own files`,
          );
        }
        files += 1;
        bytes += info.size;
        if (files > MAX_FILES || bytes > MAX_BYTES) {
          throw new ExtensionRegistryError(
            `${folder} holds more than ${MAX_FILES} files or ${MAX_BYTES / 1024 / 1024} MB; an extension is code, not data`,
          );
        }
        hash.update(`${relative(folder, path)}\0${info.size}\0`);
        hash.update(await readFile(path));
      } else throw new ExtensionRegistryError(`${relative(folder, path)} is not a regular file or folder`);
    }
  };
  await walk(folder);
  const entry = await lstat(join(folder, manifest.entry)).catch(() => undefined);
  if (!entry?.isFile()) {
    throw new ExtensionRegistryError(`the manifest's entry "${manifest.entry}" is not a file in ${folder}`);
  }
  return hash.digest('hex');
}

/** The extensions under one config folder. */
export class ExtensionRegistry {
  readonly #root: string;
  readonly #enabledPath: string;

  constructor(configDir: string) {
    this.#root = join(configDir, 'extensions');
    this.#enabledPath = join(configDir, 'extensions.json');
  }

  /** Where extension `id` is installed. */
  folderOf(id: string): string {
    return join(this.#root, id);
  }

  /**
   * Copies the extension in `folder` into the registry (replacing an older copy of the same id) and
   * returns it, not enabled: the caller shows the manifest and enables it on the person's word.
   */
  async install(folder: string): Promise<InstalledExtension> {
    const source = resolve(folder);
    const { manifest } = await readManifest(source);
    await checkFolder(source, manifest);
    await mkdir(this.#root, { recursive: true, mode: 0o700 });
    const target = this.folderOf(manifest.id);
    const staging = join(this.#root, `.install-${randomUUID()}`);
    await cp(source, staging, { recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true });
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    return this.#describe(manifest, target, await checkFolder(target, manifest), await this.#readEnabled());
  }

  /** Enables `id` with its current manifest. */
  async enable(id: string): Promise<InstalledExtension> {
    const extension = await this.get(id);
    const state = await this.#readEnabled();
    state.enabled[id] = { manifestHash: extension.manifestHash, enabledAt: Date.now() };
    await this.#writeEnabled(state);
    return { ...extension, enabled: true, changedSinceEnabled: false };
  }

  /** Disables `id` (it stays installed). */
  async disable(id: string): Promise<void> {
    await this.get(id);
    const state = await this.#readEnabled();
    delete state.enabled[id];
    await this.#writeEnabled(state);
  }

  /** Disables and deletes `id`. */
  async remove(id: string): Promise<void> {
    await this.get(id);
    const state = await this.#readEnabled();
    delete state.enabled[id];
    await this.#writeEnabled(state);
    await rm(this.folderOf(id), { recursive: true, force: true });
  }

  /** Installed extension `id`; throws {@link ExtensionRegistryError} naming the installed ones when absent. */
  async get(id: string): Promise<InstalledExtension> {
    const all = await this.list();
    const found = all.find((e) => e.manifest.id === id);
    if (found) return found;
    const known = all.map((e) => e.manifest.id).join(', ') || 'none';
    throw new ExtensionRegistryError(`no extension "${id}" is installed (installed: ${known})`);
  }

  /** Every installed extension, by id. A folder whose manifest no longer parses is skipped with `onWarning`. */
  async list(onWarning: (message: string) => void = () => {}): Promise<InstalledExtension[]> {
    const names = await readdir(this.#root).catch(() => [] as string[]);
    const state = await this.#readEnabled();
    const result: InstalledExtension[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const folder = join(this.#root, name);
      try {
        const { manifest } = await readManifest(folder);
        result.push(this.#describe(manifest, folder, await checkFolder(folder, manifest), state));
      } catch (error) {
        onWarning(`skipping extension folder ${folder}: ${(error as Error).message}`);
      }
    }
    return result;
  }

  /** The extensions that may run: enabled with their current manifest. */
  async enabled(onWarning?: (message: string) => void): Promise<InstalledExtension[]> {
    const all = await this.list(onWarning);
    for (const e of all) {
      if (e.changedSinceEnabled) {
        onWarning?.(
          `extension ${e.manifest.id} changed its manifest since it was enabled; it does not run until ` +
            `"symphony extensions enable ${e.manifest.id}" after reading "symphony extensions show ${e.manifest.id}"`,
        );
      }
    }
    return all.filter((e) => e.enabled);
  }

  #describe(
    manifest: ExtensionManifest,
    folder: string,
    hash: string,
    state: EnabledFile,
  ): InstalledExtension {
    const entry = state.enabled[manifest.id];
    return {
      manifest,
      folder,
      manifestHash: hash,
      enabled: entry?.manifestHash === hash,
      changedSinceEnabled: entry !== undefined && entry.manifestHash !== hash,
    };
  }

  async #readEnabled(): Promise<EnabledFile> {
    let text: string;
    try {
      text = await readFile(this.#enabledPath, 'utf8');
    } catch {
      return { version: 1, enabled: {} };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      json = error;
    }
    const parsed = EnabledFile.safeParse(json);
    if (!parsed.success) {
      throw new ExtensionRegistryError(
        `${this.#enabledPath} is damaged (${json instanceof Error ? json.message : z.prettifyError(parsed.error)}); ` +
          'delete it and enable your extensions again',
      );
    }
    return parsed.data;
  }

  async #writeEnabled(state: EnabledFile): Promise<void> {
    await mkdir(join(this.#enabledPath, '..'), { recursive: true, mode: 0o700 });
    const temp = `${this.#enabledPath}.${randomUUID()}.tmp`;
    await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, this.#enabledPath);
  }
}
