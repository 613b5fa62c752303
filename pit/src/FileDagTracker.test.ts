// Runs the DagTracker acceptance suite against FileDagTracker, then what only files can suffer: a
// journal torn by a crash at any byte of its last record, a damaged middle, a record that is framed
// correctly but is not a run event.
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunEvent, RunLimits } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecords, RECORD_HEADER_BYTES } from './append-log.js';
import { JournalCorruptError, PitInputError } from './errors.js';
import { FileDagTracker, type JournalWarning } from './FileDagTracker.js';
import {
  lifecycleEvents,
  queuedEvent,
  runDagTrackerTests,
  startedEvent,
  testRunId,
} from './testing/dag-tracker-acceptance.js';

const quiet = { onWarning: () => {} };

runDagTrackerTests('FileDagTracker', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pit-journal-'));
  const runsDir = join(dir, '.symphony', 'runs');
  return {
    tracker: await FileDagTracker.open(runsDir, quiet),
    reopen: () => FileDagTracker.open(runsDir, quiet),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FileDagTracker on damaged files', () => {
  let dir: string;
  let warnings: JournalWarning[];
  const open = () => FileDagTracker.open(dir, { onWarning: (_message, warning) => warnings.push(warning) });
  const run = testRunId(7);
  const file = () => join(dir, `${run}.journal`);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pit-journal-'));
    warnings = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Records `events` with a fresh tracker, closes it, and returns the journal's bytes. */
  async function journalOf(events: RunEvent[]): Promise<Buffer> {
    const tracker = await open();
    for (const event of events) await tracker.record(event);
    await tracker.close();
    return readFile(file());
  }

  it('drops a last record torn at any byte, keeps every record before it, and appends after them', async () => {
    const events = lifecycleEvents(run).slice(0, 5);
    const whole = await journalOf(events);
    const lastStart = whole.length - (RECORD_HEADER_BYTES + Buffer.byteLength(JSON.stringify(events[4])));
    const seed = Number(process.env.JOURNAL_TEAR_SEED ?? 1414);
    const gen = prng.create(seed);
    const cuts = new Set([lastStart + 1, lastStart + RECORD_HEADER_BYTES, whole.length - 1]);
    while (cuts.size < 24) cuts.add(prng.int32(gen, lastStart + 1, whole.length - 1));
    for (const cut of cuts) {
      const context = `seed ${seed}, torn at byte ${cut} of ${whole.length} (last record starts at ${lastStart})`;
      await writeFile(file(), whole.subarray(0, cut));
      warnings = [];
      const tracker = await open();
      const kept = await tracker.history(run);
      expect(kept, context).toHaveLength(4);
      expect(warnings, context).toMatchObject([
        { kind: 'torn', keptBytes: lastStart, droppedBytes: cut - lastStart },
      ]);
      await tracker.record(queuedEvent(run, 'after-crash'));
      expect(
        (await tracker.history(run)).map((e) => e.type),
        context,
      ).toEqual(['run.started', 'node.queued', 'node.running', 'node.succeeded', 'node.queued']);
      expect(warnings, `${context}: reported once`).toHaveLength(1);
      await tracker.close();
      const reopened = await open();
      expect(await reopened.history(run), context).toHaveLength(5);
      await reopened.close();
      expect(warnings, `${context}: the cut is durable`).toHaveLength(1);
    }
  });

  it('refuses a journal with a flipped byte in the middle with JournalCorruptError, and never changes it', async () => {
    const events = lifecycleEvents(run);
    const whole = await journalOf(events);
    const sizes = events.map((e) => RECORD_HEADER_BYTES + Buffer.byteLength(JSON.stringify(e)));
    const thirdStart = sizes[0]! + sizes[1]!;
    const damaged = Buffer.from(whole);
    damaged[thirdStart + RECORD_HEADER_BYTES + 5]! ^= 0x20;
    await writeFile(file(), damaged);
    const tracker = await open();
    const where = new RegExp(
      `run ${run} .*damaged at record 3 of ${events.length}.*Nothing was changed.*move it out`,
    );
    await expect(tracker.history(run)).rejects.toThrow(JournalCorruptError);
    await expect(tracker.history(run)).rejects.toThrow(where);
    expect(await readFile(file())).toEqual(damaged);
    await expect(tracker.record(queuedEvent(run, 'after-damage'))).rejects.toThrow(JournalCorruptError);
    await expect(tracker.record(queuedEvent(run, 'again'))).rejects.toThrow(where);
    expect(await readFile(file())).toEqual(damaged);
    expect(await tracker.runs()).toEqual([run]);
    expect(warnings).toEqual([]);
    await tracker.close();
    const reopened = await open();
    await expect(reopened.history(run)).rejects.toThrow(where);
    await reopened.close();
    expect(await readFile(file())).toEqual(damaged);
  });

  it('reports a repair made by an append it was not asked to read first', async () => {
    const whole = await journalOf(lifecycleEvents(run).slice(0, 3));
    await writeFile(file(), whole.subarray(0, whole.length - 3));
    const tracker = await open();
    await tracker.record(queuedEvent(run, 'x'));
    expect(warnings).toMatchObject([
      { kind: 'torn', droppedBytes: whole.length - 3 - warnings[0]!.keptBytes },
    ]);
    expect(await tracker.history(run)).toHaveLength(3);
    await tracker.close();
  });

  it('refuses a checksum-valid record that is not a run event with JournalCorruptError naming file and record', async () => {
    await journalOf(lifecycleEvents(run).slice(0, 2));
    const bad = [
      {
        record: JSON.stringify({ type: 'node.queued', runId: run, at: 1 }),
        problem: /not a valid run event/,
      },
      { record: '{"type": "node.queued", "runId":', problem: /not JSON/ },
      { record: JSON.stringify(queuedEvent(testRunId(8), 'n')), problem: /belongs to run/ },
    ];
    for (const { record, problem } of bad) {
      const whole = await readFile(file());
      await appendFile(file(), encodeRecords([Buffer.from(record)]));
      const tracker = await open();
      const error = await tracker.history(run).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JournalCorruptError);
      expect((error as Error).message).toContain(file());
      expect((error as Error).message).toContain('record 3 of 3');
      expect((error as Error).message).toMatch(problem);
      expect((error as Error).message).toMatch(/restore the journal from a backup, or move/);
      await tracker.close();
      expect(await readFile(file()), 'nothing was changed').toEqual(
        Buffer.concat([whole, encodeRecords([Buffer.from(record)])]),
      );
      await writeFile(file(), whole);
    }
    const nonUtf8 = Buffer.from([0xff, 0xfe, 0x7b]);
    await appendFile(file(), encodeRecords([nonUtf8]));
    const tracker = await open();
    await expect(tracker.history(run)).rejects.toThrow(/not UTF-8/);
    await tracker.close();
  });

  it('refuses an event too big for a record, writing nothing', async () => {
    const tracker = await open();
    await tracker.record(startedEvent(run));
    const valid = queuedEvent(run, 'n');
    const failed = {
      type: 'node.failed',
      runId: run,
      at: 3,
      nodeId: 'n',
      attempt: 1,
      error: {
        code: 'step_failed',
        message: 'm',
        retryable: false,
        details: { blob: 'x'.repeat(RunLimits.maxRecordBytes) },
      },
    } as unknown as RunEvent;
    await expect(tracker.record(valid, failed)).rejects.toThrow(PitInputError);
    await expect(tracker.record(failed)).rejects.toThrow(/RunLimits.maxRecordBytes/);
    expect(await tracker.history(run)).toHaveLength(1);
    await tracker.close();
  });

  it('creates its folder, lists only runs with an intact record, and reopens a finished run to append', async () => {
    const nested = join(dir, 'a', 'b', 'runs');
    const tracker = await FileDagTracker.open(nested, quiet);
    expect(await tracker.runs()).toEqual([]);
    const [a, b, c] = [testRunId(1), testRunId(2), testRunId(3)];
    await tracker.record(...lifecycleEvents(a));
    await tracker.record(startedEvent(c));
    const first = encodeRecords([Buffer.from(JSON.stringify(startedEvent(b)))]);
    await writeFile(join(nested, `${b}.journal`), first.subarray(0, first.length - 1));
    await writeFile(join(nested, 'notes.txt'), 'not a journal');
    await writeFile(join(nested, 'run_UPPER.journal'), first);
    expect(await tracker.runs()).toEqual([a, c]);
    await tracker.record(queuedEvent(a, 'after-finish'));
    expect(await tracker.history(a)).toHaveLength(lifecycleEvents(a).length + 1);
    await tracker.close();
    expect((await readdir(nested)).sort()).toEqual(
      [`${a}.journal`, `${b}.journal`, `${c}.journal`, 'notes.txt', 'run_UPPER.journal'].sort(),
    );
    expect((await stat(join(nested, `${b}.journal`))).size, 'a reader never cuts').toBe(first.length - 1);
  });
});
