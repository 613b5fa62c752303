// What the tests of `symphony serve` share: a real team server (the built `symphony-server` bin,
// OFB embedded) with users, workspaces, workflows and documents made through OFB and a stock
// automerge-repo client; the built `symphony serve` as a real process; raw HTTP requests (any Host,
// any Origin) and a WebSocket client of the monitor's live stream.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { request } from 'node:http';
import { next as A } from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import type {
  DocumentId,
  MonitorServerMessage,
  NodeId,
  Role,
  Workflow,
  WorkflowId,
  WorkflowNode,
} from '@symphony/schemas';
import { NodeLibrary } from '@symphony/schemas';
import { type RunningBin, startBin, stopped } from '@symphony/server/testing';
import { serverHas } from '@symphony/sync-server/testing';
import WebSocket from 'ws';
import { CLI, cliEnv, tempDir } from './cli-harness.js';

export const PASSWORD = 'correct horse battery';

/** A team server and how to call its OFB. */
export interface TeamServer {
  readonly bin: RunningBin;
  readonly origin: string;
  /** The folder it runs in (its data under `.symphony/`). */
  readonly dir: string;
  ofb<T>(name: string, body: unknown, token?: string): Promise<T>;
}

/** Starts the team server bin (no orchestrator of its own) in a temp folder. */
export async function startTeamServer(): Promise<TeamServer> {
  const dir = tempDir('symphony-serve-team-');
  const bin = await startBin(dir, [], {
    SYMPHONY_ORCHESTRATOR: 'off',
    OFB_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  const ofb = async <T>(name: string, body: unknown, token?: string): Promise<T> => {
    const response = await fetch(`${bin.origin}/functions/v1/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return { bin, origin: bin.origin, dir, ofb };
}

/** Stops the team server. */
export async function stopTeamServer(team: TeamServer | undefined): Promise<void> {
  if (team === undefined) return;
  team.bin.child.kill('SIGTERM');
  await stopped(team.bin.child);
}

/** A signed-up user and their access token. */
export interface User {
  readonly name: string;
  readonly userId: string;
  readonly token: string;
}

/** Signs `name` up (a fresh session). */
export async function signUp(team: TeamServer, name: string): Promise<User> {
  const session = await team.ofb<{ access_token: string; user: { id: string; name: string } }>('sign-up', {
    name,
    password: PASSWORD,
  });
  return { name, userId: session.user.id, token: session.access_token };
}

/** Another session of `user` (sign-in). */
export async function signIn(team: TeamServer, user: User): Promise<User> {
  const session = await team.ofb<{ access_token: string }>('sign-in', {
    name: user.name,
    password: PASSWORD,
  });
  return { ...user, token: session.access_token };
}

/** A workspace `owner` creates, with `members` invited at their roles (and accepted). */
export async function workspace(
  team: TeamServer,
  owner: User,
  members: readonly { user: User; role: Role }[] = [],
): Promise<string> {
  const { workspace: created } = await team.ofb<{ workspace: { id: string } }>(
    'create-workspace',
    { name: 'Lab' },
    owner.token,
  );
  for (const { user, role } of members) {
    const { invitation } = await team.ofb<{ invitation: { id: string } }>(
      'invite-member',
      { workspaceId: created.id, userName: user.name, role },
      owner.token,
    );
    await team.ofb('accept-invitation', { invitationId: invitation.id }, user.token);
  }
  return created.id;
}

/** Puts `workflow` on the team server in `workspaceId` through a stock automerge-repo client. */
export async function shareWorkflow(
  team: TeamServer,
  owner: User,
  workspaceId: string,
  workflow: Workflow,
): Promise<WorkflowId> {
  const draft = new Repo({ network: [] }).create<Workflow>(workflow);
  await team.ofb(
    'create-document',
    { workspaceId, id: draft.documentId, kind: 'workflow', title: workflow.name },
    owner.token,
  );
  const url = `${team.origin.replace('http', 'ws')}/automerge?token=${encodeURIComponent(owner.token)}`;
  const repo = new Repo({ network: [new WebSocketClientAdapter(url, 200)] });
  try {
    const handle = repo.import<Workflow>(A.save(draft.doc()), { docId: draft.documentId });
    await serverHas(repo, handle);
  } finally {
    await repo.shutdown();
  }
  return draft.documentId as unknown as WorkflowId;
}

/** A document `owner` creates in `workspaceId`. */
export async function createDocument(
  team: TeamServer,
  owner: User,
  workspaceId: string,
): Promise<DocumentId> {
  const { document } = await team.ofb<{ document: { id: string } }>(
    'create-document',
    { workspaceId, kind: 'document', title: 'Notes' },
    owner.token,
  );
  return document.id as DocumentId;
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

/** A running `symphony serve`. */
export interface Serve {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** What it wrote to stderr so far. */
  readonly stderr: string[];
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `symphony serve --port 0 --server <team> --data-dir <dataDir>` and waits for its ready line. */
export async function startServe(
  team: TeamServer,
  options: { dataDir?: string; env?: Record<string, string>; args?: readonly string[]; port?: number } = {},
): Promise<Serve> {
  const dataDir = options.dataDir ?? tempDir('symphony-serve-data-');
  const env = { ...cliEnv(tempDir('symphony-serve-config-')), ...options.env };
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      String(options.port ?? 0),
      '--server',
      team.origin,
      '--data-dir',
      dataDir,
      ...(options.args ?? []),
    ],
    { cwd: dataDir, env },
  );
  child.stdin.end();
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Symphony orchestrator is running at (http:\/\/\S+?)\/$/m.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr.join('')}`)));
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    dataDir,
    stderr,
    stop: (signal = 'SIGTERM') => {
      const exited = stopped(child);
      child.kill(signal);
      return exited;
    },
  };
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

/** A client of the monitor's live stream: every message it got, and waiting for the next that matches. */
export class LiveClient {
  readonly messages: MonitorServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set when the upgrade was refused: the HTTP status. */
  refusedWith: number | undefined;
  readonly #waiters: {
    match: (m: MonitorServerMessage) => boolean;
    resolve: (m: MonitorServerMessage) => void;
  }[] = [];
  #cursor = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as MonitorServerMessage;
      this.messages.push(message);
      for (const waiter of [...this.#waiters]) {
        if (waiter.match(message)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    socket.on('unexpected-response', (_req, res) => {
      this.refusedWith = res.statusCode;
      socket.terminate();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** Opens a socket to `serve`'s live stream (with extra headers: Origin, Host). */
  static open(serve: Pick<Serve, 'url'>, headers: Record<string, string> = {}): LiveClient {
    return new LiveClient(new WebSocket(`${serve.url.replace('http', 'ws')}/v1/live`, { headers }));
  }

  /** Resolves once the socket is open. */
  opened(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('close', () => reject(new Error('the socket closed before it opened')));
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (after those `next` already returned) that `match` accepts. */
  next<T extends MonitorServerMessage>(match: (m: MonitorServerMessage) => m is T): Promise<T>;
  next(match: (m: MonitorServerMessage) => boolean): Promise<MonitorServerMessage>;
  next(match: (m: MonitorServerMessage) => boolean): Promise<MonitorServerMessage> {
    for (; this.#cursor < this.messages.length; this.#cursor++) {
      const message = this.messages[this.#cursor]!;
      if (match(message)) {
        this.#cursor++;
        return Promise.resolve(message);
      }
    }
    return new Promise((resolve) => {
      this.#waiters.push({
        match,
        resolve: (message) => {
          this.#cursor = this.messages.length;
          resolve(message);
        },
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}
