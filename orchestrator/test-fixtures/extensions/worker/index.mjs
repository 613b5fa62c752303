import { Worker } from 'node:worker_threads';

export async function run() {
  new Worker('while (true) {}', { eval: true });
  return { outputs: { out: 'worker started' } };
}
