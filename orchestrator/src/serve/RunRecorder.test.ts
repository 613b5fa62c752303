// The recorder with a real journal and real append-only lists in a temp folder, a scripted
// authority and a clock the test moves: a record waits for its user's token, is retried with
// backoff while OFB is unreachable, is made once, and a restart records what was missed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDagTracker } from '@symphony/pit';
import type {
  ArtifactHash,
  NodeId,
  OfbRecordRun,
  RunEvent,
  RunId,
  Workflow,
  WorkflowId,
} from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { OfbCallError } from '../cli/ofb-client.js';
import type { Clock } from '../executor/options.js';
import { RECORD_BACKOFF_BASE_MS, RunRecorder } from './RunRecorder.js';
import type { TeamAuthority, TeamIdentity, WorkflowAccess } from './TeamAuthority.js';
import { UserTokens } from './UserTokens.js';

/** A clock whose time moves only when the test says. */
class ManualClock implements Clock {
  time = 1_000_000;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 0;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.#timers.delete(timer as number);
  }

  /** Moves time on by `ms`, firing what falls due. */
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.#timers]) {
      if (timer.at <= this.time) {
        this.#timers.delete(id);
        timer.callback();
      }
    }
  }

  get pending(): number {
    return this.#timers.size;
  }
}

/** An authority whose `record-run` answers as scripted (then succeeds), keeping what it stored. */
class ScriptedAuthority implements TeamAuthority {
  readonly recorded: { token: string; record: OfbRecordRun }[] = [];
  readonly script: ('unreachable' | 'expired' | 'forbidden')[] = [];
  calls = 0;

  async authorize(): Promise<WorkflowAccess> {
    throw new Error('not used');
  }

  async identify(): Promise<TeamIdentity> {
    throw new Error('not used');
  }

  async recordRun(token: string, record: OfbRecordRun): Promise<{ created: boolean }> {
    this.calls++;
    const next = this.script.shift();
    if (next === 'unreachable') throw new OfbCallError('unreachable', 'cannot reach the team server');
    if (next === 'expired') throw new OfbCallError('refused', 'token has expired', 401, 'expired_token');
    if (next === 'forbidden') throw new OfbCallError('refused', 'a viewer', 403, 'role_too_low');
    const created = !this.recorded.some((r) => r.record.runId === record.runId);
    if (created) this.recorded.push({ token, record });
    return { created };
  }
}

const workflow = {
  name: 'Split',
  nodes: {
    a: { type: 'split-text', kind: 'operator', params: { by: 'paragraph' }, position: { x: 0, y: 0 } },
  },
  edges: {},
} as unknown as Workflow;

/** A finished run of a team workflow, journaled in `tracker`. */
async function finishedRun(tracker: MemoryDagTracker, runId: string): Promise<RunId> {
  const id = runId as RunId;
  const a = 'a' as NodeId;
  const events: RunEvent[] = [
    {
      type: 'run.started',
      runId: id,
      at: 10,
      workflow,
      source: {
        kind: 'automerge',
        server: 'http://127.0.0.1:4321',
        workflowId: 'wf1' as WorkflowId,
        heads: ['h1'],
      },
      options: { cache: true, grants: [] },
      startedBy: 'ada',
    },
    { type: 'node.running', runId: id, at: 11, nodeId: a, attempt: 1 },
    {
      type: 'node.succeeded',
      runId: id,
      at: 12,
      nodeId: a,
      attempt: 1,
      outputs: { chunks: 'f'.repeat(64) as ArtifactHash },
    },
    { type: 'run.finished', runId: id, at: 13, status: 'succeeded' },
  ];
  await tracker.record(...events);
  return id;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The user every run of these tests is executed for. */
const ADA = { userId: 'u1', userName: 'ada' };

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-recorder-'));
  dirs.push(dir);
  const clock = new ManualClock();
  const tokens = new UserTokens(() => clock.now());
  const tracker = new MemoryDagTracker();
  const authority = new ScriptedAuthority();
  const warnings: string[] = [];
  const open = () =>
    RunRecorder.open({ dir, tracker, authority, tokens, clock, warn: (message) => warnings.push(message) });
  const present = (token: string) =>
    tokens.present({ userId: 'u1', userName: 'ada', exp: clock.now() / 1000 + 3600 }, token);
  return { clock, tokens, tracker, authority, warnings, open, present };
}

