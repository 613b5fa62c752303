// Tests of read-code against real folders: reads inside the grants, refuses `..`, absolute paths
// and symlinks that lead outside every grant, and says how to grant a folder when there is none.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stepContext } from './fake-context.js';
import { readCodeStep } from './read-code.js';
import { StepError } from './Step.js';

let root: string;
let repo: string;
let secret: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'read-code-'));
  repo = join(root, 'repo');
  secret = join(root, 'secret');
  await mkdir(join(repo, 'src'), { recursive: true });
  await mkdir(secret);
  await writeFile(join(repo, 'src', 'index.ts'), 'export const answer = 42;\n');
  await writeFile(join(secret, 'key.txt'), 'do not read');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function read(path: string, grants: readonly string[] = [repo], maxBytes?: number) {
  const step = readCodeStep(maxBytes === undefined ? {} : { maxBytes });
  return step.run(stepContext({ params: { path }, grants }));
}

async function refusal(
  path: string,
  grants: readonly string[] = [repo],
  maxBytes?: number,
): Promise<StepError> {
  const error = await read(path, grants, maxBytes).catch((e: unknown) => e);
  if (!(error instanceof StepError))
    throw new Error(`expected a StepError for ${path}, got ${String(error)}`);
  return error;
}

describe('read-code', () => {
  it('reads a file by its path in a granted folder, or by its absolute path inside one', async () => {
    expect(await read('src/index.ts')).toEqual({ code: 'export const answer = 42;\n' });
    expect(await read(join(repo, 'src', 'index.ts'))).toEqual({ code: 'export const answer = 42;\n' });
    expect(await read('src/../src/index.ts')).toEqual({ code: 'export const answer = 42;\n' });
    expect(await read('index.ts', [secret, join(repo, 'src')])).toEqual({
      code: 'export const answer = 42;\n',
    });
  });

  it('refuses paths outside every grant: .., absolute paths, symlinks that point out', async () => {
    await symlink(join(secret, 'key.txt'), join(repo, 'src', 'innocent.ts'));
    await symlink(secret, join(repo, 'linked'));
    for (const path of [
      '../secret/key.txt',
      join(secret, 'key.txt'),
      '/etc/passwd',
      'src/innocent.ts',
      'linked/key.txt',
    ]) {
      const error = await refusal(path);
      expect(error.code, path).toBe('outside_grant');
      expect(error.message, path).not.toMatch(/do not read/);
    }
    expect((await refusal('src/innocent.ts')).message).toMatch(/symbolic link/);
  });

  it('follows symlinks that stay inside the grants', async () => {
    await symlink(join(repo, 'src', 'index.ts'), join(repo, 'alias.ts'));
    expect(await read('alias.ts')).toEqual({ code: 'export const answer = 42;\n' });
    await symlink(join(secret, 'key.txt'), join(repo, 'shared.txt'));
    expect(await read('shared.txt', [repo, secret])).toEqual({ code: 'do not read' });
  });

  it('says how to grant a folder when the run has none', async () => {
    const error = await refusal('src/index.ts', []);
    expect(error.code).toBe('outside_grant');
    expect(error.message).toMatch(/--grant DIR/);
  });

  it('reports a missing file, a folder, a file past the size cap and a binary file', async () => {
    expect(await refusal('src/missing.ts')).toMatchObject({ code: 'step_failed' });
    expect((await refusal('src/missing.ts')).message).toMatch(/no file "src\/missing.ts"/);
    expect(await refusal('src')).toMatchObject({ code: 'invalid_input' });
    await writeFile(join(repo, 'big.ts'), 'x'.repeat(2000));
    expect(await refusal('big.ts', [repo], 1000)).toMatchObject({ code: 'artifact_failed' });
    await writeFile(join(repo, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]));
    expect((await refusal('logo.png')).message).toMatch(/not UTF-8 text/);
  });

  it('is never cached: the file may change between runs', () => {
    expect(readCodeStep().deterministic).toBe(false);
  });
});
