// A workflow from the team server as a run's source: a stock automerge-repo client with the user's
// token finds the document, waits until it holds what the server holds, and pins it by its heads.
import { next as A } from '@automerge/automerge';
import {
  type AnyDocumentId,
  type DocHandle,
  decodeHeads,
  interpretAsDocumentId,
  isValidAutomergeUrl,
  isValidDocumentId,
  type PeerId,
  Repo,
} from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { CloseCode, checkWorkflowDocument, OfbLimits, Workflow, WorkflowId } from '@symphony/schemas';
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';
import { TeamServerUrl, teamServerEndpoints } from './team-server.js';
import { WorkflowSourceError, WorkflowSourceErrorCode } from './WorkflowSourceError.js';
import type { LoadedWorkflow } from './workflow-file.js';

/** 1 s between connection attempts while the server is not reachable yet. */
const RETRY_INTERVAL_MS = 1_000;

/** What {@link loadWorkflowFromServer} needs. */
export const LoadWorkflowFromServerOptions = z.object({
  /** The team server's base URL, e.g. `http://127.0.0.1:4321`. */
  server: TeamServerUrl,
  /** The workflow's automerge document id (or its `automerge:` URL). */
  workflowId: WorkflowId,
  /** The user's OFB access token; the server decides what it may open. */
  token: z.string().min(1).max(OfbLimits.maxTokenLength).optional(),
  /** How long to wait for the server to answer with the workflow, in ms (30 s). */
  timeoutMs: z.number().int().positive().max(600_000).default(30_000),
});
export type LoadWorkflowFromServerOptions = z.input<typeof LoadWorkflowFromServerOptions>;

/**
 * Loads a workflow from the team server through a stock automerge-repo client (`Repo` and the
 * websocket adapter, the user's token in `?token=`), as the board does: finds the document, waits
 * until this client holds every change the server has said it holds, and pins the run to those
 * heads (`Automerge.getHeads`): the workflow returned is a plain copy as of them, so co-edits made
 * meanwhile never change what runs. The repo is always shut down before this returns.
 *
 * Throws a {@link WorkflowSourceError}: `unauthorized` (no token, not one, expired), `forbidden`
 * (not a member of the workflow's workspace), `not_found` (no such workflow), `unreachable` (no
 * answer within `timeoutMs`), `not_a_workflow` (the document fails the shared gate).
 */
export async function loadWorkflowFromServer(
  options: LoadWorkflowFromServerOptions,
): Promise<LoadedWorkflow> {
  const { server, workflowId, token, timeoutMs } = parseArgs(
    'loadWorkflowFromServer',
    LoadWorkflowFromServerOptions,
    options,
  );
  if (!isValidDocumentId(workflowId) && !isValidAutomergeUrl(workflowId)) {
    throw new WorkflowSourceError(
      WorkflowSourceErrorCode.notFound,
      `"${workflowId}" is not a workflow id (an automerge document id, as the board's address shows it)`,
    );
  }
  const documentId = interpretAsDocumentId(workflowId as AnyDocumentId);
  const { automerge } = teamServerEndpoints(server);
  const refused = new Refusal(server);
  const adapter = new RunSourceAdapter(
    token === undefined ? automerge : `${automerge}?token=${encodeURIComponent(token)}`,
    (code, reason) => refused.closed(code, reason),
  );
  const repo = new Repo({ network: [adapter] });
  const abort = new AbortController();
  const timer = setTimeout(() => refused.timedOut(timeoutMs), timeoutMs);
  refused.onFail(() => abort.abort());
  try {
    // Asked before the server has joined, automerge-repo would call the workflow unavailable.
    await Promise.race([serverJoined(repo), refused.failed]);
    const handle = await Promise.race([
      repo.find<unknown>(documentId, { signal: abort.signal }).catch((error: unknown) => {
        throw refused.error ?? notFound(workflowId, error);
      }),
      refused.failed,
    ]);
    await Promise.race([syncedFromServer(repo, handle), refused.failed]);
    const doc = handle.doc();
    const heads = A.getHeads(doc);
    const value = A.toJS(A.view(doc, heads));
    const check = checkWorkflowDocument(value);
    if (!check.ok) {
      throw new WorkflowSourceError(
        WorkflowSourceErrorCode.notAWorkflow,
        `workflow ${workflowId} on ${server} is not a workflow Symphony can run; fix it on the board:`,
        check.issues,
      );
    }
    return {
      workflow: Workflow.parse(value),
      source: { kind: 'automerge', server, workflowId: WorkflowId.parse(documentId), heads: [...heads] },
    };
  } finally {
    clearTimeout(timer);
    abort.abort();
    adapter.disconnect();
    await repo.shutdown();
  }
}

/** Resolves once the repo has a peer: the server answered the join. */
function serverJoined(repo: Repo): Promise<void> {
  if (repo.peers.length > 0) return Promise.resolve();
  return new Promise((resolve) => {
    const joined = (): void => {
      repo.networkSubsystem.off('peer', joined);
      resolve();
    };
    repo.networkSubsystem.on('peer', joined);
  });
}

