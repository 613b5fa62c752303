import { writeFile } from 'node:fs/promises';

export async function run(call) {
  await writeFile(call.params.path, 'written by an extension');
  return { outputs: { out: 'written' } };
}
