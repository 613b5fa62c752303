// What the CLI's tests share: the built bin run as a real process (whole, or followed line by line),
// temp folders, and an offline workflow file (read-code → split-text → map → filter, summarize and
// join-text on the local instrument) with the notes it reads.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NodeId, NodeLibrary, type Workflow, type WorkflowNode } from '@symphony/schemas';
import { workflowFileJson } from '../src/sources/workflow-file.js';
import { cliEnv } from '../src/testing/serve-process.js';

/** The environment of a CLI process (the kit's, shared with `symphony serve`'s tests and benchmarks). */
export { cliEnv };

/** The built bin; the test command builds (`npx tsc -b`) before vitest runs. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** What a finished CLI process left. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Temp folders removed by {@link removeTempDirs}. */
const dirs: string[] = [];

/** A fresh temp folder. */
export function tempDir(prefix = 'symphony-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made. */
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Options of a CLI process. */
export interface CliOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed (closed at once when absent). */
  readonly stdin?: string;
}

/** Starts `symphony ...args` as a real process. */
export function startCli(args: readonly string[], options: CliOptions): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env });
  child.stdin.end(options.stdin ?? '');
  return child;
}

/** Runs `symphony ...args` to its end. */
export function cli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return finished(startCli(args, options));
}

/** What `child` writes until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves with the first line `child` writes to `stream` that `match` accepts (rejects if it exits first). */
export function lineOf(
  child: ChildProcessWithoutNullStreams,
  stream: 'stdout' | 'stderr',
  match: (line: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const found = lines.find(match);
      if (found !== undefined) {
        child[stream].off('data', onData);
        resolve(found);
      }
    };
    child[stream].on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`symphony exited (${code}) before writing the line waited for`)),
    );
  });
}

/** The offline workflow's node ids, by role. */
export const Nodes = {
  read: 'nread' as NodeId,
  split: 'nsplit' as NodeId,
  map: 'nmap' as NodeId,
  filter: 'nfilter' as NodeId,
  summarize: 'nsum' as NodeId,
  join: 'njoin' as NodeId,
};

/** The notes the offline workflow reads. */
export const NOTES = `Symphony runs workflows durably. Every state change is journaled before it is acted on.

The artifact store is content addressed. Identical content is stored once, and every read is verified.

Caching means a node whose inputs did not change is not run again. Its outputs come from the store.
`;

function node(type: string, params: Record<string, unknown>, label?: string): WorkflowNode {
  const spec = NodeLibrary.get(type);
  if (spec === undefined) throw new Error(`no node type ${type} in the library`);
  return {
    type,
    kind: spec.kind,
    params: { ...spec.defaults, ...params },
    position: { x: 0, y: 0 },
    ...(label ? { label } : {}),
  };
}

/**
 * A workflow of offline node types only, from the node library: read-code (`path` in the granted
 * folder) → split-text → map → filter, and read-code → summarize (local model) → join-text.
 */
export function offlineWorkflow(path = 'notes.txt'): Workflow {
  const edge = (from: NodeId, fromPort: string, to: NodeId, toPort: string) => ({
    from: { node: from, port: fromPort },
    to: { node: to, port: toPort },
  });
  return {
    name: 'Offline notes',
    nodes: {
      [Nodes.read]: node('read-code', { path }, 'Notes'),
      [Nodes.split]: node('split-text', { by: 'paragraph' }),
      [Nodes.map]: node('map', { template: '- {{item}}' }),
      [Nodes.filter]: node('filter', { pattern: 'store' }),
      [Nodes.summarize]: node('summarize', { model: 'local', length: 'short' }),
      [Nodes.join]: node('join-text', { separator: '\n---\n' }),
    },
    edges: {
      e1: edge(Nodes.read, 'code', Nodes.split, 'text'),
      e2: edge(Nodes.split, 'chunks', Nodes.map, 'items'),
      e3: edge(Nodes.map, 'items', Nodes.filter, 'items'),
      e4: edge(Nodes.read, 'code', Nodes.summarize, 'text'),
      e5: edge(Nodes.summarize, 'summary', Nodes.join, 'parts'),
      e6: edge(Nodes.read, 'code', Nodes.join, 'parts'),
    },
  } as Workflow;
}

/** A project folder: `notes/notes.txt`, `workflow.json` (the offline workflow) and a config folder. */
export interface Project {
  readonly dir: string;
  readonly notes: string;
  readonly workflowFile: string;
  readonly configDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Runs `symphony ...args` in the project folder. */
  run(args: readonly string[], stdin?: string): Promise<CliResult>;
}

/** A fresh {@link Project}. */
export function project(workflow: Workflow = offlineWorkflow()): Project {
  const dir = tempDir();
  const notes = join(dir, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'notes.txt'), NOTES);
  const workflowFile = join(dir, 'workflow.json');
  writeFileSync(workflowFile, workflowFileJson(workflow));
  const configDir = join(dir, 'config');
  const env = cliEnv(configDir);
  return {
    dir,
    notes,
    workflowFile,
    configDir,
    env,
    run: (args, stdin) => cli(args, { cwd: dir, env, ...(stdin === undefined ? {} : { stdin }) }),
  };
}

/** Whether `text` holds what a terminal acts on rather than prints: an escape (ESC) or a carriage return. */
export function hasControlCodes(text: string): boolean {
  return text.includes('\u001b') || text.includes('\r');
}
