// What `symphony run --json` (and `runs resume/rerun --json`) print: one JSON object per line, each
// a journal record, a step's progress, or a refused workflow's findings. Parse a line with
// `RunOutputLine.parse(JSON.parse(line))`.
import { NodeId, RunEvent, RunId } from '@symphony/schemas';
import { z } from 'zod';

/** One line of a run's NDJSON output. */
export const RunOutputLine = z.discriminatedUnion('kind', [
  /** A journal record, once it is durable, exactly as the journal holds it. */
  z.object({ kind: z.literal('event'), event: RunEvent }),
  /** A step's progress (not journaled). */
  z.object({
    kind: z.literal('progress'),
    runId: RunId,
    nodeId: NodeId,
    attempt: z.number().int().min(1),
    fraction: z.number().min(0).max(1).optional(),
    message: z.string().optional(),
    /** Streamed output text, appended to what came before. */
    tokens: z.string().optional(),
  }),
  /** The workflow was refused (nothing was started); the shared validation findings. */
  z.object({
    kind: z.literal('refused'),
    findings: z.array(
      z.object({
        code: z.string(),
        severity: z.enum(['error', 'warning']),
        target: z.object({ kind: z.enum(['node', 'edge', 'workflow']), id: z.string().optional() }),
        message: z.string(),
        hint: z.string(),
      }),
    ),
  }),
]);
export type RunOutputLine = z.infer<typeof RunOutputLine>;

/** `line` as one NDJSON line (newline-terminated). */
export function ndjson(line: RunOutputLine): string {
  return `${JSON.stringify(line)}\n`;
}
