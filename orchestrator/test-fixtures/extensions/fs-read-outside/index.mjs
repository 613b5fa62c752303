import { readFile } from 'node:fs/promises';

export async function run(call) {
  return { outputs: { out: await readFile(call.params.path, 'utf8') } };
}
