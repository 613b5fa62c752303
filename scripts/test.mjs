#!/usr/bin/env node
/**
 * `npm test`: the one command that proves the repository works on a fresh Debian machine.
 *
 * Steps, in order: make sure Chromium and PostgreSQL are installed (apt), build, lint, unit tests (vitest), browser tests
 * (Playwright) and a benchmark smoke run. Every step runs even when an earlier one failed, except
 * that a failed build stops the run (nothing after it can be trusted). The last line printed is
 * always `N passed, N failed`: vitest and Playwright tests counted one by one, and the build, the
 * lint and the benchmark smoke run counted as one test each.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.test-output');
const chromiumPath = '/usr/bin/chromium';

/** The oldest Node major the project supports (package.json's `engines`). */
const minimumNodeMajor = 22;

/** Generous ceilings so a hung step fails the run instead of hanging CI forever. */
const minutes = (n) => n * 60_000;

/** @type {{ name: string, passed: number, failed: number, note?: string }[]} */
const results = [];

/** The child currently running, so a signal to us can be passed on to its whole process group. */
let current = null;

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current?.pid) killGroup(current.pid, 'SIGTERM');
    process.exit(130);
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function banner(text) {
  console.log(`\n\u2501\u2501\u2501 ${text} \u2501\u2501\u2501`);
}

/**
 * Runs a command with the console inherited and resolves to its exit code (or 1 when it could not
 * start, was killed, or outlived `timeoutMs`).
 */
function run(command, args, { env = {}, timeoutMs = minutes(20) } = {}) {
  console.log(`$ ${[command, ...args].join(' ')}`);
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env },
      // Own process group, so a timeout can stop the command and everything it started.
      detached: true,
    });
    current = child;
    const timer = setTimeout(() => {
      console.error(
        `\u2716 ${command} ${args.join(' ')} still running after ${timeoutMs / 60_000} min; stopping it`,
      );
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      console.error(`\u2716 could not start ${command}: ${error.message}`);
      current = null;
      resolvePromise(1);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = null;
      resolvePromise(code ?? (signal ? 1 : 0));
    });
  });
}

