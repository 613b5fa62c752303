// Tests of workflow files as a run's source: real files in a temporary folder, pinned by their bytes,
// refused with problems that say where.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instantiateTemplate, type Workflow, WorkflowTemplates } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorInputError } from '../executor/errors.js';
import {
  MAX_WORKFLOW_FILE_BYTES,
  WorkflowSourceError,
  WorkflowSourceErrorCode,
} from './WorkflowSourceError.js';
import { loadWorkflowFile, workflowFileJson } from './workflow-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symphony-workflow-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const workflow: Workflow = instantiateTemplate(WorkflowTemplates[0]!, 'Summarize notes', { read: 'notes' });

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function refusal(path: string): Promise<WorkflowSourceError> {
  const error = await loadWorkflowFile(path).then(
    () => {
      throw new Error('expected the file to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowSourceError);
  return error as WorkflowSourceError;
}

describe('loadWorkflowFile', () => {
  it('loads the board’s export and pins it by the SHA-256 of its bytes', async () => {
    const text = workflowFileJson(workflow);
    const path = await file('export.workflow.json', text);
    const loaded = await loadWorkflowFile(path);
    expect(loaded.workflow).toEqual(workflow);
    expect(loaded.source).toEqual({
      kind: 'file',
      path,
      hash: createHash('sha256').update(text).digest('hex'),
    });
    // A byte more (the same workflow, reformatted) is another version.
    const other = await loadWorkflowFile(await file('compact.workflow.json', `${text} `));
    expect(other.workflow).toEqual(workflow);
    expect(other.source).not.toEqual(loaded.source);
  });

  it('takes a file that starts with a byte-order mark', async () => {
    const loaded = await loadWorkflowFile(await file('bom.json', `\uFEFF${workflowFileJson(workflow)}`));
    expect(loaded.workflow.name).toBe('Summarize notes');
  });

  it('refuses JSON that does not parse, naming the line and column', async () => {
    const error = await refusal(
      await file('broken.json', '{\n  "format": "symphony-workflow",\n  "version" 1\n}'),
    );
    expect(error.code).toBe(WorkflowSourceErrorCode.notJson);
    expect(error.message).toMatch(/line 3, column \d+/);
    expect(error.problems[0]?.path).toMatch(/^line 3, column \d+$/);
    const truncated = await refusal(await file('truncated.json', '{"format": "symphony-'));
    expect(truncated.code).toBe(WorkflowSourceErrorCode.notJson);
    expect(truncated.message).toContain('line 1');
    const binary = await refusal(await file('binary.json', new Uint8Array([0xff, 0xfe, 0x00])));
    expect(binary.code).toBe(WorkflowSourceErrorCode.notJson);
  });

  it('refuses a bare workflow with how to wrap it, and other JSON as not an export', async () => {
    const bare = await refusal(await file('bare.json', JSON.stringify(workflow)));
    expect(bare.code).toBe(WorkflowSourceErrorCode.notAWorkflow);
    expect(bare.message).toContain('"format": "symphony-workflow"');
    const list = await refusal(await file('list.json', '[1, 2]'));
    expect(list.problems).toEqual([expect.objectContaining({ path: 'format' })]);
  });

  it('refuses what the shared gate refuses, with each problem’s path', async () => {
    const [first] = Object.keys(workflow.nodes);
    const teleport = structuredClone(workflow) as Workflow;
    const node = teleport.nodes[first as keyof Workflow['nodes']]!;
    node.type = 'teleport';
    const unknown = await refusal(await file('unknown.json', workflowFileJson(teleport)));
    expect(unknown.code).toBe(WorkflowSourceErrorCode.notAWorkflow);
    expect(unknown.problems).toContainEqual({
      path: `workflow.nodes.${first}.type`,
      message: 'unknown node type "teleport"',
    });
    const shape = await refusal(
      await file(
        'shape.json',
        JSON.stringify({ format: 'symphony-workflow', version: 1, workflow: { name: '', nodes: [] } }),
      ),
    );
    expect(shape.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['workflow.name', 'workflow.nodes', 'workflow.edges']),
    );
    const version = await refusal(
      await file('v2.json', JSON.stringify({ format: 'symphony-workflow', version: 2, workflow })),
    );
    expect(version.problems.map((p) => p.path)).toContain('version');
  });

  it('refuses a file over 10 MiB without reading it, a missing file and a folder', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, '');
    await truncate(big, MAX_WORKFLOW_FILE_BYTES + 1);
    expect((await refusal(big)).code).toBe(WorkflowSourceErrorCode.tooLarge);
    const missing = await refusal(join(dir, 'nowhere.json'));
    expect(missing.code).toBe(WorkflowSourceErrorCode.unreadable);
    expect(missing.message).toContain('no such file');
    await mkdir(join(dir, 'folder.json'));
    expect((await refusal(join(dir, 'folder.json'))).message).toContain('folder');
    await expect(loadWorkflowFile('')).rejects.toThrow(OrchestratorInputError);
  });
});
