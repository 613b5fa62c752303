// What the tests of `symphony serve` share: a real team server (the built `symphony-server` bin,
// OFB embedded) with users, workspaces, workflows and documents made through OFB and a stock
// automerge-repo client (`@symphony/server/testing`); the built `symphony serve` as a real process
// and a WebSocket client of the monitor's live stream (`@symphony/orchestrator/testing`'s kit, here
// in temp folders); raw HTTP requests (any Host, any Origin).
import { request } from 'node:http';
import type { DocumentId, NodeId, Workflow, WorkflowNode } from '@symphony/schemas';
import { NodeLibrary } from '@symphony/schemas';
import { startTeamServer as startTeamServerIn, type TeamServer } from '@symphony/server/testing';
import { type Serve, startServe as startServeIn } from '../src/testing/serve-process.js';
import { tempDir } from './cli-harness.js';

export type { TeamServer, User } from '@symphony/server/testing';
export {
  createDocument,
  PASSWORD,
  shareWorkflow,
  signIn,
  signUp,
  stopTeamServer,
  workspace,
} from '@symphony/server/testing';
export type { Serve } from '../src/testing/serve-process.js';
export { LiveClient } from '../src/testing/serve-process.js';

/** Starts the team server bin (no orchestrator of its own) in a temp folder. */
export function startTeamServer(): Promise<TeamServer> {
  return startTeamServerIn(tempDir('symphony-serve-team-'));
}

/** A node of the library's `type` with `params` over its defaults. */
export function node(type: string, params: Record<string, unknown> = {}): WorkflowNode {
  const spec = NodeLibrary.get(type);
  if (spec === undefined) throw new Error(`no node type ${type}`);
  return { type, kind: spec.kind, params: { ...spec.defaults, ...params }, position: { x: 0, y: 0 } };
}

/** `read-document` (source) → `summarize` (local) → `write-document` (append to target). */
export function summarizeDocument(source: DocumentId, target: DocumentId): Workflow {
  const edge = (from: string, fromPort: string, to: string, toPort: string) => ({
    from: { node: from as NodeId, port: fromPort },
    to: { node: to as NodeId, port: toPort },
  });
  return {
    name: 'Summarize a document',
    nodes: {
      read: node('read-document', { documentId: source }),
      sum: node('summarize', { model: 'local', length: 'short' }),
      write: node('write-document', { documentId: target, mode: 'append' }),
    },
    edges: { e1: edge('read', 'document', 'sum', 'text'), e2: edge('sum', 'summary', 'write', 'text') },
  } as unknown as Workflow;
}

/** Starts `symphony serve --port 0 --server <team> --data-dir <dataDir>` (temp folders) and waits for its ready line. */
export function startServe(
  team: TeamServer,
  options: { dataDir?: string; env?: Record<string, string>; args?: readonly string[]; port?: number } = {},
): Promise<Serve> {
  return startServeIn(team.origin, {
    ...options,
    dataDir: options.dataDir ?? tempDir('symphony-serve-data-'),
    configDir: tempDir('symphony-serve-config-'),
  });
}

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The body as JSON (undefined when it is not). */
  readonly json: unknown;
}

/** One request to `serve` with full control of the headers (Host and Origin included). */
export function call(
  serve: Pick<Serve, 'port'>,
  path: string,
  options: {
    method?: string;
    token?: string;
    body?: unknown;
    rawBody?: string | Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const body =
    options.rawBody ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: serve.port,
        path,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The error code of a refusal's body. */
export function codeOf(answer: Answer): string | undefined {
  return (answer.json as { error?: { code?: string } } | undefined)?.error?.code;
}
