import { execSync, fork, spawn } from 'node:child_process';

/** `params.mode`: spawn, fork or execSync. */
export async function run(call) {
  if (call.params.mode === 'fork') fork('./index.mjs');
  else if (call.params.mode === 'execSync') execSync('id');
  else spawn('/bin/sh', ['-c', 'echo escaped']);
  return { outputs: { out: 'spawned' } };
}