/**
 * Resolves once `handle` holds every change the server last said it has (its heads, as
 * automerge-repo records them per storage id): then nothing the server had when asked is missing.
 */
function syncedFromServer(repo: Repo, handle: DocHandle<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const storageIds = Object.keys(repo.peerMetadataByPeerId).map((peer) =>
        repo.getStorageIdOfPeer(peer as PeerId),
      );
      for (const storageId of storageIds) {
        const theirs = storageId === undefined ? undefined : handle.getSyncInfo(storageId)?.lastHeads;
        if (theirs !== undefined && A.hasHeads(handle.doc(), decodeHeads(theirs))) {
          handle.off('remote-heads', check);
          handle.off('heads-changed', check);
          resolve();
          return;
        }
      }
    };
    handle.on('remote-heads', check);
    handle.on('heads-changed', check);
    check();
  });
}

/** Why loading failed, once known: a close code from the server or the timeout. */
class Refusal {
  error: WorkflowSourceError | undefined;
  readonly failed: Promise<never>;
  #reject: (error: WorkflowSourceError) => void = () => {};
  readonly #listeners: (() => void)[] = [];

  constructor(private readonly server: string) {
    this.failed = new Promise<never>((_resolve, reject) => {
      this.#reject = reject;
    });
    // Nobody may be waiting on it when it fails after the race is over.
    this.failed.catch(() => {});
  }

  onFail(listener: () => void): void {
    this.#listeners.push(listener);
  }

  closed(code: number, reason: string): void {
    const error = refusalFor(code, reason, this.server);
    if (error) this.#fail(error);
  }

  timedOut(ms: number): void {
    this.#fail(
      new WorkflowSourceError(
        WorkflowSourceErrorCode.unreachable,
        `the team server ${this.server} did not send the workflow within ${ms} ms; check the address and that the server runs, then try again`,
      ),
    );
  }

  #fail(error: WorkflowSourceError): void {
    if (this.error) return;
    this.error = error;
    this.#reject(error);
    for (const listener of this.#listeners) listener();
  }
}

/** The error for a close code the server does not want a reconnection after; undefined for others. */
function refusalFor(code: number, reason: string, server: string): WorkflowSourceError | undefined {
  const why = `(${code}${reason ? ` ${reason}` : ''})`;
  switch (code) {
    case CloseCode.Unauthenticated.code:
      return new WorkflowSourceError(
        WorkflowSourceErrorCode.unauthorized,
        `${server} refused the sign-in ${why}: sign in with "symphony login --server ${server}"`,
      );
    case CloseCode.TokenExpired.code:
      return new WorkflowSourceError(
        WorkflowSourceErrorCode.unauthorized,
        `your session on ${server} expired ${why}: sign in again with "symphony login --server ${server}"`,
      );
    case CloseCode.Forbidden.code:
      return new WorkflowSourceError(
        WorkflowSourceErrorCode.forbidden,
        `you are not a member of this workflow's workspace on ${server} ${why}: ask its owner to invite you`,
      );
    case CloseCode.UnknownDocument.code:
      return new WorkflowSourceError(
        WorkflowSourceErrorCode.notFound,
        `${server} has no workflow by this id ${why}: check the id (the board's address shows it)`,
      );
    default:
      return undefined;
  }
}

function notFound(workflowId: string, error: unknown): WorkflowSourceError {
  const why = error instanceof Error ? error.message : String(error);
  return new WorkflowSourceError(
    WorkflowSourceErrorCode.notFound,
    `the team server does not have workflow ${workflowId} (${why}): check the id, or open it on the board so it reaches the server`,
  );
}

/**
 * automerge-repo's stock websocket client adapter, for one load: it reports the server's close
 * codes, never reconnects once disconnected, does not re-gossip other peers' ephemeral messages
 * (the server closes a connection whose frames name another sender, 4409), and keeps socket errors
 * other than a refused connection from throwing out of an event handler.
 */
class RunSourceAdapter extends WebSocketClientAdapter {
  #done = false;

  constructor(
    url: string,
    private readonly onCloseCode: (code: number, reason: string) => void,
  ) {
    super(url, RETRY_INTERVAL_MS);
  }

  override connect(...args: Parameters<WebSocketClientAdapter['connect']>): void {
    if (this.#done) return;
    super.connect(...args);
    this.socket?.addEventListener('close', (event) => this.onCloseCode(event.code, event.reason));
  }

  // The stock handler rethrows every error but ECONNREFUSED from inside the socket's event handler,
  // which would crash the process; a failed connection is retried or timed out instead.
  override onError = (): void => {};

  override send(message: Parameters<WebSocketClientAdapter['send']>[0]): void {
    if (message.type === 'ephemeral' && message.senderId !== this.peerId) return;
    super.send(message);
  }

  override disconnect(): void {
    this.#done = true;
    if (this.socket !== undefined && this.peerId !== undefined) super.disconnect();
  }
}
