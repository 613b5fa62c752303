// The team server as its callers' tests and benchmarks use it: the built bin in a folder, its OFB
// called over HTTP, users signed up, workspaces with members, and workflows and documents put on it
// (workflows through a stock automerge-repo client, as a browser puts them).
import { next as A } from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import type { DocumentId, Role, Workflow, WorkflowId } from '@symphony/schemas';
import { serverHas } from '@symphony/sync-server/testing';
import { type RunningBin, startBin, stopped } from './bin-process.js';

/** The password every user of {@link signUp} gets. */
export const PASSWORD = 'correct horse battery';

/** A team server and how to call its OFB. */
export interface TeamServer {
  readonly bin: RunningBin;
  readonly origin: string;
  /** The folder it runs in (its data under `.symphony/`). */
  readonly dir: string;
  /** Calls OFB function `name` with `body` (and `token`); rejects with the body of a refusal. */
  ofb<T>(name: string, body: unknown, token?: string): Promise<T>;
}

/** What {@link startTeamServer} may add to the bin's defaults. */
export interface TeamServerOptions {
  /** More arguments, e.g. `['--static', 'client/dist']` to serve the built client. */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts the team server bin in `dir` (embedded OFB, no orchestrator of its own, sign-ups not rate
 * limited) on a free port.
 */
export async function startTeamServer(dir: string, options: TeamServerOptions = {}): Promise<TeamServer> {
  const bin = await startBin(dir, [...(options.args ?? [])], {
    SYMPHONY_ORCHESTRATOR: 'off',
    OFB_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...options.env,
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

/** Stops the team server (SIGTERM) and waits for it to exit. */
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
  /** Seconds the token is valid for, from when it was issued. */
  readonly expiresIn: number;
}

interface SessionAnswer {
  access_token: string;
  expires_in: number;
  user: { id: string; name: string };
}

/** Signs `name` up with {@link PASSWORD} (a fresh session). */
export async function signUp(team: TeamServer, name: string): Promise<User> {
  const session = await team.ofb<SessionAnswer>('sign-up', { name, password: PASSWORD });
  return { name, userId: session.user.id, token: session.access_token, expiresIn: session.expires_in };
}

/** Another session of `user` (sign-in). */
export async function signIn(team: TeamServer, user: User): Promise<User> {
  const session = await team.ofb<SessionAnswer>('sign-in', { name: user.name, password: PASSWORD });
  return { ...user, token: session.access_token, expiresIn: session.expires_in };
}

/** A workspace `owner` creates, with `members` invited at their roles (and accepted); its id. */
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

/**
 * Puts `workflow` on the team server in `workspaceId` through a stock automerge-repo client and
 * resolves once the server holds it; its id (the automerge document id, which `#/workflow/<id>` opens).
 */
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

/** A (text) document `owner` creates in `workspaceId`; its id. */
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
