// Steps that leave a trace: each call sleeps a small seeded delay, runs the real step, then records
// one effect line (durably, in an append-only file) before it returns, so a test can tell how often
// and when every node really ran. write-document nodes write one tagged line each.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { NodeId, RunId } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';
import type { Step, StepContext } from '../steps/Step.js';

/** One call of a step that returned: which node, which attempt, which process, and when (ms). */
export const EffectLine = z.object({
  runId: z.string(),
  nodeId: z.string(),
  attempt: z.number().int().positive(),
  pid: z.number().int().positive(),
  t: z.number(),
});
export type EffectLine = z.infer<typeof EffectLine>;

/** Where effect lines go; `append` resolves once the line is durable. */
export interface EffectSink {
  append(line: EffectLine): Promise<void>;
}

/** Thrown for an effects file that holds a line that is not an {@link EffectLine}. */
export class EffectLogError extends Error {
  override name = 'EffectLogError';
}

/**
 * An append-only file of effect lines (NDJSON), opened `O_APPEND | O_DSYNC`: each line is one
 * `write`, so lines of concurrent steps never interleave, and it is on disk when `append` resolves.
 */
export class FileEffectLog implements EffectSink {
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Opens (creating) the effects file at `path` for appending. */
  static async open(path: string): Promise<FileEffectLog> {
    const file = parseArgs('FileEffectLog.open', z.string().min(1), path);
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_DSYNC ?? 0);
    return new FileEffectLog(await open(file, flags, 0o644));
  }

  async append(line: EffectLine): Promise<void> {
    await this.#handle.write(`${JSON.stringify(EffectLine.parse(line))}\n`);
    if (constants.O_DSYNC === undefined) await this.#handle.datasync();
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/** Every line of an effects file (none when it does not exist). Throws {@link EffectLogError} for a bad line. */
export async function readEffects(path: string): Promise<EffectLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines: EffectLine[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new EffectLogError(`${path}, line ${i + 1}: not JSON (a torn write?): ${raw.slice(0, 80)}`);
    }
    const line = EffectLine.safeParse(parsed);
    if (!line.success)
      throw new EffectLogError(`${path}, line ${i + 1}: not an effect line: ${raw.slice(0, 80)}`);
    lines.push(line.data);
  }
  return lines;
}

/** The tag that starts the line a write-document node of the kill test writes: `⟦runId/nodeId⟧`. */
export function writeTag(effectKey: string): string {
  return `⟦${effectKey}⟧`;
}

/** The line a write-document node writes for `text`: its tag, the text on one line, a newline. */
export function writtenLine(effectKey: string, text: string): string {
  return `${writeTag(effectKey)} ${text.replace(/\s*\n\s*/g, ' ').trim()}\n`;
}

/** The tagged lines of a document's text: run, node and body of each, in document order. */
export function taggedLines(text: string): { runId: RunId; nodeId: NodeId; body: string }[] {
  const found: { runId: RunId; nodeId: NodeId; body: string }[] = [];
  for (const line of text.split('\n')) {
    const match = /^⟦(run_[a-z0-9]+)\/([^⟧]+)⟧ ?(.*)$/.exec(line);
    if (match) found.push({ runId: match[1] as RunId, nodeId: match[2] as NodeId, body: match[3]! });
  }
  return found;
}

/** What {@link recordingSteps} does around every step. */
export interface RecordingOptions {
  /** Seeds every delay, with the call's idempotency key. */
  readonly seed: number;
  /** Where the effect lines go. */
  readonly sink: EffectSink;
  /** The longest delay before a step runs, in ms (15). */
  readonly maxDelayMs?: number;
  /** Told after each effect line is durable (a child announces it, so a test can kill right there). */
  readonly onEffect?: (line: EffectLine) => void;
  /** The clock of the effect lines (`Date.now`). */
  readonly now?: () => number;
}

/** The delay, in ms, before a call with `idempotencyKey` runs: 0–`max`, the same on every replay. */
export function seededDelay(seed: number, idempotencyKey: string, max: number): number {
  const digest = createHash('sha256').update(`${seed}/${idempotencyKey}`).digest();
  return prng.int32(prng.create(digest.readUInt32LE(0)), 0, max);
}

/**
 * `steps`, each wrapped: sleep {@link seededDelay} (aborted with the step's signal), run the real
 * step, append one {@link EffectLine} (durable) and only then return the step's outputs. A
 * write-document node's text is replaced by its {@link writtenLine}, so each writes one line
 * that names its run and node.
 */
export function recordingSteps(
  steps: ReadonlyMap<string, Step>,
  options: RecordingOptions,
): Map<string, Step> {
  const { seed, sink, maxDelayMs = 15, onEffect, now = Date.now } = options;
  const wrapped = new Map<string, Step>();
  for (const [type, step] of steps) {
    wrapped.set(type, {
      ...step,
      run: async (context: StepContext) => {
        await sleep(seededDelay(seed, context.idempotencyKey, maxDelayMs), context.signal);
        const outputs = await step.run(type === 'write-document' ? tagged(context) : context);
        const line: EffectLine = {
          runId: context.runId,
          nodeId: context.nodeId,
          attempt: context.attempt,
          pid: process.pid,
          t: now(),
        };
        await sink.append(line);
        onEffect?.(line);
        return outputs;
      },
    });
  }
  return wrapped;
}

function tagged(context: StepContext): StepContext {
  const text = context.inputs.text?.[0];
  const line = writtenLine(context.effectKey, typeof text === 'string' ? text : JSON.stringify(text));
  return { ...context, inputs: { ...context.inputs, text: [line] } };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
