// `read-code`: a source file from a folder the run was granted (`symphony run --grant DIR`), and
// nothing outside: the path is resolved with realpath, so `..`, absolute paths and symlinks that
// lead out of every granted folder are refused with `outside_grant`.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { RunErrorCode } from '@symphony/schemas';
import { type Step, StepError } from './Step.js';
import { stepParams } from './step-inputs.js';

/** 1 MiB: source files are far smaller; anything larger is data, not code to format or review. */
export const READ_CODE_MAX_BYTES = 1024 * 1024;

/** Options of {@link readCodeStep}. */
export interface ReadCodeOptions {
  /** Largest file it reads; default {@link READ_CODE_MAX_BYTES}. */
  readonly maxBytes?: number;
}

/** Whether `child` is `parent` or inside it (both absolute and normalised). */
export function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** A file found inside a grant: its real path. */
interface Found {
  readonly real: string;
}

/**
 * Where `path` leads inside `grants` (absolute folders): relative paths are tried against each
 * grant in order, absolute ones as they are. Every failure is a named StepError that says what to do.
 */
export async function resolveInGrants(path: string, grants: readonly string[]): Promise<Found> {
  if (grants.length === 0) {
    throw new StepError(
      RunErrorCode.outsideGrant,
      `read-code: the run may read no folder; grant the folder that holds "${path}" with --grant DIR`,
    );
  }
  const roots: { readonly given: string; readonly real: string }[] = [];
  for (const grant of grants) {
    const real = await realpath(grant).catch(() => undefined);
    if (real !== undefined) roots.push({ given: resolve(grant), real });
  }
  let missing = false;
  let escapes = false;
  for (const root of roots) {
    const candidate = isAbsolute(path) ? resolve(path) : resolve(root.real, path);
    if (!isWithin(root.real, candidate) && !isWithin(root.given, candidate)) continue;
    const real = await realpath(candidate).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new StepError(RunErrorCode.stepFailed, `read-code: cannot read "${path}": ${error.message}`);
    });
    if (real === undefined) missing = true;
    else if (roots.some((r) => isWithin(r.real, real))) return { real };
    else escapes = true;
  }
  const granted = grants.map((g) => `"${g}"`).join(', ');
  if (escapes) {
    throw new StepError(
      RunErrorCode.outsideGrant,
      `read-code: "${path}" leads (through a symbolic link) outside the granted folders (${granted}); it is not read`,
    );
  }
  if (missing) {
    throw new StepError(
      RunErrorCode.stepFailed,
      `read-code: there is no file "${path}" in the granted folders (${granted})`,
    );
  }
  throw new StepError(
    RunErrorCode.outsideGrant,
    `read-code: "${path}" is outside the granted folders (${granted}); give a path inside one, or grant its folder with --grant DIR`,
  );
}

/** Reads the file at `real` (a regular file, at most `maxBytes`) as UTF-8 text. */
async function readText(real: string, path: string, maxBytes: number): Promise<string> {
  // O_NOFOLLOW: the last component was resolved above; a symlink swapped in since is refused.
  const file = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (error: NodeJS.ErrnoException) => {
      throw new StepError(RunErrorCode.stepFailed, `read-code: cannot open "${path}": ${error.message}`);
    },
  );
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new StepError(RunErrorCode.invalidInput, `read-code: "${path}" is not a file`);
    if (stat.size > maxBytes) {
      throw new StepError(
        RunErrorCode.artifactFailed,
        `read-code: "${path}" is ${stat.size} bytes; read-code reads files of at most ${maxBytes} bytes`,
      );
    }
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) {
        throw new StepError(
          RunErrorCode.artifactFailed,
          `read-code: "${path}" grew past ${maxBytes} bytes while read`,
        );
      }
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length));
    } catch {
      throw new StepError(
        RunErrorCode.invalidInput,
        `read-code: "${path}" is not UTF-8 text (a binary file?)`,
      );
    }
  } finally {
    await file.close();
  }
}

/** `read-code`: outputs the file at its `path` param, read from the run's grants, on `code`. */
export function readCodeStep(options: ReadCodeOptions = {}): Step {
  const maxBytes = options.maxBytes ?? READ_CODE_MAX_BYTES;
  return {
    type: 'read-code',
    version: '1',
    // The file may change between runs; its content is not part of the cache key.
    deterministic: false,
    async run(context) {
      const { path } = stepParams('read-code', context);
      const { real } = await resolveInGrants(path, context.grants);
      return { code: await readText(real, path, maxBytes) };
    },
  };
}
