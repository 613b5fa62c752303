// Tests of `symphony run` as a person at a terminal sees it: the progress bar on a real pseudo-
// terminal (util-linux `script`), Ctrl-C once (the run is cancelled and that is recorded) and twice
// (it stops at once and stays resumable), and `runs cancel` reaching the process executing a run.
// A run is held in read-code by a named pipe nobody writes to, so it waits without timing.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunId } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { RunOutputLine } from '../src/cli/ndjson.js';
import {
  CLI,
  finished,
  lineOf,
  NOTES,
  Nodes,
  offlineWorkflow,
  type Project,
  project,
  removeTempDirs,
  startCli,
} from './cli-harness.js';

afterAll(removeTempDirs);

/** A project whose workflow reads `notes/held.txt`, a named pipe: read-code waits in it until {@link release}. */
function heldProject(): Project & { pipe: string } {
  const p = project(offlineWorkflow('held.txt'));
  const pipe = join(p.notes, 'held.txt');
  execFileSync('mkfifo', [pipe]);
  return { ...p, pipe };
}

/**
 * Opens the pipe for writing and closes it, so the read-code waiting in it reads an empty file and
 * its (abandoned) thread lets the process exit. Nobody reading it yet is fine.
 */
function release(pipe: string): void {
  try {
    closeSync(openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
  }
}

/** Starts `symphony run --json` on a held project; resolves once read-code runs, with the run id. */
async function startHeld(p: Project) {
  const child = startCli(['run', 'workflow.json', '--grant', 'notes', '--json'], { cwd: p.dir, env: p.env });
  const done = finished(child);
  const running = await lineOf(
    child,
    'stdout',
    (line) => line.includes('"node.running"') && line.includes(Nodes.read),
  );
  const parsed = RunOutputLine.parse(JSON.parse(running));
  if (parsed.kind !== 'event') throw new Error('expected a journal record');
  return { child, done, runId: parsed.event.runId as RunId };
}

describe('symphony run at a terminal', () => {
  it('draws a progress bar on a terminal, with a line per node', async () => {
    const p = project();
    const command = [process.execPath, CLI, 'run', 'workflow.json', '--grant', 'notes']
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: p.dir,
      env: { ...p.env, COLUMNS: '120' },
    });
    child.stdin.end();
    const out = await finished(child);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('\x1b[?25l'); // the cursor hidden while the bar is drawn…
    expect(out.stdout).toContain('\x1b[?25h'); // …and shown again
    expect(out.stdout).toMatch(/\d\/6 nodes \| \d+s \|/);
    for (const id of Object.values(Nodes)) expect(out.stdout).toMatch(new RegExp(`succeeded .*\\(${id}\\)`));
    expect(out.stdout).toMatch(/run run_[a-z0-9]+ succeeded/);
  });
});

describe('Ctrl-C and runs cancel', () => {
  it.concurrent('Ctrl-C once cancels the run and records it: exit 1', async () => {
    const p = heldProject();
    const { child, done, runId } = await startHeld(p);
    child.kill('SIGINT');
    await lineOf(child, 'stdout', (line) => line.includes('"run.finished"'));
    release(p.pipe);
    const out = await done;
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`cancelling run ${runId}`);
    const events = out.stdout
      .trimEnd()
      .split('\n')
      .map((l) => RunOutputLine.parse(JSON.parse(l)));
    expect(events.at(-1)).toMatchObject({
      kind: 'event',
      event: { type: 'run.finished', status: 'cancelled' },
    });
    const shown = JSON.parse((await p.run(['runs', 'show', runId, '--json'])).stdout);
    expect(shown.status).toBe('cancelled');
    expect(shown.nodeStates.find((n: { nodeId: string }) => n.nodeId === Nodes.read).state).toBe('cancelled');
  });

  it.concurrent('Ctrl-C twice stops at once, leaving the run unfinished and resumable', async () => {
    const p = heldProject();
    const { child, done, runId } = await startHeld(p);
    child.kill('SIGINT');
    await lineOf(child, 'stderr', (line) => line.includes('cancelling'));
    child.kill('SIGINT');
    const stopped = await lineOf(child, 'stderr', (line) => line.includes('stopped at once'));
    expect(stopped).toContain(`resume with "symphony runs resume ${runId}"`);
    release(p.pipe);
    const out = await done;
    expect(out.code).toBe(1);
    expect(out.stdout).not.toContain('"run.finished"');
    const listed = JSON.parse((await p.run(['runs', 'ls', '--json'])).stdout);
    expect(listed).toMatchObject({ runId, status: 'running' });
    expect(listed.executedBy).toBeUndefined();

    // The pipe becomes a file; the resumed run carries out the cancellation the first Ctrl-C recorded.
    rmSync(p.pipe);
    writeFileSync(p.pipe, NOTES);
    const resumed = await p.run(['runs', 'resume', runId]);
    expect(resumed.stdout).toContain(`resuming run ${runId}`);
    expect(resumed.stdout).toContain(`run ${runId} cancelled`);
    expect(resumed.code).toBe(1);
  });

  it.concurrent('runs cancel asks the process executing the run, which cancels it', async () => {
    const p = heldProject();
    const { child, done, runId } = await startHeld(p);
    const ls = await p.run(['runs', 'ls']);
    expect(ls.stdout).toMatch(new RegExp(`^${runId}\\s+running \\(pid ${child.pid}\\)`, 'm'));
    const cancel = await p.run(['runs', 'cancel', runId]);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`asked the process executing run ${runId} to cancel it`);
    await lineOf(child, 'stdout', (line) => line.includes('"run.finished"'));
    release(p.pipe);
    const out = await done;
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('"status":"cancelled"');
  });
});