/** Lets the recorder's promises run (its calls to the authority; not the disk). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits until `check` holds: the recorded list is written to disk (fsynced) after the authority answered. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('RunRecorder', () => {
  it('records a finished run executed here with its user’s token, once, waiting for the token if needed', async () => {
    const { tracker, authority, open, present } = setup();
    const recorder = await open();
    const runId = await finishedRun(tracker, 'run_aaaaaaaa01');
    await recorder.executes(runId, ADA);
    recorder.finished(runId);
    await settle();
    expect(authority.calls).toBe(0);
    present('token-1');
    await settle();
    expect(authority.recorded).toEqual([
      {
        token: 'token-1',
        record: expect.objectContaining({
          runId,
          workflowId: 'wf1',
          status: 'succeeded',
          heads: ['h1'],
          startedAt: 10,
          finishedAt: 13,
          nodes: 1,
          outputs: { a: { chunks: 'f'.repeat(64) } },
        }),
      },
    ]);
    await until(() => recorder.isRecorded(runId));
    recorder.finished(runId);
    await settle();
    expect(authority.calls).toBe(1);
    await recorder.close();
  });

  it('does not record a run this orchestrator did not execute', async () => {
    const { tracker, authority, open, present } = setup();
    const recorder = await open();
    present('token-1');
    recorder.finished(await finishedRun(tracker, 'run_aaaaaaaa02'));
    await settle();
    expect(authority.calls).toBe(0);
    await recorder.close();
  });

  it('tries again with doubling backoff while OFB is unreachable', async () => {
    const { clock, tracker, authority, open, present } = setup();
    authority.script.push('unreachable', 'unreachable', 'unreachable');
    const recorder = await open();
    present('token-1');
    const runId = await finishedRun(tracker, 'run_aaaaaaaa03');
    await recorder.executes(runId, ADA);
    recorder.finished(runId);
    await settle();
    expect(authority.calls).toBe(1);
    for (const wait of [RECORD_BACKOFF_BASE_MS, 2 * RECORD_BACKOFF_BASE_MS, 4 * RECORD_BACKOFF_BASE_MS]) {
      const before = authority.calls;
      clock.advance(wait - 1);
      await settle();
      expect(authority.calls).toBe(before);
      clock.advance(1);
      await settle();
      expect(authority.calls).toBe(before + 1);
    }
    await until(() => recorder.isRecorded(runId));
    expect(clock.pending).toBe(0);
    await recorder.close();
  });

  it('waits for the user’s next token when OFB refuses the one it had', async () => {
    const { tracker, authority, open, present } = setup();
    authority.script.push('expired');
    const recorder = await open();
    present('old-token');
    const runId = await finishedRun(tracker, 'run_aaaaaaaa04');
    await recorder.executes(runId, ADA);
    recorder.finished(runId);
    await settle();
    expect(recorder.isRecorded(runId)).toBe(false);
    present('new-token');
    await settle();
    expect(authority.recorded.map((r) => r.token)).toEqual(['new-token']);
    await recorder.close();
  });

  it('gives up on any other refusal, saying so, until the next start', async () => {
    const { tracker, authority, open, present, warnings } = setup();
    authority.script.push('forbidden');
    const recorder = await open();
    present('token-1');
    const runId = await finishedRun(tracker, 'run_aaaaaaaa05');
    await recorder.executes(runId, ADA);
    recorder.finished(runId);
    await settle();
    expect(recorder.isRecorded(runId)).toBe(false);
    expect(warnings.join('\n')).toContain('refused it: a viewer');
    await recorder.close();
    const restarted = await open();
    restarted.catchUp(() => true);
    await until(() => restarted.isRecorded(runId));
    expect(authority.recorded.map((r) => r.record.runId)).toEqual([runId]);
    await restarted.close();
  });

  it('records with the token of the starter’s id, never of another user going by the same name', async () => {
    const { clock, tokens, tracker, authority, open, present } = setup();
    const recorder = await open();
    const runId = await finishedRun(tracker, 'run_aaaaaaaa08');
    await recorder.executes(runId, ADA);
    // A user OFB names by id (no user row) may carry the starter's name: their token is not hers.
    tokens.present({ userId: 'u2', userName: 'ada', exp: clock.now() / 1000 + 7200 }, 'impostor');
    recorder.finished(runId);
    await settle();
    expect(authority.calls).toBe(0);
    present('token-1');
    await until(() => recorder.isRecorded(runId));
    expect(authority.recorded.map((r) => r.token)).toEqual(['token-1']);
    await recorder.close();
  });

  it('records a run another process started with the one user of its starter’s name, none when two share it', async () => {
    const { clock, tokens, tracker, authority, open, present } = setup();
    const recorder = await open();
    const runId = await finishedRun(tracker, 'run_aaaaaaaa09');
    // Resumed here for cy: its journal names ada, who this orchestrator never executed it for.
    await recorder.executes(runId, { userId: 'u3', userName: 'cy' });
    tokens.present({ userId: 'u3', userName: 'cy', exp: clock.now() / 1000 + 3600 }, 'cy-token');
    tokens.present({ userId: 'u2', userName: 'ada', exp: clock.now() / 1000 + 3600 }, 'other-ada');
    present('token-1');
    recorder.finished(runId);
    await settle();
    expect(authority.calls).toBe(0);
    tokens.revoke('other-ada');
    present('token-2');
    await until(() => recorder.isRecorded(runId));
    expect(authority.recorded.map((r) => r.token)).toEqual(['token-2']);
    await recorder.close();
  });

  it('after a restart, records what was missed and never a run twice', async () => {
    const { tracker, authority, open, present } = setup();
    const first = await open();
    present('token-1');
    const recorded = await finishedRun(tracker, 'run_aaaaaaaa06');
    const missed = await finishedRun(tracker, 'run_aaaaaaaa07');
    await first.executes(recorded, ADA);
    await first.executes(missed, ADA);
    first.finished(recorded);
    await settle();
    await first.close();
    expect(authority.calls).toBe(1);

    const second = await open();
    expect(second.executedFor(missed)).toEqual(ADA);
    expect(second.isRecorded(recorded)).toBe(true);
    second.catchUp(() => true);
    await until(() => second.isRecorded(missed));
    expect(authority.recorded.map((r) => r.record.runId)).toEqual([recorded, missed]);
    expect(authority.calls).toBe(2);
    await second.close();
  });
});
