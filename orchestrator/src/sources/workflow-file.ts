// Workflow export files as a run's source: read the bytes (bounded), pin them by SHA-256, and check
// they are a `symphony-workflow` export the server's gate would take.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  ArtifactHash,
  checkWorkflowDocument,
  type RunSource,
  Workflow,
  WorkflowFile,
} from '@symphony/schemas';
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';
import {
  MAX_WORKFLOW_FILE_BYTES,
  type WorkflowProblem,
  WorkflowSourceError,
  WorkflowSourceErrorCode,
} from './WorkflowSourceError.js';

/** A workflow to run and the exact version it is pinned to. */
export interface LoadedWorkflow {
  readonly workflow: Workflow;
  readonly source: RunSource;
}

/**
 * Reads a workflow export (`{ "format": "symphony-workflow", "version": 1, "workflow": … }`, what
 * the board's "Export" writes) and pins it by the SHA-256 of its bytes. Throws a
 * {@link WorkflowSourceError}: `unreadable`, `too_large` (over 10 MiB), `not_json` (naming the line
 * and column), or `not_a_workflow` with the shared gate's problems (shape, unknown node types,
 * parameters that are not plain JSON). A bare workflow object is refused with how to wrap it: one
 * file format, so a file that runs is also a file the board imports.
 */
export async function loadWorkflowFile(path: string): Promise<LoadedWorkflow> {
  const file = parseArgs('loadWorkflowFile', z.string().min(1).max(4096), path);
  const bytes = await readCapped(file, MAX_WORKFLOW_FILE_BYTES);
  return parseWorkflowFileBytes(bytes, file);
}

/**
 * The pure part of {@link loadWorkflowFile}: checks `bytes` read from `path` and pins them.
 * Throws a {@link WorkflowSourceError} as it does.
 */
export function parseWorkflowFileBytes(bytes: Uint8Array, path: string): LoadedWorkflow {
  if (bytes.byteLength > MAX_WORKFLOW_FILE_BYTES) throw tooLarge(path, bytes.byteLength);
  const hash = ArtifactHash.parse(createHash('sha256').update(bytes).digest('hex'));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new WorkflowSourceError(
      WorkflowSourceErrorCode.notJson,
      `${path} is not UTF-8 text; a workflow file is the JSON the board exports`,
    );
  }
  const json = parseJson(text, path);
  const workflow = workflowOf(json, path);
  return { workflow, source: { kind: 'file', path, hash } };
}

/** A workflow as an export file's text, as the board writes it (pretty-printed, newline-terminated). */
export function workflowFileJson(workflow: Workflow): string {
  const file: WorkflowFile = { format: 'symphony-workflow', version: 1, workflow };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function parseJson(text: string, path: string): unknown {
  // A BOM is not JSON, but editors on some systems write one; the hash still covers it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(reason);
    const { line, column } = lineColumn(body, at ? Number(at[1]) : body.length);
    const what = reason.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    throw new WorkflowSourceError(
      WorkflowSourceErrorCode.notJson,
      `${path} is not valid JSON: line ${line}, column ${column}: ${what}`,
      [{ path: `line ${line}, column ${column}`, message: what }],
    );
  }
}

/** 1-based line and column of a UTF-16 offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lastBreak = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: before.length - lastBreak };
}

function workflowOf(json: unknown, path: string): Workflow {
  const record = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : undefined;
  if (record !== undefined && !('format' in record) && 'nodes' in record && 'edges' in record) {
    throw notAWorkflow(path, [
      {
        path: '',
        message:
          'this is a bare workflow (name, nodes, edges); a workflow file is the board’s export: wrap it as {"format": "symphony-workflow", "version": 1, "workflow": {…}}',
      },
    ]);
  }
  const format = record && 'format' in record ? record.format : undefined;
  if (format !== 'symphony-workflow') {
    throw notAWorkflow(path, [
      {
        path: 'format',
        message: `is ${JSON.stringify(format) ?? 'missing'}; a workflow file has "format": "symphony-workflow" (export it from the board)`,
      },
    ]);
  }
  const parsed = WorkflowFile.safeParse(json);
  if (!parsed.success) {
    throw notAWorkflow(
      path,
      parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }
  const check = checkWorkflowDocument(parsed.data.workflow);
  if (!check.ok) {
    throw notAWorkflow(
      path,
      check.issues.map((issue) => ({ path: `workflow.${issue.path}`, message: issue.message })),
    );
  }
  return Workflow.parse(parsed.data.workflow);
}

function notAWorkflow(path: string, problems: WorkflowProblem[]): WorkflowSourceError {
  return new WorkflowSourceError(
    WorkflowSourceErrorCode.notAWorkflow,
    `${path} is not a workflow Symphony can run; fix these and run it again:`,
    problems,
  );
}

function tooLarge(path: string, bytes: number): WorkflowSourceError {
  return new WorkflowSourceError(
    WorkflowSourceErrorCode.tooLarge,
    `${path} is larger than 10 MiB (${bytes} bytes or more); a workflow export is far smaller: is it the right file?`,
  );
}

/** The file's bytes, refusing (without reading it all) a file larger than `max`. */
async function readCapped(path: string, max: number): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const stat = await handle.stat().catch((error: unknown) => {
      throw unreadable(path, error);
    });
    if (stat.isDirectory()) throw unreadable(path, { code: 'EISDIR' });
    const size = stat.size;
    if (size > max) throw tooLarge(path, size);
    // Read one byte past the limit, so a file that grew since `stat` is caught too.
    const buffer = Buffer.alloc(Math.min(size, max) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle
        .read(buffer, length, buffer.length - length, length)
        .catch((error: unknown) => {
          throw unreadable(path, error);
        });
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        throw length > max
          ? tooLarge(path, length)
          : unreadable(path, new Error('it changed while it was read'));
      }
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function unreadable(path: string, error: unknown): WorkflowSourceError {
  const code = (error as { code?: unknown } | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'there is no such file'
      : code === 'EISDIR'
        ? 'it is a folder, not a file'
        : code === 'EACCES'
          ? 'you may not read it'
          : error instanceof Error
            ? error.message
            : String(error);
  return new WorkflowSourceError(
    WorkflowSourceErrorCode.unreadable,
    `cannot read the workflow file ${path}: ${why}`,
  );
}
