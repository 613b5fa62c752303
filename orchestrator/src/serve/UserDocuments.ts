// The documents of the runs `symphony serve` executes for several users: each run's document nodes
// reach the team server with the current token of the user the run is executed for, through one
// editor engine per user.
import { type DocumentId, RunErrorCode } from '@symphony/schemas';
import { EngineDocuments } from '../documents/EngineDocuments.js';
import { type DocumentCaller, type RunDocuments, StepError } from '../steps/Step.js';
import type { RunUser, UserTokens } from './UserTokens.js';

/** The user a run is executed for, by run id. */
export type RunUserOf = (
  runId: DocumentCaller['runId'],
) => RunUser | undefined | Promise<RunUser | undefined>;

/**
 * {@link RunDocuments} routed by run: a call for a run goes to the engine of the run's user, which
 * opens buffers with that user's latest token (a refreshed token reopens them). A run whose user
 * has no valid token here fails its document node with a retryable `document_failed` that says to
 * open the board (which presents a fresh token).
 */
export class UserDocuments implements RunDocuments {
  /** By user id. */
  readonly #engines = new Map<string, EngineDocuments>();
  #closed = false;

  constructor(
    private readonly server: string,
    private readonly tokens: UserTokens,
    private readonly userOf: RunUserOf,
    private readonly engineFor: (server: string, token: () => string | undefined) => EngineDocuments = (
      server,
      token,
    ) => EngineDocuments.forServer({ server, token }),
  ) {}

  read(documentId: DocumentId, signal: AbortSignal, caller?: DocumentCaller): Promise<string> {
    return this.#documents(caller, 'read-document').then((documents) => documents.read(documentId, signal));
  }

  write(
    documentId: DocumentId,
    edit: { readonly text: string; readonly mode: 'append' | 'replace'; readonly marker: string },
    signal: AbortSignal,
    caller?: DocumentCaller,
  ): Promise<{ applied: boolean }> {
    return this.#documents(caller, 'write-document').then((documents) =>
      documents.write(documentId, edit, signal),
    );
  }

  /** Closes every user's engine. */
  async close(): Promise<void> {
    this.#closed = true;
    const engines = [...this.#engines.values()];
    this.#engines.clear();
    await Promise.allSettled(engines.map((engine) => engine.close()));
  }

  async #documents(caller: DocumentCaller | undefined, type: string): Promise<EngineDocuments> {
    const user = caller === undefined ? undefined : await this.userOf(caller.runId);
    if (this.#closed)
      throw new StepError(RunErrorCode.documentFailed, `${type}: the orchestrator is stopping`, true);
    if (user === undefined) {
      throw new StepError(
        RunErrorCode.documentFailed,
        `${type}: this run is not executed for any signed-in user, so it cannot reach the team server's documents`,
      );
    }
    if (this.tokens.tokenOf(user.userId) === undefined) {
      throw new StepError(
        RunErrorCode.documentFailed,
        `${type}: ${user.userName}'s sign-in has expired on this orchestrator; open the workflow on the board to renew it`,
        true,
      );
    }
    let engine = this.#engines.get(user.userId);
    if (engine === undefined) {
      engine = this.engineFor(this.server, () => this.tokens.tokenOf(user.userId));
      this.#engines.set(user.userId, engine);
    }
    return engine;
  }
}
