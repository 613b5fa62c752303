#!/usr/bin/env node
/**
 * `npm run bench [-- <name>…]`: runs every benchmark (each folder under bench/ with a `main.ts`), or
 * only the named ones, one child process each so they cannot disturb one another.
 *
 * `BENCH_SMOKE=1` runs every case tiny, only to prove the benchmarks still run; it writes to
 * `.test-output/bench/` and never touches `bench/results/`. Exits non-zero when a benchmark crashed,
 * never because of a figure.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const smoke = process.env.BENCH_SMOKE === '1';
const outDir = smoke ? join(root, '.test-output', 'bench') : join(benchDir, 'results');

const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'main.ts')))
  .map((entry) => entry.name)
  .sort();

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${available.join(', ')}`);
  process.exit(2);
}
const selected = requested.length > 0 ? requested : available;

function runOne(name) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, name, 'main.ts')], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, BENCH_OUT_DIR: outDir, BENCH_SMOKE: smoke ? '1' : '0' },
    });
    child.on('error', (error) => {
      console.error(`could not start benchmark ${name}: ${error.message}`);
      resolvePromise(1);
    });
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

console.log(`${smoke ? 'Smoke-running' : 'Running'} ${selected.join(', ')}; results go to ${outDir}`);
const failed = [];
for (const name of selected) {
  console.log(`\n── bench: ${name} ──`);
  const started = Date.now();
  const code = await runOne(name);
  console.log(
    `── bench: ${name} ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (code !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`Benchmark(s) crashed: ${failed.join(', ')}`);
  process.exit(1);
}