function record(name, passed, failed, note) {
  results.push({ name, passed, failed, note });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Counts a vitest JSON report (its Jest-compatible shape). A test file that failed to load has no
 * assertion results, so it counts as one failure; a non-zero exit with nothing failed in the report
 * (an unhandled error, no test files) counts as one more.
 */
function countVitest(path, exitCode) {
  const report = readJson(path);
  if (!report || typeof report.numTotalTests !== 'number') {
    return { passed: 0, failed: 1, note: `no readable report at ${relative(root, path)}` };
  }
  let failed = report.numFailedTests ?? 0;
  const brokenFiles = (report.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
  failed += brokenFiles;
  let note = brokenFiles ? `${brokenFiles} test file(s) failed to run` : undefined;
  if (exitCode !== 0 && failed === 0) {
    failed = 1;
    note = `vitest exited with ${exitCode} although no test failed`;
  }
  return { passed: report.numPassedTests ?? 0, failed, note };
}

/**
 * Counts a Playwright JSON report: `expected` and `flaky` (passed on retry) pass, `unexpected`
 * fails. Errors outside any test (global setup, a web server that would not start) count as one
 * failure, as does a non-zero exit with nothing failed in the report.
 */
function countPlaywright(path, exitCode) {
  const report = readJson(path);
  const stats = report?.stats;
  if (!stats || typeof stats.expected !== 'number') {
    return { passed: 0, failed: 1, note: `no readable report at ${relative(root, path)}` };
  }
  let failed = stats.unexpected ?? 0;
  let note;
  if (failed === 0 && (report.errors?.length ?? 0) > 0) {
    failed = 1;
    note = `${report.errors.length} error(s) outside tests`;
  }
  if (exitCode !== 0 && failed === 0) {
    failed = 1;
    note = `playwright exited with ${exitCode} although no test failed`;
  }
  return { passed: (stats.expected ?? 0) + (stats.flaky ?? 0), failed, note };
}

/**
 * Debian packages the tests need, each with the file that shows it is installed. Installed once,
 * here, before any suite starts: suites running in parallel must never race for apt's lock.
 */
const systemPackages = [
  { name: 'chromium', marker: chromiumPath, why: 'the browser tests' },
  { name: 'postgresql', marker: '/usr/lib/postgresql/15/bin/postgres', why: "OFB's PostgreSQL suite" },
  { name: 'bubblewrap', marker: '/usr/bin/bwrap', why: "the extension host's sandbox tests" },
];

async function ensureSystemPackages() {
  banner('System packages');
  const missing = systemPackages.filter((p) => !existsSync(p.marker));
  for (const p of systemPackages) {
    if (!missing.includes(p)) console.log(`${p.name}: installed (${p.marker}).`);
  }
  if (missing.length === 0) return;
  console.log(
    `Installing ${missing.map((p) => `${p.name} (for ${p.why})`).join(' and ')} with apt-get. This takes a minute or two…`,
  );
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const code =
    (await run('apt-get', ['update'], { env, timeoutMs: minutes(10) })) ||
    (await run('apt-get', ['install', '-y', ...missing.map((p) => p.name)], { env, timeoutMs: minutes(15) }));
  for (const p of missing) {
    if (code !== 0 || !existsSync(p.marker)) {
      console.error(
        `\u2716 could not install ${p.name} (apt-get exited with ${code}); ${p.why} will fail. ` +
          `Install it by hand: apt-get update && apt-get install -y ${p.name}`,
      );
    } else {
      console.log(`${p.name} installed.`);
    }
  }
}

/**
 * Prints the Node this run is on and says whether it is new enough. Under `npm test` the `node`,
 * `npm` and `npx` it starts find the same one first on PATH (npm puts node_modules/.bin there).
 */
function checkNode() {
  banner('Node');
  console.log(`Node ${process.version} (${process.execPath})`);
  if (Number(process.versions.node.split('.')[0]) >= minimumNodeMajor) return true;
  console.error(
    `\u2716 Node ${process.version} is older than ${minimumNodeMajor}: Symphony runs on Node 24 or 22. ` +
      'Run this as `npm test` after `npm install`, which on Linux x64/arm64 brings Node 24 into ' +
      'node_modules/.bin, or install Node 24 or 22.',
  );
  return false;
}

function summarise() {
  banner('Summary');
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    const mark = r.failed ? '\u2716' : '\u2714';
    const note = r.note ? `  (${r.note})` : '';
    console.log(`${mark} ${r.name.padEnd(width)}  ${r.passed} passed, ${r.failed} failed${note}`);
  }
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

async function main() {
  if (!checkNode()) {
    record('node version', 0, 1);
    process.exitCode = 1;
    summarise();
    return;
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  await ensureSystemPackages();

  banner('Build');
  const buildCode = await run('npm', ['run', 'build']);
  record('build', buildCode === 0 ? 1 : 0, buildCode === 0 ? 0 : 1);
  if (buildCode !== 0) {
    console.error('\u2716 the build failed; nothing after it can run.');
    process.exitCode = 1;
    summarise();
    return;
  }

  banner('Lint');
  const lintCode = await run('npx', ['--no', 'biome', 'check', '.'], { timeoutMs: minutes(5) });
  record('lint', lintCode === 0 ? 1 : 0, lintCode === 0 ? 0 : 1);

  banner('Unit tests (vitest)');
  const vitestJson = join(outDir, 'vitest.json');
  const vitestCode = await run('npx', [
    '--no',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${relative(root, vitestJson)}`,
  ]);
  const vitest = countVitest(vitestJson, vitestCode);
  record('unit tests', vitest.passed, vitest.failed, vitest.note);

  banner('Browser tests (Playwright)');
  const playwrightConfig = join(root, 'e2e', 'playwright.config.ts');
  if (existsSync(playwrightConfig)) {
    const playwrightJson = join(outDir, 'playwright.json');
    const playwrightCode = await run(
      'npx',
      ['--no', 'playwright', 'test', '-c', relative(root, playwrightConfig), '--reporter=list,json'],
      { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson }, timeoutMs: minutes(30) },
    );
    const playwright = countPlaywright(playwrightJson, playwrightCode);
    record('browser tests', playwright.passed, playwright.failed, playwright.note);
  } else {
    console.log('e2e/playwright.config.ts does not exist yet; skipping the browser tests.');
  }

  banner('Benchmark smoke run');
  // Smoke mode runs every benchmark tiny and writes to .test-output/bench/, never bench/results/.
  const benchCode = await run('node', ['bench/run.mjs'], {
    env: { BENCH_SMOKE: '1' },
    timeoutMs: minutes(10),
  });
  record('bench smoke', benchCode === 0 ? 1 : 0, benchCode === 0 ? 0 : 1);

  if (summarise() > 0) process.exitCode = 1;
}

await main();
