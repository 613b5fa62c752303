// How a run event becomes a journal record and back, shared by the DagTracker adapters: parsed on
// the way in (misuse: PitInputError) and on the way out (damage: JournalCorruptError).
import { RunEvent, type RunId, RunLimits, Workflow } from '@symphony/schemas';
import { z } from 'zod';
import { JournalCorruptError, PitInputError, parseInput } from './errors.js';

/** Workflows {@link PinnedWorkflow} parsed that no tracker has taken yet. */
const pinned = new WeakSet<object>();

/**
 * The `Workflow` schema for a workflow about to be pinned by a run: a tracker of this package takes
 * the parsed object in the next `run.started` it records **without parsing it again** (a
 * 10,000-node workflow is ~2.5 MB, and a second parse costs ~10 µs per node at every run start).
 * Once only: the first `record` that takes it forgets it, so a copy handed out afterwards (in a
 * run's state) is parsed in full like any other. Between the parse and that record the object
 * must not be changed (the executor parses, validates and records it, and holds it alone
 * meanwhile); freezing it instead would cost as much as the parse it saves.
 */
export const PinnedWorkflow = Workflow.transform((workflow): Workflow => {
  pinned.add(workflow);
  return workflow;
});

const RunStarted = RunEvent.options[0];
if (RunStarted.shape.type.value !== 'run.started')
  throw new Error('journal-codec: RunEvent.options[0] must be run.started; update PinnedRunStarted');
/** `run.started` whose workflow {@link PinnedWorkflow} parsed: every other field is checked. */
const PinnedRunStarted = RunStarted.extend({ workflow: z.custom<Workflow>() });

/** `events` parsed with the `RunEvent` schema for `api`; throws {@link PitInputError} before anything is written. */
export function parseEvents(api: string, events: readonly unknown[]): RunEvent[] {
  const parsed = new Array<RunEvent>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as { type?: unknown; workflow?: unknown } | null;
    const preparsed =
      event?.type === 'run.started' && typeof event.workflow === 'object' && event.workflow !== null
        ? pinned.delete(event.workflow)
        : false;
    parsed[i] = parseInput(api, preparsed ? PinnedRunStarted : RunEvent, event);
  }
  return parsed;
}

/**
 * The JSON text of a parsed event, refused with {@link PitInputError} when it is larger than a
 * journal record may be (`RunLimits.maxRecordBytes`).
 */
export function eventJson(api: string, event: RunEvent): string {
  const json = JSON.stringify(event);
  // UTF-8 needs at most 3 bytes per UTF-16 unit: only texts that might be too big are measured.
  if (json.length * 3 > RunLimits.maxRecordBytes && Buffer.byteLength(json) > RunLimits.maxRecordBytes) {
    throw new PitInputError(api, [
      {
        code: 'custom',
        path: [],
        input: undefined,
        message: `a ${event.type} event is ${Buffer.byteLength(json)} bytes as JSON; a journal record may be at most ${RunLimits.maxRecordBytes} (RunLimits.maxRecordBytes): store large values as artifacts and journal their hashes`,
      } satisfies z.core.$ZodIssueCustom,
    ]);
  }
  return json;
}

/** Where a stored record is, and what its owner can do about a damaged one: for error messages. */
export interface RecordLocation {
  /** E.g. `run journal /x/.symphony/runs/run_….journal, record 12`. */
  readonly where: string;
  /** E.g. `move the file out of /x/.symphony/runs/ to set this run aside`. */
  readonly remedy: string;
}

/**
 * A stored event read back: parsed from JSON (a string, or a value a driver already parsed) with
 * the `RunEvent` schema, and checked to belong to `runId`. A record that passed its checksum but
 * is not a run event was written by something else: {@link JournalCorruptError}, naming the
 * record's location (computed only then).
 */
export function storedEvent(value: unknown, runId: RunId, locate: () => RecordLocation): RunEvent {
  let json = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch (error) {
      throw journalCorrupt(locate(), `is not JSON (${(error as Error).message})`);
    }
  }
  const parsed = RunEvent.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw journalCorrupt(locate(), `is not a valid run event (${issues})`);
  }
  if (parsed.data.runId !== runId)
    throw journalCorrupt(locate(), `belongs to run ${parsed.data.runId}, not ${runId}`);
  return parsed.data;
}

/** The error for a stored record that passed its checksum but is not what it must be. */
export function journalCorrupt(location: RecordLocation, problem: string): JournalCorruptError {
  return new JournalCorruptError(
    `${location.where} ${problem}. It passed its checksum, so it was stored this way (by an incompatible version of Symphony, or by hand) and nothing was changed: restore the journal from a backup, or ${location.remedy}.`,
  );
}
